"""``DockerflowMiddleware``: the Dockerflow endpoints and one ``request.summary`` per request.

List it first in ``MIDDLEWARE``: probes are then answered before ``ALLOWED_HOSTS``
validation and ``SECURE_SSL_REDIRECT``, which load balancers' health checks cannot satisfy.
"""

from __future__ import annotations

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
from dockerflow.django.request_summary import (
    REQUEST_SUMMARY_LOGGER_NAME,
    FieldsHook,
    log_summary,
    summary_fields,
)
from dockerflow.logging.request_id import (
    generate_request_id,
    is_valid_request_id,
    request_id_context,
)

__all__ = ["DockerflowMiddleware"]

View = Callable[[HttpRequest], HttpResponseBase]

# Per-request state kept on the request (its __dict__, which Django never clears).
TOKEN_KEY = "_dockerflow_rid_token"
EXCEPTION_KEY = "_dockerflow_exception"


@dataclass(frozen=True)
class MiddlewareConfig:
    """Everything the middleware needs from settings, computed once per settings change."""

    request_id_meta_key: str
    response_header: str | None  # None: send no request-id header back
    log_querystring: bool
    endpoints: dict[str, View]
    probe_logging: str  # DOCKERFLOW_SUMMARY_LOG_PROBES
    quiet_paths: frozenset[str]  # the probes' paths, unless probe_logging is "all"
    extra_fields: FieldsHook | None


