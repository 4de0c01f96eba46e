"""A view and a heartbeat check that each log one line."""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse

logger = logging.getLogger("tests.otel_project")


def logs_a_line(request: HttpRequest) -> HttpResponse:
    logger.info("view line")
    return HttpResponse("ok")


def check_that_logs(app_configs=None, **kwargs) -> list:
    logger.info("check line")
    return []
