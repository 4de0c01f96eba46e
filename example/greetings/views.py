"""The greeting page, and the same greeting as JSON from an async view."""

from __future__ import annotations

import asyncio
import logging
import math

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

logger = logging.getLogger("greetings")

#: Upper bound of ``?wait=`` (seconds) on the async view.
MAX_WAIT = 1.0


def index(request: HttpRequest) -> HttpResponse:
    logger.info("greeting page rendered")
    return render(request, "greetings/index.html", {"greeting": settings.GREETING})


async def greeting(request: HttpRequest) -> JsonResponse:
    """``/greeting``: the greeting as JSON, served on the event loop under ASGI.

    ``?wait=SECONDS`` (0 to :data:`MAX_WAIT`) awaits before answering, so that
    concurrent requests interleave on one event loop, as slow I/O would make them.
    """
    try:
        wait = float(request.GET.get("wait", 0))
    except ValueError:
        wait = math.nan
    if not 0 <= wait <= MAX_WAIT:  # also false for nan
        error = f"wait={request.GET['wait']!r}: expected seconds from 0 to {MAX_WAIT:g}"
        return JsonResponse({"error": error}, status=400)
    await asyncio.sleep(wait)
    logger.info("greeting sent from an async view")
    return JsonResponse({"greeting": settings.GREETING})
