"""``DockerflowMiddleware``: the Dockerflow endpoints and one ``request.summary`` per request.

List it first in ``MIDDLEWARE`` (before ``SecurityMiddleware`` and
``CommonMiddleware``): probes are then answered before ``ALLOWED_HOSTS`` validation
and ``SECURE_SSL_REDIRECT``, which load balancers' health checks cannot satisfy.

Per request it picks the request id (the incoming ``DOCKERFLOW_REQUEST_ID_HEADER_NAME``
header if it is a valid id, else a new one), sets it in ``request_id_context`` for the
duration of the request and resets it afterwards, and logs the summary record.
"""

from __future__ import annotations

import contextlib
import logging
import re
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.core.exceptions import ImproperlyConfigured
from django.core.handlers.exception import response_for_exception
from django.core.signals import got_request_exception
from django.http import HttpRequest, HttpResponseBase

from dockerflow.django import conf, views
from dockerflow.django.request_summary import LOGGER_NAME, log_summary
from dockerflow.logging import generate_request_id, is_valid_request_id, request_id_context

__all__ = ["DockerflowMiddleware"]

View = Callable[[HttpRequest], HttpResponseBase]

# Per-request state kept on the request (its __dict__, which Django never clears).
_TOKEN = "_dockerflow_rid_token"
_EXCEPTION = "_dockerflow_exception"

_perf_counter = time.perf_counter

_HEADER_NAME = re.compile(r"[A-Za-z0-9_-]+")


@dataclass(frozen=True)
class MiddlewareConfig:
    """Everything the middleware needs from settings, computed once per settings change."""

    request_id_meta_key: str
    log_querystring: bool
    endpoints: dict[str, View]


@conf.derived
def middleware_config() -> MiddlewareConfig:
    """Read and check the middleware's settings (cached until ``setting_changed``)."""
    header = conf.get("DOCKERFLOW_REQUEST_ID_HEADER_NAME") or "X-Request-ID"
    if not isinstance(header, str) or not _HEADER_NAME.fullmatch(header):
        raise ImproperlyConfigured(
            f"DOCKERFLOW_REQUEST_ID_HEADER_NAME={header!r} is not valid; expected an HTTP "
            "header name of letters, digits and hyphens, such as 'X-Request-ID'"
        )
    paths: dict[str, View] = {
        "/__version__": views.version,
        "/__heartbeat__": views.heartbeat,
        "/__lbheartbeat__": views.lbheartbeat,
    }
    if conf.get("DOCKERFLOW_ERROR_ENDPOINT"):
        paths["/__error__"] = views.error
    endpoints = {**paths, **{f"{path}/": view for path, view in paths.items()}}
    return MiddlewareConfig(
        request_id_meta_key="HTTP_" + header.upper().replace("-", "_"),
        log_querystring=bool(conf.get("DOCKERFLOW_SUMMARY_LOG_QUERYSTRING")),
        endpoints=endpoints,
    )


def _remember_unhandled_exception(
    sender: Any, request: HttpRequest | None = None, **kwargs: Any
) -> None:
    # Django sends got_request_exception only for exceptions it answers with a 500,
    # including ones raised by middleware below this one (which process_exception
    # never sees); it is sent from inside the except block, so sys.exc_info() is it.
    exc = sys.exc_info()[1]
    if request is not None and exc is not None:
        request.__dict__[_EXCEPTION] = exc


got_request_exception.connect(
    _remember_unhandled_exception, dispatch_uid="dockerflow.django.middleware"
)


class DockerflowMiddleware:
    """Serve ``/__version__``, ``/__heartbeat__``, ``/__lbheartbeat__`` and ``/__error__``
    (with or without a trailing slash) and log a ``request.summary`` for every request.

    New-style middleware, sync and async. The python-dockerflow hooks
    ``process_request``, ``process_exception`` and ``process_response`` remain usable
    directly, and ``get_response`` may be omitted when only they are used.
    """

    sync_capable = True
    async_capable = True

    def __init__(
        self,
        get_response: Callable[[HttpRequest], Any] | None = None,
    ) -> None:
        self.get_response = get_response
        self.summary_logger = logging.getLogger(LOGGER_NAME)
        middleware_config()  # a bad setting fails at startup, not on the first request
        self._is_async = get_response is not None and iscoroutinefunction(get_response)
        if self._is_async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> HttpResponseBase | Awaitable[HttpResponseBase]:
        if self._is_async:
            return self.__acall__(request)
        view = self._begin(request)
        if view is not None:
            response = _serve(view, request)
        else:
            try:
                response = self.get_response(request)  # type: ignore[misc]
            except Exception as exc:
                self._abort(request, exc)
                raise
        return self.process_response(request, response)

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        view = self._begin(request)
        if view is views.lbheartbeat:
            response = view(request)  # no I/O: no thread hop needed
        elif view is not None:
            response = await sync_to_async(_serve)(view, request)
        else:
            try:
                response = await self.get_response(request)  # type: ignore[misc]
            except Exception as exc:
                self._abort(request, exc)
                raise
        return self.process_response(request, response)

    def _begin(self, request: HttpRequest) -> View | None:
        config = middleware_config()
        rid = request.META.get(config.request_id_meta_key)
        if rid is None or not is_valid_request_id(rid):
            rid = generate_request_id()
        request.__dict__[_TOKEN] = request_id_context.set(rid)
        request._id = rid  # type: ignore[attr-defined]
        request._start_timestamp = _perf_counter()  # type: ignore[attr-defined]
        return config.endpoints.get(request.path_info)

    def _abort(self, request: HttpRequest, exc: Exception) -> None:
        # Only reached when nothing below turned the exception into a response
        # (Django always does): still log, and never leave the request id set.
        request.__dict__[_EXCEPTION] = exc
        self.process_response(request, None)

    def process_request(self, request: HttpRequest) -> HttpResponseBase | None:
        """Start the request (id, timer); return the response for a Dockerflow endpoint."""
        view = self._begin(request)
        return None if view is None else _serve(view, request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        """Remember the view's exception for the summary; let Django handle it."""
        request.__dict__[_EXCEPTION] = exception

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase | None
    ) -> HttpResponseBase | None:
        """Log the ``request.summary`` record and reset the request id."""
        state = request.__dict__
        token = state.pop(_TOKEN, None)
        try:
            log_summary(
                self.summary_logger,
                request,
                response,
                rid=state.get("_id") or request_id_context.get(),
                start=state.get("_start_timestamp"),
                exception=state.pop(_EXCEPTION, None),
                log_querystring=middleware_config().log_querystring,
            )
        finally:
            if token is not None:
                _reset_request_id(token)
        return response


def _serve(view: View, request: HttpRequest) -> HttpResponseBase:
    try:
        return view(request)
    except Exception as exc:
        # What Django does for a view's exception: got_request_exception (error
        # reporters), the django.request log, handler500 -- and a response, so the
        # summary is still logged.
        return response_for_exception(request, exc)


def _reset_request_id(token: Any) -> None:
    # RuntimeError: used already; ValueError: made in another context (a caller split
    # the hooks across tasks). Either way nothing of ours is left to undo here.
    with contextlib.suppress(RuntimeError, ValueError):
        request_id_context.reset(token)
