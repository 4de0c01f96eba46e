from django.urls import path

from tests.services_project import views

urlpatterns = [
    path("app/", views.app),
    path("diag/threads/", views.threads),
]
