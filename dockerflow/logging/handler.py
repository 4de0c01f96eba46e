"""A stdout handler with the mozlog formatter built in."""

from __future__ import annotations

import logging
import sys
from typing import IO, Any

from dockerflow.logging.formatter import DEFAULT_LOGGER_NAME, MozlogFormatter

_MISSING = object()


class MozlogHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes mozlog JSON lines to ``stream`` (default: the current ``sys.stdout``).

    ``name`` is the mozlog ``Logger`` field. It also wins over the ``logger_name`` of a
    formatter set on this handler. It is kept apart from ``Handler.name``, which
    ``dictConfig``/``fileConfig`` set to the handler's key in the configuration.
    """

    def __init__(self, stream: IO[str] | None = None, name: str = DEFAULT_LOGGER_NAME) -> None:
        super().__init__(stream)
        # None: follow sys.stdout even after it is replaced (test capture, a server
        # reopening it), rather than keep writing to the object it was at startup.
        self._stream = stream
        self.logger_name = name
        self.setFormatter(MozlogFormatter(logger_name=name))

    @property  # type: ignore[override]
    def stream(self) -> IO[str]:
        return sys.stdout if self._stream is None else self._stream

    @stream.setter
    def stream(self, value: IO[str] | None) -> None:
        self._stream = value

    def format(self, record: logging.LogRecord) -> str:
        # convert_record() reads record.logger_name (as in python-dockerflow). Put the
        # previous value back afterwards so other handlers see the record unchanged.
        attrs: dict[str, Any] = record.__dict__
        previous = attrs.get("logger_name", _MISSING)
        attrs["logger_name"] = self.logger_name
        try:
            return super().format(record)
        finally:
            if previous is _MISSING:
                del attrs["logger_name"]
            else:
                attrs["logger_name"] = previous
