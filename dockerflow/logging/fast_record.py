"""Building hot-path ``LogRecord`` objects without running ``LogRecord.__init__``.

A ``request.summary`` record is made on every request, and ``LogRecord.__init__``
re-derives the same constants each time (file name, module, level name...). When
the project uses the stdlib record factory and ``Logger.makeRecord`` -- nearly
always -- :class:`RecordTemplate` builds a record with exactly the attributes, in
the same order and with the same values, that ``LogRecord.__init__`` of this Python
would set, from constants computed once plus the per-record time/thread/process
fields. Otherwise (a custom record factory or ``makeRecord``, or a Python whose
``LogRecord.__init__`` this module has not been checked against) it calls
``Logger.makeRecord`` like everyone else, so nothing a project installs is bypassed.
``tests/dockerflow/logging/test_fast_record.py`` compares both ways on each
supported Python.
"""

from __future__ import annotations

import contextlib
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

ExcInfo = tuple[type[BaseException], BaseException, "TracebackType | None"] | None


def fast_path_applies(logger: logging.Logger) -> bool:
    """True when a record built here is indistinguishable from ``logger.makeRecord``'s."""
    return SUPPORTED and _get_factory() is _LogRecord and type(logger).makeRecord is _make_record


class RecordTemplate:
    """Records of one logger, source file and function, made cheaply when allowed."""

    def __init__(self, logger: logging.Logger, pathname: str, func_name: str) -> None:
        self.logger = logger
        self.pathname = pathname
        self.func_name = func_name
        filename = os.path.basename(pathname)
        self._head = {"name": logger.name}
        self._where = {
            "pathname": pathname,
            "filename": filename,
            "module": os.path.splitext(filename)[0],
        }

    def make(self, level: int, msg: str, exc_info: ExcInfo = None) -> logging.LogRecord:
        """A record as ``logger.makeRecord(name, level, pathname, 0, msg, (), exc_info,
        func_name)`` would make it."""
        logger = self.logger
        if not fast_path_applies(logger):
            return logger.makeRecord(
                logger.name, level, self.pathname, 0, msg, (), exc_info, self.func_name
            )
        # The same statements, in the same order, as LogRecord.__init__: attribute
        # order is visible to formatters that walk record.__dict__.
        ct = _time_ns() if _NANOSECONDS else _time()
        record = _new_record(_LogRecord)
        state = record.__dict__
        state.update(self._head)
        state["msg"] = msg
        state["args"] = ()
        state["levelname"] = logging.getLevelName(level)
        state["levelno"] = level
        state.update(self._where)
        state["exc_info"] = exc_info
        state["exc_text"] = None
        state["stack_info"] = None
        state["lineno"] = 0
        state["funcName"] = self.func_name
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
        return record


def _process_name() -> str | None:
    if not logging.logMultiprocessing:
        return None
    name = "MainProcess"
    multiprocessing = sys.modules.get("multiprocessing")
    if multiprocessing is not None:
        # The stdlib tolerates multiprocessing being half-imported; so do we.
        with contextlib.suppress(Exception):
            name = multiprocessing.current_process().name
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
