"""``DockerflowMiddleware``: the Dockerflow endpoints and one ``request.summary`` per request.

List it first in ``MIDDLEWARE`` (before ``SecurityMiddleware`` and
``CommonMiddleware``): probes are then answered before ``ALLOWED_HOSTS`` validation
and ``SECURE_SSL_REDIRECT``, which load balancers' health checks cannot satisfy.

Per request it picks the request id (the incoming ``DOCKERFLOW_REQUEST_ID_HEADER_NAME``
header if it is a valid id, else a new one), sets it in ``request_id_context`` for the
duration of the request and resets it afterwards, and logs the summary record.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from collections.abc import Awaitable, Callable
from contextvars import Token
from dataclasses import dataclass
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.core.handlers.exception import response_for_exception
from django.core.signals import got_request_exception
from django.http import HttpRequest, HttpResponseBase
from django.utils.log import log_response

from dockerflow.django import conf, views
from dockerflow.django.compat_hooks import EXCEPTION_KEY, PythonDockerflowHooks
from dockerflow.django.request_summary import REQUEST_SUMMARY_LOGGER_NAME, log_summary
from dockerflow.logging.request_id import (
    generate_request_id,
    is_valid_request_id,
    request_id_context,
)

__all__ = ["DockerflowMiddleware"]

View = Callable[[HttpRequest], HttpResponseBase]

_perf_counter = time.perf_counter


@dataclass(frozen=True)
class MiddlewareConfig:
    """Everything the middleware needs from settings, computed once per settings change."""

    request_id_meta_key: str
    #: Response header that carries the request id back, or None to send none.
    response_header: str | None
    log_querystring: bool
    endpoints: dict[str, View]


@conf.derived
def middleware_config() -> MiddlewareConfig:
    """Read and check the middleware's settings (cached until ``setting_changed``)."""
    header = conf.valid("DOCKERFLOW_REQUEST_ID_HEADER_NAME")
    response_header = conf.valid("DOCKERFLOW_REQUEST_ID_RESPONSE_HEADER")
    if response_header is None:
        response_header = header  # the default: answer with the header the id came in
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
        response_header=response_header or None,
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
        request.__dict__[EXCEPTION_KEY] = exc


got_request_exception.connect(
    _remember_unhandled_exception, dispatch_uid="dockerflow.django.middleware"
)


def _log_error_response(request: HttpRequest, response: HttpResponseBase) -> None:
    """Django's own ``django.request`` line for a 4xx/5xx, written while the request id
    is still set.

    Django writes it after the whole middleware chain has returned -- after this
    middleware has reset the request id -- so the line would carry ``rid: null``.
    The call is Django's exact one; the response is then marked as logged, so Django
    skips its own.
    """
    if response.status_code >= 400:
        log_response(
            "%s: %s",
            response.reason_phrase,
            request.path,
            response=response,
            request=request,
            level="info" if isinstance(response, views.DrainingResponse) else None,
        )


