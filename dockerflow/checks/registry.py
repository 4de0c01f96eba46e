"""python-dockerflow's module path for its check registry; see :mod:`dockerflow.checks.compat`."""

from __future__ import annotations

from .compat import ChecksResults, clear_checks, get_checks, register, register_partial
from .runner import run_checks, run_checks_async

__all__ = [
    "ChecksResults",
    "clear_checks",
    "get_checks",
    "register",
    "register_partial",
    "run_checks",
    "run_checks_async",
]
