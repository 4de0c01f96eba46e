"""Check messages and their levels.

The names and constructor signatures are python-dockerflow's, so existing checks
keep working. The runner accepts these *or* Django's ``django.core.checks``
messages: anything with ``level``, ``msg`` and ``id`` attributes.
"""

from __future__ import annotations

from typing import Any

# Levels are the stdlib logging levels, which is what lets the runner log a
# message at its own level without a translation table.
DEBUG = 10
INFO = 20
WARNING = 30
ERROR = 40
CRITICAL = 50

#: Status text of each level (0 means "no message at all").
STATUSES: dict[int, str] = {
    0: "ok",
    DEBUG: "debug",
    INFO: "info",
    WARNING: "warning",
    ERROR: "error",
    CRITICAL: "critical",
}

_DESCENDING_LEVELS = sorted(STATUSES, reverse=True)


def level_to_text(level: int) -> str:
    """Status text of ``level``; a level between two known ones gets the lower one's text.

    ``level_to_text(35) == "warning"``, ``level_to_text(99) == "critical"``, and
    anything below ``DEBUG`` is ``"ok"``.
    """
    for known in _DESCENDING_LEVELS:
        if level >= known:
            return STATUSES[known]
    return STATUSES[0]


class CheckMessage:
    """The result of a check: what is wrong (``msg``), how bad (``level``) and its ``id``.

    Prefer the subclasses :class:`Debug`, :class:`Info`, :class:`Warning`,
    :class:`Error` and :class:`Critical`, which fix the level.
    """

    level: int

    def __init__(
        self,
        msg: str,
        level: int | None = None,
        hint: str | None = None,
        obj: Any = None,
        id: str | None = None,
    ) -> None:
        self.msg = msg
        if level is not None:
            self.level = int(level)
        self.hint = hint
        self.obj = obj
        self.id = id

    def _fields(self) -> tuple[Any, ...]:
        return (self.level, self.msg, self.hint, self.obj, self.id)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CheckMessage):
            return NotImplemented
        return type(self) is type(other) and self._fields() == other._fields()

    __hash__ = None  # type: ignore[assignment]  # mutable, like Django's CheckMessage

    def __str__(self) -> str:
        obj = "?" if self.obj is None else self.obj
        ident = f"({self.id}) " if self.id else ""
        hint = f"\n\tHINT: {self.hint}" if self.hint else ""
        return f"{obj}: {ident}{self.msg}{hint}"

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__}: level={self.level!r}, msg={self.msg!r}, "
            f"hint={self.hint!r}, obj={self.obj!r}, id={self.id!r}>"
        )

    def is_serious(self, level: int = ERROR) -> bool:
        """Whether this message is at ``level`` (default ``ERROR``) or above."""
        return self.level >= level


class _FixedLevel(CheckMessage):
    def __init__(
        self,
        msg: str,
        hint: str | None = None,
        obj: Any = None,
        id: str | None = None,
    ) -> None:
        super().__init__(msg, hint=hint, obj=obj, id=id)


class Debug(_FixedLevel):
    """A debugging message (level ``DEBUG``)."""

    level = DEBUG


class Info(_FixedLevel):
    """An informational message (level ``INFO``)."""

    level = INFO


class Warning(_FixedLevel):
    """A warning (level ``WARNING``): the heartbeat still passes."""

    level = WARNING


class Error(_FixedLevel):
    """An error (level ``ERROR``): the heartbeat fails."""

    level = ERROR


class Critical(_FixedLevel):
    """A critical error (level ``CRITICAL``): the heartbeat fails."""

    level = CRITICAL
