"""Checks: messages, runners and a registry (python-dockerflow's ``dockerflow.checks`` API)."""

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
from .registry import (
    ChecksResults,
    clear_checks,
    get_checks,
    register,
    register_partial,
    run_checks,
    run_checks_async,
)

__all__ = [
    "CRITICAL",
    "DEBUG",
    "ERROR",
    "INFO",
    "STATUSES",
    "WARNING",
    "CheckMessage",
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
]
