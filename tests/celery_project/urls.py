"""Views that enqueue tasks, as a Django project's views do."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.urls import path

from tests.celery_project import tasks


def enqueue(request: HttpRequest) -> JsonResponse:
    result = tasks.record.delay(request.GET.get("expected"))
    return JsonResponse({"task_id": result.id}, status=202)


def enqueue_failing(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"task_id": tasks.explode.delay().id}, status=202)


urlpatterns = [path("enqueue/", enqueue), path("enqueue-failing/", enqueue_failing)]