@conf.derived
def middleware_config() -> MiddlewareConfig:
    """Read and check the middleware's settings (cached until ``setting_changed``)."""
    header = conf.valid("DOCKERFLOW_REQUEST_ID_HEADER_NAME")
    response_header = conf.valid("DOCKERFLOW_REQUEST_ID_RESPONSE_HEADER")
    if response_header is None:
        response_header = header  # the default: answer with the header the id came in
    served = ["version", "heartbeat", "lbheartbeat"]
    if conf.get("DOCKERFLOW_ERROR_ENDPOINT"):
        served.append("error")
    endpoints = {
        path: getattr(views, name) for name in served for path in conf.endpoint_paths(name)
    }
    probe_logging = conf.valid("DOCKERFLOW_SUMMARY_LOG_PROBES")
    probes = (views.heartbeat, views.lbheartbeat) if probe_logging != "all" else ()
    return MiddlewareConfig(
        request_id_meta_key="HTTP_" + header.upper().replace("-", "_"),
        response_header=response_header or None,
        log_querystring=bool(conf.get("DOCKERFLOW_SUMMARY_LOG_QUERYSTRING")),
        endpoints=endpoints,
        probe_logging=probe_logging,
        quiet_paths=frozenset(path for path, view in endpoints.items() if view in probes),
        extra_fields=conf.imported("DOCKERFLOW_SUMMARY_EXTRA_FIELDS"),
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


class DockerflowMiddleware:
    """Serve ``/__version__``, ``/__heartbeat__``, ``/__lbheartbeat__`` and ``/__error__``
    (with or without a trailing slash) and log a ``request.summary`` for every request.

    New-style middleware, sync and async. python-dockerflow's old-style hooks
    ``process_request``, ``process_exception`` and ``process_response`` remain usable
    directly (``get_response`` may then be omitted), and so does
    ``_build_extra_meta(request)``, which gives the fields of the summary.
    """

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], Any] | None = None) -> None:
        self.get_response = get_response
        self.summary_logger = logging.getLogger(REQUEST_SUMMARY_LOGGER_NAME)
        middleware_config()  # a bad setting fails at startup, not on the first request
        self._is_async = get_response is not None and iscoroutinefunction(get_response)
        if self._is_async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> HttpResponseBase | Awaitable[HttpResponseBase]:
        """Pick the request id (the incoming header's if valid, else a new one), set it in
        ``request_id_context`` for the request, answer, log the summary, reset the id."""
        if self._is_async:
            return self.__acall__(request)
        config = middleware_config()
        view = config.endpoints.get(request.path_info)
        if view is views.lbheartbeat and config.quiet_paths:
            return self._quiet_lbheartbeat(request, config)
        token = self._begin(request, config)
        try:
            response = self.get_response(request) if view is None else _serve(view, request)
        except BaseException as exc:
            # Without Django's handler around us (it answers exceptions), or an ASGI
            # request cancelled through async_to_sync: still log (code null).
            self._log(request, None, exc if isinstance(exc, Exception) else None, config)
            raise
        else:
            self._log_response(request, response, config)
        finally:
            self._end(token)
        return response

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        # The same steps as __call__, awaiting the rest of the chain.
        config = middleware_config()
        view = config.endpoints.get(request.path_info)
        if view is views.lbheartbeat and config.quiet_paths:
            return self._quiet_lbheartbeat(request, config)
        token = self._begin(request, config)
        try:
            if view is None:
                response = await self.get_response(request)  # type: ignore[misc]
            elif view is views.lbheartbeat:
                response = view(request)  # no I/O: no thread hop needed
            elif view is views.heartbeat:
                response = await views.heartbeat_async(request)  # no thread while it waits
            else:
                response = await sync_to_async(_serve)(view, request)
        except BaseException as exc:
            # Django (>= 5.0) cancels the request when the client disconnects: no
            # response, but the request happened and is summarised (code null).
            self._log(request, None, exc if isinstance(exc, Exception) else None, config)
            raise
        else:
            self._log_response(request, response, config)
        finally:
            self._end(token)
        return response

    def _quiet_lbheartbeat(self, request: HttpRequest, config: MiddlewareConfig) -> Any:
        # Probes are logged on failure or never: a 200 is seen by no log line, so it
        # needs no request id, clock or record. A draining 503 is logged as usual.
        response = views.lbheartbeat(request)
        if response.status_code >= 400:
            token = self._begin(request, config)
            try:
                self._log_response(request, response, config)
            finally:
                self._end(token)
        return response

    @staticmethod
    def _begin(request: HttpRequest, config: MiddlewareConfig) -> Token[str | None]:
        """Choose the request id, set it in the context, start the clock."""
        rid = request.META.get(config.request_id_meta_key)
        if rid is None or not is_valid_request_id(rid):
            rid = generate_request_id()
        state = request.__dict__
        state["_id"] = rid
        state["_start_timestamp"] = time.perf_counter()
        sentry = sys.modules.get("sentry_sdk")
        if sentry is not None:
            # Sentry finishes a request's transaction after the id is reset: the tag goes
            # on the request's own scope now (nothing is imported when Sentry is unused).
            sentry.set_tag("rid", rid)
        return request_id_context.set(rid)

    @staticmethod
    def _end(token: Token[str | None]) -> None:
        try:  # noqa: SIM105 (contextlib.suppress costs more than the reset, per request)
            request_id_context.reset(token)
        except (RuntimeError, ValueError):
            pass  # used already, or made in another context (hooks split across tasks)

    def _log_response(
        self, request: HttpRequest, response: HttpResponseBase, config: MiddlewareConfig
    ) -> None:
        rid = request_id_context.get()
        if config.response_header is not None and rid is not None:
            # setdefault: a header the view set itself is never overwritten.
            response.headers.setdefault(config.response_header, rid)
        if response.status_code >= 400:
            # Django's own django.request line, which Django would write after every
            # middleware returned (with the request id reset): its exact call, now, and
            # the response is marked as logged so Django skips its copy.
            drain = isinstance(response, views.DrainingResponse)  # expected, not an error
            log_response(
                "%s: %s",
                response.reason_phrase,
                request.path,
                response=response,
                request=request,
                level="info" if drain else None,
            )
        self._log(request, response, None, config)

    def _log(
        self,
        request: HttpRequest,
        response: HttpResponseBase | None,
        exception: BaseException | None,
        config: MiddlewareConfig,
    ) -> None:
        # An exception recorded during the request (process_exception or Django's
        # got_request_exception) is the one the summary reports.
        exception = request.__dict__.pop(EXCEPTION_KEY, exception)
        if request.path_info in config.quiet_paths:
            failed = exception is not None or response is None or response.status_code >= 400
            if config.probe_logging == "none" or not failed:
                return
        # Without a subclass's override, our own fields need none of a hook's guards.
        overridden = type(self)._build_extra_meta is not DockerflowMiddleware._build_extra_meta
        fields = self._build_extra_meta if overridden else config.log_querystring
        log_summary(self.summary_logger, request, response, exception, fields, config.extra_fields)

    def _build_extra_meta(self, request: HttpRequest) -> dict[str, Any]:
        """The fields of ``request``'s summary (python-dockerflow's hook).

        A subclass may override it: the dict it returns is what is logged, but for
        ``errno`` and ``code``, which are always the middleware's. ``super()`` gives
        :func:`~dockerflow.django.request_summary.summary_fields`.
        """
        return summary_fields(request, middleware_config().log_querystring)

    # python-dockerflow's old-style hooks. Django calls none of them; code and tests
    # written for python-dockerflow's middleware do. They read request._id and
    # request._start_timestamp back, whatever another middleware did to them.

    def process_request(self, request: HttpRequest) -> HttpResponseBase | None:
        """Start the request (id, clock); return the response of a Dockerflow endpoint,
        whose exception propagates (``/__error__`` raises on purpose), the id reset."""
        config = middleware_config()
        token = self._begin(request, config)
        view = config.endpoints.get(request.path_info)
        try:
            response = None if view is None else view(request)
        except BaseException:
            self._end(token)
            raise
        request.__dict__[TOKEN_KEY] = token
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        """Remember the view's exception for the summary; let Django handle it."""
        request.__dict__[EXCEPTION_KEY] = exception

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase | None
    ) -> HttpResponseBase | None:
        """Log the ``request.summary`` record and reset the request id."""
        token = request.__dict__.pop(TOKEN_KEY, None)
        try:
            self._log(request, response, None, middleware_config())
        finally:
            if token is not None:
                self._end(token)
        return response


def _serve(view: View, request: HttpRequest) -> HttpResponseBase:
    try:
        return view(request)
    except Exception as exc:
        # What Django does for a view's exception: got_request_exception (error
        # reporters), the django.request log, handler500 -- and a response, so the
        # summary is still logged.
        response = response_for_exception(request, exc)
        for name, value in views.PROBE_HEADERS.items():
            response.setdefault(name, value)
        return response
