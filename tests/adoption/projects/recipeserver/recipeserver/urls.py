from django.contrib import admin
from django.urls import path

from recipeserver import views

urlpatterns = [
    path("api/v1/recipe/", views.recipe_list, name="recipe-list"),
    path("admin/", admin.site.urls),
]
