"""Request ids: the context variable, the log filter, validation and generation."""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Mapping
from contextvars import ContextVar

MAX_REQUEST_ID_LENGTH = 128
#: The request-id header python-dockerflow's :func:`get_or_generate_request_id` reads.
DEFAULT_HEADER_NAME = "X-Request-ID"

request_id_context: ContextVar[str | None] = ContextVar("request_id", default=None)

# An incoming id ends up in log lines and response headers: only accept characters that
# cannot break either (no whitespace, quotes, control characters or non-ASCII).
_VALID_REQUEST_ID = re.compile(rf"[A-Za-z0-9._:\-]{{1,{MAX_REQUEST_ID_LENGTH}}}")


def is_valid_request_id(value: object) -> bool:
    """True for a str of 1 to 128 characters from ``[A-Za-z0-9._:-]``."""
    return isinstance(value, str) and _VALID_REQUEST_ID.fullmatch(value) is not None


def generate_request_id() -> str:
    """A random UUID4 string (``8-4-4-4-12`` lowercase hex)."""
    return str(uuid.uuid4())


def get_or_generate_request_id(headers: Mapping[str, str], header_name: str | None = None) -> str:
    """The request id from ``headers[header_name]`` (default ``X-Request-ID``, looked up
    case-insensitively, in Django's ``request.headers`` or a plain dict) if it is valid,
    else a new one: python-dockerflow's helper, for code outside the middleware."""
    wanted = header_name or DEFAULT_HEADER_NAME
    value = headers.get(wanted)
    if value is None and isinstance(headers, dict):
        # A plain dict is case-sensitive, unlike Django's request.headers.
        wanted = wanted.lower()
        value = next(
            (v for k, v in headers.items() if isinstance(k, str) and k.lower() == wanted), None
        )
    return value if is_valid_request_id(value) else generate_request_id()  # type: ignore[return-value]


class RequestIdLogFilter(logging.Filter):
    """Sets ``record.rid`` to the current request id (``None`` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.rid = request_id_context.get()
        return True