class DockerflowMiddleware(PythonDockerflowHooks):
    """Serve ``/__version__``, ``/__heartbeat__``, ``/__lbheartbeat__`` and ``/__error__``
    (with or without a trailing slash) and log a ``request.summary`` for every request.

    New-style middleware, sync and async. The python-dockerflow hooks
    ``process_request``, ``process_exception`` and ``process_response``
    (:class:`~dockerflow.django.compat_hooks.PythonDockerflowHooks`) remain usable
    directly, and ``get_response`` may be omitted when only they are used.
    """

    sync_capable = True
    async_capable = True

    def __init__(
        self,
        get_response: Callable[[HttpRequest], Any] | None = None,
    ) -> None:
        self.get_response = get_response
        self.summary_logger = logging.getLogger(REQUEST_SUMMARY_LOGGER_NAME)
        middleware_config()  # a bad setting fails at startup, not on the first request
        self._is_async = get_response is not None and iscoroutinefunction(get_response)
        if self._is_async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> HttpResponseBase | Awaitable[HttpResponseBase]:
        if self._is_async:
            return self.__acall__(request)
        config, rid, start, token = self._begin(request)
        try:
            view = config.endpoints.get(request.path_info)
            response = self.get_response(request) if view is None else _serve(view, request)
        except asyncio.CancelledError:
            # Under ASGI with a sync chain, the cancellation of a disconnected client's
            # request (see __acall__) reaches here through the view's async_to_sync.
            self._log(request, None, rid, start, None, config)
            raise
        except Exception as exc:
            # Only without Django's handler around us (it turns exceptions into
            # responses): still log, and never leave the request id set.
            self._log(request, None, rid, start, exc, config)
            raise
        else:
            self._log_response(request, response, rid, start, config)
        finally:
            self._end(token)
        return response

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        # The same steps as __call__, awaiting the rest of the chain.
        config, rid, start, token = self._begin(request)
        try:
            view = config.endpoints.get(request.path_info)
            if view is None:
                response = await self.get_response(request)  # type: ignore[misc]
            elif view is views.lbheartbeat:
                response = view(request)  # no I/O: no thread hop needed
            elif view is views.heartbeat:
                response = await views.heartbeat_async(request)  # no thread while it waits
            else:
                response = await sync_to_async(_serve)(view, request)
        except asyncio.CancelledError:
            # Django (>= 5.0) cancels the request when the client disconnects: no
            # response, but the request happened and is summarised (code null).
            self._log(request, None, rid, start, None, config)
            raise
        except Exception as exc:
            self._log(request, None, rid, start, exc, config)
            raise
        else:
            self._log_response(request, response, rid, start, config)
        finally:
            self._end(token)
        return response

    @staticmethod
    def _begin(
        request: HttpRequest,
    ) -> tuple[MiddlewareConfig, str, float, Token[str | None]]:
        """Choose the request id, set it in the context, start the clock."""
        config = middleware_config()
        rid = request.META.get(config.request_id_meta_key)
        if rid is None or not is_valid_request_id(rid):
            rid = generate_request_id()
        token = request_id_context.set(rid)
        start = _perf_counter()
        state = request.__dict__
        state["_id"] = rid
        state["_start_timestamp"] = start
        return config, rid, start, token

    @staticmethod
    def _end(token: Token[str | None]) -> None:
        """Reset the request id to what it was before ``_begin``."""
        # try/except, not contextlib.suppress: this runs on every request and the
        # context manager costs more than the rest of the reset.
        try:  # noqa: SIM105
            request_id_context.reset(token)
        except (RuntimeError, ValueError):
            # Used already, or made in another context (a caller split the hooks across
            # tasks): nothing of ours is left to undo here.
            pass

    def _log_response(
        self,
        request: HttpRequest,
        response: HttpResponseBase,
        rid: str | None,
        start: float | None,
        config: MiddlewareConfig,
    ) -> None:
        if config.response_header is not None and rid is not None:
            # setdefault: a header the view set itself is never overwritten.
            response.headers.setdefault(config.response_header, rid)
        # Django's own line for an error response first, then the summary: the order
        # Django would write them in, both while the request id is still set.
        _log_error_response(request, response)
        self._log(request, response, rid, start, None, config)

    def _log(
        self,
        request: HttpRequest,
        response: HttpResponseBase | None,
        rid: str | None,
        start: float | None,
        exception: BaseException | None,
        config: MiddlewareConfig | None = None,
    ) -> None:
        # An exception recorded during the request (process_exception or Django's
        # got_request_exception) is the one the summary reports.
        recorded = request.__dict__.pop(EXCEPTION_KEY, None)
        if config is None:
            config = middleware_config()
        log_summary(
            self.summary_logger,
            request,
            response,
            rid,
            start,
            recorded if recorded is not None else exception,
            config.log_querystring,
        )


def _serve(view: View, request: HttpRequest) -> HttpResponseBase:
    try:
        return view(request)
    except Exception as exc:
        # What Django does for a view's exception: got_request_exception (error
        # reporters), the django.request log, handler500 -- and a response, so the
        # summary is still logged.
        return views.probe_headers(response_for_exception(request, exc))
