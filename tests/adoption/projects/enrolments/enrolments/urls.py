from django.urls import path

from enrolments.core import views

urlpatterns = [
    path("api/v1.0/courses/", views.course_list, name="courses"),
]
