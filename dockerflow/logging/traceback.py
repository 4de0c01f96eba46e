"""Tracebacks for log records that user-controlled exception messages cannot forge."""

from __future__ import annotations

import traceback
from types import TracebackType

from dockerflow.logging.encoding import safe_repr

_CAUSE = "\nThe above exception was the direct cause of the following exception:\n\n"
_CONTEXT = "\nDuring handling of the above exception, another exception occurred:\n\n"


def _chain(exc_value: BaseException | None) -> list[tuple[BaseException, str]]:
    """The exceptions chained to ``exc_value``, oldest first, each with its separator."""
    chain: list[tuple[BaseException, str]] = []
    seen = {id(exc_value)}
    current = exc_value
    try:
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
            chain.append((current, separator))
    except Exception:
        pass  # an exception whose attributes raise: the chain stops there
    chain.reverse()
    return chain


def _traceback_of(exc: BaseException) -> TracebackType | None:
    try:
        return exc.__traceback__
    except Exception:
        return None


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
    """Format an exception like ``traceback.format_exception`` but with ``repr()`` values.

    The frames come from the code; the exception type and value are written with
    ``repr()``, so a crafted message cannot inject fake lines. Chained exceptions
    (``__cause__``, ``__context__``) are written first, as Python does.
    """
    parts = ["Uncaught exception:\n"]
    for earlier, separator in _chain(exc_value):
        parts.append(_block(type(earlier), earlier, _traceback_of(earlier)))
        parts.append(separator)
    parts.append(_block(exc_type, exc_value, tb))
    return "".join(parts)
