"""Views that fail, succeed and enqueue a failing Celery task."""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path

logger = logging.getLogger("tests.sentry.project")


def boom(request: HttpRequest) -> HttpResponse:
    logger.info("about to fail", extra={"api_token": request.GET.get("token")})
    raise ValueError("the view failed on purpose")


def ok(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


def enqueue_failing(request: HttpRequest) -> JsonResponse:
    from tests.sentry.project import tasks  # only this test has Celery and a broker

    return JsonResponse({"task_id": tasks.explode.delay().id}, status=202)


urlpatterns = [path("boom/", boom), path("ok/", ok), path("enqueue-failing/", enqueue_failing)]
