"""Checks: messages and runners (python-dockerflow's ``dockerflow.checks`` API).

The names kept only for python-dockerflow compatibility live in :mod:`.compat`.
"""

from __future__ import annotations

from .compat import ChecksResults, clear_checks, get_checks, register, register_partial
from .concurrent import CheckThreads, run_checks_concurrently
from .messages import (
    CRITICAL,
    DEBUG,
    ERROR,
    INFO,
    STATUSES,
    WARNING,
    CheckMessage,
    Critical,
    Debug,
    Error,
    Info,
    Warning,
    level_to_text,
)
from .runner import CheckResults, run_checks, run_checks_async

__all__ = [
    "CRITICAL",
    "DEBUG",
    "ERROR",
    "INFO",
    "STATUSES",
    "WARNING",
    "CheckMessage",
    "CheckResults",
    "CheckThreads",
    "ChecksResults",
    "Critical",
    "Debug",
    "Error",
    "Info",
    "Warning",
    "clear_checks",
    "get_checks",
    "level_to_text",
    "register",
    "register_partial",
    "run_checks",
    "run_checks_async",
    "run_checks_concurrently",
]
