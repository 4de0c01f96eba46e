"""Building hot-path ``LogRecord`` objects without running ``LogRecord.__init__``.

A ``request.summary`` record is made on every request, and ``LogRecord.__init__``
re-derives the same constants each time (file name, module, level name...). When
the project uses the stdlib record factory and ``Logger.makeRecord`` -- nearly
always -- :class:`RecordTemplate` makes one real record per level with
``LogRecord.__init__`` itself, keeps its ``__dict__`` as a prototype, and gives each
new record a copy of it with the per-record fields (message, time, thread, process,
task) set as this Python's ``LogRecord.__init__`` sets them: the same attributes in
the same order with the same values. Otherwise (a custom record factory or
``makeRecord``, or a Python whose ``LogRecord.__init__`` this module has not been
checked against) it calls ``Logger.makeRecord`` like everyone else, so nothing a
project installs is bypassed. ``tests/dockerflow/logging/test_fast_record.py``
compares both ways on each supported Python.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from types import TracebackType
from typing import Any

#: Pythons whose ``LogRecord.__init__`` this module reproduces (3.13 changed the time
#: fields to nanoseconds; 3.12 added ``taskName``).
SUPPORTED = (3, 10) <= sys.version_info[:2] <= (3, 13)
_NANOSECONDS = sys.version_info >= (3, 13)
_TASK_NAME = sys.version_info >= (3, 12)

_LogRecord = logging.LogRecord
_new_record = object.__new__
_make_record = logging.Logger.makeRecord
_get_factory = logging.getLogRecordFactory
_current_thread = threading.current_thread
_get_ident = threading.get_ident
_getpid = os.getpid
_time = time.time
_time_ns = time.time_ns
_level_to_name = logging._levelToName  # type: ignore[attr-defined]

ExcInfo = tuple[type[BaseException], BaseException, "TracebackType | None"] | None


def fast_path_applies(logger: logging.Logger) -> bool:
    """True when a record built here is indistinguishable from ``logger.makeRecord``'s."""
    return SUPPORTED and _get_factory() is _LogRecord and type(logger).makeRecord is _make_record


class RecordTemplate:
    """Records of one logger, source file and function, made cheaply when allowed.

    ``extra_keys`` are attributes every record gets (set to ``None``) right after the
    standard ones, for the caller to fill in: a record made with its final set of keys
    never has to grow its ``__dict__``.
    """

    def __init__(
        self,
        logger: logging.Logger,
        pathname: str,
        func_name: str,
        extra_keys: tuple[str, ...] = (),
    ) -> None:
        self.logger = logger
        self.pathname = pathname
        self.func_name = func_name
        self.extra_keys = extra_keys
        self._placeholders = dict.fromkeys(extra_keys)
        # level -> (the level's registered name, the __dict__ LogRecord.__init__ gives
        # a record of that level here, placeholders appended); each record starts as a
        # copy of that dict.
        self._prototypes: dict[int, tuple[str | None, dict[str, Any]]] = {}

    def _prototype(self, level: int) -> dict[str, Any]:
        record = _LogRecord(self.logger.name, level, self.pathname, 0, "", (), None, self.func_name)
        prototype = {**record.__dict__, **self._placeholders}
        self._prototypes[level] = (_level_to_name.get(level), prototype)
        return prototype

    def make(self, level: int, msg: str, exc_info: ExcInfo = None) -> logging.LogRecord:
        """A record as ``logger.makeRecord(name, level, pathname, 0, msg, (), exc_info,
        func_name)`` would make it, plus the ``extra_keys``."""
        logger = self.logger
        if not fast_path_applies(logger):
            record = logger.makeRecord(
                logger.name, level, self.pathname, 0, msg, (), exc_info, self.func_name
            )
            record.__dict__.update(self._placeholders)
            return record
        entry = self._prototypes.get(level)
        if (
            entry is None
            or entry[0] != _level_to_name.get(level)
            or entry[1]["name"] != logger.name
        ):
            # First record of this level, or addLevelName() or a renamed logger since.
            prototype = self._prototype(level)
        else:
            prototype = entry[1]
        ct = _time_ns() if _NANOSECONDS else _time()
        # A copy keeps LogRecord.__init__'s attribute order, which formatters walking
        # record.__dict__ can see; only the per-record values are set below.
        state = prototype.copy()
        state["msg"] = msg
        state["exc_info"] = exc_info
        if _NANOSECONDS:
            created = ct / 1e9
            msecs = (ct % 1_000_000_000) // 1_000_000 + 0.0
            if msecs == 999.0 and int(created) != ct // 1_000_000_000:
                msecs = 0.0  # the stdlib's own rounding fix (gh-102402)
            state["created"] = created
            state["msecs"] = msecs
            state["relativeCreated"] = (ct - logging._startTime) / 1e6  # type: ignore[attr-defined]
        else:
            state["created"] = ct
            state["msecs"] = int((ct - int(ct)) * 1000) + 0.0
            state["relativeCreated"] = (ct - logging._startTime) * 1000  # type: ignore[attr-defined]
        if logging.logThreads:
            state["thread"] = _get_ident()
            state["threadName"] = _current_thread().name
        else:
            state["thread"] = None
            state["threadName"] = None
        state["processName"] = _process_name()
        state["process"] = _getpid() if logging.logProcesses else None
        if _TASK_NAME:
            state["taskName"] = _task_name()
        record = _new_record(_LogRecord)
        record.__dict__ = state
        return record


def _process_name() -> str | None:
    if not logging.logMultiprocessing:
        return None
    name = "MainProcess"
    multiprocessing = sys.modules.get("multiprocessing")
    if multiprocessing is not None:
        # The stdlib tolerates multiprocessing being half-imported; so do we. (Not
        # contextlib.suppress: on this path its setup costs more than the lookup.)
        try:  # noqa: SIM105
            name = multiprocessing.current_process().name
        except Exception:
            pass
    return name


def _task_name() -> Any:
    if not getattr(logging, "logAsyncioTasks", False):
        return None
    asyncio = sys.modules.get("asyncio")
    if asyncio is None:
        return None
    try:
        return asyncio.current_task().get_name()
    except Exception:  # no running loop or task, as in the stdlib
        return None
