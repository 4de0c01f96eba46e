"""The ``request.summary`` log record: one per request, built without wasted work.

The record comes from the logger's own ``makeRecord`` and is passed to
``Logger.handle`` only when the logger is enabled for its level: a silenced logger
costs no field building, and no ``findCaller`` stack walk is ever needed.

Every value read from the request, the user or the exception is guarded: whatever
those objects' methods raise, the summary is written.
"""

from __future__ import annotations

import logging
import time
from typing import Any
from urllib.parse import unquote

from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponseBase
from django.http.multipartparser import MultiPartParserError
from django.utils.functional import LazyObject, empty

from dockerflow.logging.encoding import safe_str
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

_INFO = logging.INFO
_ERROR = logging.ERROR
_FUNC_NAME = "request_summary"
_perf_counter = time.perf_counter


def _text(value: object, cap: int) -> str:
    """``value`` as an exact ``str`` of at most ``cap`` characters (``""`` for None)."""
    if type(value) is not str:
        value = "" if value is None else safe_str(value)
    return value[:cap]  # type: ignore[index]


def _user_id(user: Any) -> Any:
    if not getattr(user, "is_authenticated", False):
        return ""
    pk = getattr(user, "pk", None)
    if pk is None or type(pk) is int or type(pk) is str:
        return pk
    return safe_str(pk)


def loaded_user_id(request: HttpRequest) -> Any:
    """The ``uid`` field: the user's pk, ``""`` for an anonymous user, ``None`` if not loaded.

    Looks only at what is already in ``request.__dict__``: evaluating the lazy
    ``request.user`` would cost a session read (and often a query) on every request.
    ``None`` too when reading the user raises.
    """
    state = request.__dict__
    user = state.get("_cached_user")
    if user is None:
        user = state.get("_acached_user")
    if user is None:
        user = state.get("user")
        if isinstance(user, LazyObject):
            user = user._wrapped  # reading _wrapped never triggers the lazy load
            if user is empty:
                return None
        if user is None:
            return None
    try:
        return _user_id(user)
    except Exception:
        return None


def write_summary_fields(
    fields: dict[str, Any],
    request: HttpRequest,
    response: HttpResponseBase | None,
    rid: str | None,
    start: float | None,
    errno: int,
    log_querystring: bool,
) -> None:
    """Set the mozlog ``Fields`` of a request summary in ``fields`` (see the module
    constants for caps); ``t`` only with a ``start`` time."""
    meta = request.META
    fields["errno"] = errno
    fields["code"] = None if response is None else response.status_code
    fields["agent"] = _text(meta.get("HTTP_USER_AGENT"), MAX_AGENT)
    fields["lang"] = _text(meta.get("HTTP_ACCEPT_LANGUAGE"), MAX_LANG)
    fields["method"] = _text(request.method, MAX_METHOD)
    fields["path"] = _text(request.path, MAX_PATH)
    fields["rid"] = rid
    if start is not None:
        fields["t"] = int((_perf_counter() - start) * 1000)
    uid = loaded_user_id(request)
    if uid is not None:
        fields["uid"] = uid
    if log_querystring:
        # Unquoting never lengthens a string: cap the raw value first so a huge query
        # string costs no more work than a capped one.
        raw = _text(meta.get("QUERY_STRING"), 4 * MAX_QUERYSTRING)
        fields["querystring"] = unquote(mask_query(raw))[:MAX_QUERYSTRING]


def _exc_info(exception: BaseException) -> tuple[type[BaseException], BaseException, Any]:
    try:
        tb = exception.__traceback__
    except Exception:  # an exception class whose __getattribute__ raises
        tb = None
    return type(exception), exception, tb


def log_summary(
    logger: logging.Logger,
    request: HttpRequest,
    response: HttpResponseBase | None,
    rid: str | None,
    start: float | None,
    exception: BaseException | None,
    log_querystring: bool,
) -> None:
    """Emit the one ``request.summary`` record for ``request``.

    An unhandled exception gives an ERROR record (``errno`` 500, the exception's
    message, ``exc_info``); everything else, 4xx and 5xx responses included, is INFO
    with ``errno`` 0 -- ``code`` says how it went.
    """
    if exception is not None and not issubclass(type(exception), CLIENT_ERRORS):
        level, errno, message = _ERROR, 500, _text(exception, MAX_MESSAGE)
        exc_info = _exc_info(exception)
    else:
        level, errno, message, exc_info = _INFO, 0, "", None
    if not logger.isEnabledFor(level):
        return
    record = logger.makeRecord(logger.name, level, __file__, 0, message, (), exc_info, _FUNC_NAME)
    # Not makeRecord(extra=...): its per-key clash check costs more than the fields,
    # and these keys are fixed and never clash with a LogRecord attribute.
    write_summary_fields(record.__dict__, request, response, rid, start, errno, log_querystring)
    logger.handle(record)
