"""The ``request.summary`` log record: one per request, built without wasted work.

The record is made by :class:`~dockerflow.logging.fast_record.RecordTemplate` (the
same record ``Logger.makeRecord`` would make, copied from a per-level prototype when
the stdlib record factory is in use) and passed to ``Logger.handle`` only when the
logger is enabled for its level, which skips ``Logger._log``'s ``findCaller`` stack
walk and all field building for a silenced logger.
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

from dockerflow.logging.fast_record import RecordTemplate

LOGGER_NAME = "request.summary"

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
_template: RecordTemplate | None = None


#: The fields every summary has, in order; ``uid`` and ``querystring`` follow when set.
FIELD_KEYS = ("errno", "code", "agent", "lang", "method", "path", "rid", "t")


def _record_template(logger: logging.Logger) -> RecordTemplate:
    # One template per logger object; the middleware's summary_logger is replaceable.
    global _template
    template = _template
    if template is None or template.logger is not logger:
        template = _template = RecordTemplate(logger, __file__, _FUNC_NAME, FIELD_KEYS)
    return template


def loaded_user_id(request: HttpRequest) -> Any:
    """The ``uid`` field: the user's pk, ``""`` for an anonymous user, ``None`` if not loaded.

    Looks only at what is already in ``request.__dict__``: evaluating the lazy
    ``request.user`` would cost a session read (and often a query) on every request.
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
    if not getattr(user, "is_authenticated", False):
        return ""
    pk = getattr(user, "pk", None)
    if pk is None or isinstance(pk, (int, str)):
        return pk
    return str(pk)


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
    fields["agent"] = meta.get("HTTP_USER_AGENT", "")[:MAX_AGENT]
    fields["lang"] = meta.get("HTTP_ACCEPT_LANGUAGE", "")[:MAX_LANG]
    fields["method"] = (request.method or "")[:MAX_METHOD]
    fields["path"] = request.path[:MAX_PATH]
    fields["rid"] = rid
    if start is not None:
        fields["t"] = int((_perf_counter() - start) * 1000)
    else:
        fields.pop("t", None)
    uid = loaded_user_id(request)
    if uid is not None:
        fields["uid"] = uid
    if log_querystring:
        # Unquoting never lengthens a string: cap the raw value first so a huge query
        # string costs no more work than a capped one.
        raw = meta.get("QUERY_STRING", "")[: 4 * MAX_QUERYSTRING]
        fields["querystring"] = unquote(raw)[:MAX_QUERYSTRING]


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
    if exception is not None and not isinstance(exception, CLIENT_ERRORS):
        level, errno, message = _ERROR, 500, str(exception)[:MAX_MESSAGE]
        exc_info = (type(exception), exception, exception.__traceback__)
    else:
        level, errno, message, exc_info = _INFO, 0, "", None
    if not logger.isEnabledFor(level):
        return
    record = _record_template(logger).make(level, message, exc_info)
    # Not makeRecord(extra=...): its per-key clash check costs more than building the
    # record, and these keys are fixed and never clash with a LogRecord attribute. The
    # record already has them (as None), so filling them in never grows its __dict__.
    write_summary_fields(record.__dict__, request, response, rid, start, errno, log_querystring)
    logger.handle(record)
