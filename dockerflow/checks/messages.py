"""Check messages and their levels, with python-dockerflow's names and signatures (the
runners take Django's ``django.core.checks`` messages as well)."""

from __future__ import annotations

from typing import Any

# The stdlib logging levels: the runner logs a message at its own level as it is.
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
    """Status text of ``level``, or of the known level below it: ``level_to_text(35) ==
    "warning"``, ``level_to_text(99) == "critical"``, below ``DEBUG``: ``"ok"``."""
    return next((STATUSES[known] for known in _DESCENDING_LEVELS if level >= known), "ok")


class CheckMessage:
    """What a check found: what is wrong (``msg``), how bad (``level``) and its ``id``.
    The subclasses (:class:`Debug`... :class:`Critical`) fix the level."""

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

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CheckMessage):
            return NotImplemented
        mine, theirs = ((m.level, m.msg, m.hint, m.obj, m.id) for m in (self, other))
        return type(self) is type(other) and mine == theirs

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
    """A message of a fixed level: ``Warning`` and below pass the heartbeat, ``Error`` and
    ``Critical`` fail it."""

    def __init__(
        self, msg: str, hint: str | None = None, obj: Any = None, id: str | None = None
    ) -> None:
        super().__init__(msg, hint=hint, obj=obj, id=id)


class Debug(_FixedLevel):
    level = DEBUG


class Info(_FixedLevel):
    level = INFO


class Warning(_FixedLevel):
    level = WARNING


class Error(_FixedLevel):
    level = ERROR


class Critical(_FixedLevel):
    level = CRITICAL
