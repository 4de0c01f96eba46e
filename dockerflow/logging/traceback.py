"""Tracebacks for log records that user-controlled exception messages cannot forge."""

from __future__ import annotations

import traceback
from types import TracebackType

from dockerflow.logging.encoding import safe_repr

_CAUSE = "\nThe above exception was the direct cause of the following exception:\n\n"
_CONTEXT = "\nDuring handling of the above exception, another exception occurred:\n\n"


def _block(exc_type: object, exc_value: object, tb: TracebackType | None) -> str:
    try:
        frames = "".join(traceback.format_tb(tb))
    except Exception as exc:
        frames = f"<traceback unavailable: {safe_repr(exc)}>\n"
    # repr() escapes newlines and quotes in the message, so it stays one value.
    return f"{frames}{safe_repr(exc_type)}\n{safe_repr(exc_value)}\n"


def safer_format_traceback(
    exc_type: type[BaseException] | None,
    exc_value: BaseException | None,
    tb: TracebackType | None,
) -> str:
    """Format an exception like ``traceback.format_exception``, chained ones first, but
    the exception type and value with ``repr()``: a crafted message cannot fake lines."""
    parts = [_block(exc_type, exc_value, tb)]
    seen, current = {id(exc_value)}, exc_value
    try:  # an exception whose attributes raise: the chain stops there
        while current is not None:
            if current.__cause__ is not None:
                current, separator = current.__cause__, _CAUSE
            elif current.__context__ is not None and not current.__suppress_context__:
                current, separator = current.__context__, _CONTEXT
            else:
                break
            if id(current) in seen:  # a cycle in the chain
                break
            seen.add(id(current))
            try:
                tb = current.__traceback__
            except Exception:
                tb = None
            parts += [separator, _block(type(current), current, tb)]
    except Exception:
        pass
    return "Uncaught exception:\n" + "".join(reversed(parts))
