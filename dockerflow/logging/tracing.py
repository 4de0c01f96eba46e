"""OpenTelemetry trace and span ids for log lines. Looked up in ``sys.modules``, never
imported: a span can only be active once the project imported ``opentelemetry.trace``."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

_TRACE_MODULE = "opentelemetry.trace"
_CONTEXT_MODULE = "opentelemetry.context"


def current_trace_ids() -> tuple[str, str] | None:
    """``(trace_id, span_id)`` of the active span as 32 and 16 lowercase hex digits, or None."""
    trace = sys.modules.get(_TRACE_MODULE)
    if trace is None:
        return None
    try:
        context = trace.get_current_span().get_span_context()
        if not context.is_valid:
            return None
        return format(context.trace_id, "032x"), format(context.span_id, "016x")
    except Exception:
        # A broken or half-initialised SDK must never cost a log record.
        return None


def capture_trace_context() -> Any:
    """The caller's OpenTelemetry context, to carry into another thread (None if unused)."""
    context = sys.modules.get(_CONTEXT_MODULE)
    return None if context is None else context.get_current()


def call_in_trace_context(captured: Any, func: Callable[[], Any]) -> Any:
    """``func()`` with ``captured`` (from :func:`capture_trace_context`) as the active
    OpenTelemetry context, so what it logs carries the caller's trace and span ids."""
    context = sys.modules.get(_CONTEXT_MODULE)
    if captured is None or context is None:
        return func()
    token = context.attach(captured)
    try:
        return func()
    finally:
        context.detach(token)
