from django.urls import path

from symbolserver import views

urlpatterns = [
    path("<str:debug_filename>/<str:debug_id>/<str:filename>", views.download_symbol),
]
