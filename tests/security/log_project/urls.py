"""Views through which hostile input reaches the logs, as in real applications."""

from __future__ import annotations

import json
import logging

from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

logger = logging.getLogger("tests.security.views")


def ok(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


@csrf_exempt
def raise_body(request: HttpRequest) -> HttpResponse:
    """A body quoted in an exception message (a parse or validation error)."""
    raise ValueError(f"cannot use {request.body.decode(errors='replace')}")


def raise_headers(request: HttpRequest) -> HttpResponse:
    """The request's headers quoted in an exception message."""
    raise KeyError(dict(request.headers))


@csrf_exempt
def log_payload(request: HttpRequest) -> HttpResponse:
    """A JSON body logged as a nested extra."""
    logger.warning("payload received", extra={"payload": json.loads(request.body)})
    return HttpResponse(status=204)


urlpatterns = [
    path("ok/", ok),
    path("raise-body/", raise_body),
    path("raise-headers/", raise_headers),
    path("log-payload/", log_payload),
]
