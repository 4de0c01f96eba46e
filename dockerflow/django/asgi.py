"""ASGI: the probes answered before Django's handler, on the event loop.

Django's ASGI handler gives each request in flight a thread of its own (for its
thread-sensitive code), and runs a middleware chain with any sync-only middleware
(WhiteNoise's) in threads: hundreds of probes waiting for one heartbeat run held hundreds
of threads. :func:`probes_first` serves ``/__heartbeat__`` and ``/__lbheartbeat__`` with
the same middleware and views (the same responses and ``request.summary`` lines) without
Django's handler, so a waiting probe costs a coroutine; Django's ``request_started`` and
``request_finished`` signals are not sent for them. Every other request goes to Django.
"""

from __future__ import annotations

import io
from collections.abc import Awaitable, Callable
from typing import Any

from django.core.handlers.asgi import ASGIHandler, ASGIRequest
from django.http import HttpRequest, HttpResponseBase

from dockerflow.django import conf
from dockerflow.django.middleware import DockerflowMiddleware

__all__ = ["probes_first"]

ASGIApp = Callable[[dict[str, Any], Any, Any], Awaitable[None]]

_PROBES = conf.endpoint_paths("heartbeat", "lbheartbeat")


async def _not_a_probe(request: HttpRequest) -> HttpResponseBase:
    raise AssertionError(f"{request.path_info} is not a probe")  # only probes reach it


def probes_first(application: ASGIHandler) -> ASGIApp:
    """``application`` (Django's, from ``get_asgi_application()``) with the probes answered
    first: ``application = probes_first(get_asgi_application())``."""
    middleware = DockerflowMiddleware(_not_a_probe)

    async def probes_then_django(scope: dict[str, Any], receive: Any, send: Any) -> None:
        # The path the middleware routes by (path_info): without the mount point.
        path = scope.get("path", "").removeprefix(scope.get("root_path", ""))
        if scope["type"] != "http" or path not in _PROBES:
            return await application(scope, receive, send)
        response = await middleware(ASGIRequest(scope, io.BytesIO()))
        await application.send_response(response, send)

    return probes_then_django
