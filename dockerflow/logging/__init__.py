"""Mozlog JSON logging and request ids (drop-in for python-dockerflow's ``dockerflow.logging``).

``__all__`` is python-dockerflow's public API; the rest lives in the submodules
(``request_id``, ``encoding``, ``bound``, ``traceback``, ``tracing``).
"""

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
