from django.urls import path

from buildindex.api import views

urlpatterns = [
    path("search/", views.search, name="search"),
]
