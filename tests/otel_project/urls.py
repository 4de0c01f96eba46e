from django.urls import path

from tests.otel_project import views

urlpatterns = [path("logs/", views.logs_a_line)]
