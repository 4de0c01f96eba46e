"""The ``request.summary`` log record: one per request, made by the logger's own
``makeRecord`` (no ``findCaller`` stack walk) only when the logger is enabled. Whatever the
request, the user, the exception or a field hook raises, the summary is written (a failing
hook is logged on this module's logger and its fields left out).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponseBase
from django.http.multipartparser import MultiPartParserError
from django.utils.functional import LazyObject, empty

from dockerflow.logging.encoding import safe_str
from dockerflow.logging.request_id import request_id_context
from dockerflow.masking import mask_query

REQUEST_SUMMARY_LOGGER_NAME = "request.summary"

# Caps on client-controlled values, in characters. A request line or header can be
# many kilobytes long; these keep one request from writing more than a few kB of log
# while leaving room for every realistic value (long user agents are ~300 chars).
MAX_AGENT = 512
MAX_LANG = 128
MAX_METHOD = 32
MAX_PATH = 2048
MAX_QUERYSTRING = 2048
MAX_MESSAGE = 2048

#: Exceptions Django answers with a 4xx response: the client's fault, not a server error.
CLIENT_ERRORS = (Http404, PermissionDenied, BadRequest, SuspiciousOperation, MultiPartParserError)

#: A function adding fields: ``_build_extra_meta(request)`` or the
#: DOCKERFLOW_SUMMARY_EXTRA_FIELDS callable ``(request, response)``.
FieldsHook = Callable[..., "dict[str, Any] | None"]

logger = logging.getLogger(__name__)


def _text(value: object, cap: int) -> str:
    """``value`` as an exact ``str`` of at most ``cap`` characters (``""`` for None)."""
    if type(value) is not str:
        value = "" if value is None else safe_str(value)
    return value[:cap]  # type: ignore[index]


def loaded_user_id(request: HttpRequest) -> Any:
    """The ``uid`` field: the user's pk, ``""`` for an anonymous user, ``None`` if not loaded
    (or reading it raises). Only what is in ``request.__dict__`` is read: evaluating the
    lazy ``request.user`` would cost a session read (often a query) on every request."""
    state = request.__dict__
    user = state.get("_cached_user", state.get("_acached_user", state.get("user")))
    try:
        if isinstance(user, LazyObject):
            user = user._wrapped  # reading _wrapped never triggers the lazy load
        if user is None or user is empty:
            return None
        if not getattr(user, "is_authenticated", False):
            return ""
        pk = getattr(user, "pk", None)
        return pk if pk is None or type(pk) is int or type(pk) is str else safe_str(pk)
    except Exception:
        return None


def summary_fields(request: HttpRequest, log_querystring: bool) -> dict[str, Any]:
    """The fields a request's summary reads from the request (see the module constants
    for caps): ``agent``, ``lang``, ``method``, ``path``, ``rid``, ``t`` (with a start
    time), ``uid`` (with a loaded user), ``querystring`` (with ``log_querystring``)."""
    meta = request.META
    state = request.__dict__
    fields = {
        "agent": _text(meta.get("HTTP_USER_AGENT"), MAX_AGENT),
        "lang": _text(meta.get("HTTP_ACCEPT_LANGUAGE"), MAX_LANG),
        "method": _text(request.method, MAX_METHOD),
        "path": _text(request.path, MAX_PATH),
        "rid": state.get("_id") or request_id_context.get(),
    }
    start = state.get("_start_timestamp")
    if type(start) is float:
        fields["t"] = int((time.perf_counter() - start) * 1000)
    uid = loaded_user_id(request)
    if uid is not None:
        fields["uid"] = uid
    if log_querystring:
        # Unquoting never lengthens a string: cap the raw value first so a huge query
        # string costs no more work than a capped one.
        raw = _text(meta.get("QUERY_STRING"), 4 * MAX_QUERYSTRING)
        fields["querystring"] = unquote(mask_query(raw))[:MAX_QUERYSTRING]
    return fields


def _add_fields(state: dict[str, Any], hook: FieldsHook, *args: Any) -> None:
    """Add what ``hook(*args)`` returns to the record's ``state``, but no key already
    there (ours, or an attribute of the record): a hook cannot falsify the line."""
    try:
        fields = hook(*args)
        if not isinstance(fields, (dict, type(None))):
            raise TypeError(f"returned {type(fields).__name__}, expected a dict or None")
        for key, value in (fields or {}).items():
            state.setdefault(key, value)
    except Exception:
        logger.exception("request.summary fields left out: %r failed", hook)


def log_summary(
    summary_logger: logging.Logger,
    request: HttpRequest,
    response: HttpResponseBase | None,
    exception: BaseException | None,
    fields: FieldsHook | bool,
    extra_fields: FieldsHook | None,
) -> None:
    """Emit the one ``request.summary`` record for ``request``: ERROR for an unhandled
    exception (``errno`` 500, its message, ``exc_info``), else INFO with ``errno`` 0 (``code``
    says how it went); then the fields ``fields(request)`` returns (a subclass's hook), or
    :func:`summary_fields` (``fields`` is then ``log_querystring``), and those
    ``extra_fields(request, response)`` adds."""
    if exception is not None and not issubclass(type(exception), CLIENT_ERRORS):
        level, errno, message = logging.ERROR, 500, _text(exception, MAX_MESSAGE)
        try:
            tb = exception.__traceback__
        except Exception:  # an exception class whose __getattribute__ raises
            tb = None
        exc_info = (type(exception), exception, tb)
    else:
        level, errno, message, exc_info = logging.INFO, 0, "", None
    if not summary_logger.isEnabledFor(level):
        return
    record = summary_logger.makeRecord(
        summary_logger.name, level, __file__, 0, message, (), exc_info, "request_summary"
    )
    # Not makeRecord(extra=...): its clash check raises, and the record would be lost.
    state = record.__dict__
    state["errno"] = errno
    state["code"] = None if response is None else response.status_code
    if callable(fields):
        _add_fields(state, fields, request)
    else:
        state.update(summary_fields(request, fields))
    if extra_fields is not None:
        _add_fields(state, extra_fields, request, response)
    summary_logger.handle(record)
