"""URLs of the example service (the Dockerflow endpoints are served by the middleware)."""

from __future__ import annotations

from django.urls import path
from greetings import views

urlpatterns = [
    path("", views.index, name="index"),
    path("greeting", views.greeting, name="greeting"),
]
