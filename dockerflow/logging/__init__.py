"""Mozlog JSON logging and request ids (drop-in for python-dockerflow's ``dockerflow.logging``)."""

from __future__ import annotations

from dockerflow.logging.compat import get_or_generate_request_id
from dockerflow.logging.formatter import (
    LOGGING_FORMAT_VERSION,
    JsonLogFormatter,
    MozlogFormatter,
)
from dockerflow.logging.handler import MozlogHandler
from dockerflow.logging.request_id import (
    RequestIdLogFilter,
    generate_request_id,
    is_valid_request_id,
    request_id_context,
)
from dockerflow.logging.traceback import safer_format_traceback

__all__ = [
    "LOGGING_FORMAT_VERSION",
    "JsonLogFormatter",
    "MozlogFormatter",
    "MozlogHandler",
    "RequestIdLogFilter",
    "generate_request_id",
    "get_or_generate_request_id",
    "is_valid_request_id",
    "request_id_context",
    "safer_format_traceback",
]
