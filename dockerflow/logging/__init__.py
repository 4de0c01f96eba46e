"""Mozlog JSON logging and request ids: python-dockerflow's ``dockerflow.logging`` API."""

from __future__ import annotations

from dockerflow.logging.formatter import JsonLogFormatter, MozlogFormatter
from dockerflow.logging.handler import MozlogHandler
from dockerflow.logging.request_id import (
    RequestIdLogFilter,
    get_or_generate_request_id,
    request_id_context,
)

# python-dockerflow's path for it; not in __all__, as python-dockerflow has no __all__.
from dockerflow.logging.traceback import safer_format_traceback  # noqa: F401

__all__ = [
    "JsonLogFormatter",
    "MozlogFormatter",
    "MozlogHandler",
    "RequestIdLogFilter",
    "get_or_generate_request_id",
    "request_id_context",
]
