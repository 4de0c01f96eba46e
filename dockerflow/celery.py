"""The request id carried into Celery tasks, one ``task.summary`` record per run, and the
worker logging through the project's ``LOGGING``: call :func:`install` once, in the
module that creates the Celery app (see docs/logging.rst, "Celery tasks"). Celery's
signals are process-wide: it covers every app, and a second call changes nothing.
"""

from __future__ import annotations

import logging
import logging.config
import time
from contextvars import Token
from typing import Any

from celery import signals
from celery.states import FAILURE

from dockerflow.logging import MozlogHandler, RequestIdLogFilter
from dockerflow.logging.request_id import (
    generate_request_id,
    is_valid_request_id,
    request_id_context,
)

__all__ = ["install"]

#: The message header that carries the request id from the sender to the worker.
HEADER = "dockerflow_request_id"
#: The logger of the per-run summary records.
SUMMARY_LOGGER_NAME = "task.summary"

_summary_logger = logging.getLogger(SUMMARY_LOGGER_NAME)
# Each run's context token to reset and start time, keyed by its request context: the
# object Celery pushes for one run, from before prerun until after postrun. Not by task
# id: two runs may share one (a thread pool running a re-sent or retried task).
_runs: dict[int, tuple[Token[str | None], float]] = {}


def _add_request_id(headers: dict[str, Any] | None = None, **kwargs: Any) -> None:
    if headers is None:  # protocol 1 messages have no headers to carry it
        return
    rid = request_id_context.get()
    headers.setdefault(HEADER, rid if rid is not None else generate_request_id())


def _start_run(task_id: str | None = None, task: Any = None, **kwargs: Any) -> None:
    if task_id is None or task is None:
        return
    request = task.request
    # A worker merges custom message headers into the request; an eager run
    # (Task.apply(headers=...)) keeps them in request.headers.
    rid, headers = request.get(HEADER), request.get("headers")
    if rid is None and isinstance(headers, dict):
        rid = headers.get(HEADER)
    if not is_valid_request_id(rid):
        # Eager runs (apply(), task_always_eager) happen in the caller's thread and
        # belong to its request. Otherwise: a producer without install(), or a forged
        # header -- the run gets an id of its own, never an unchecked value in logs.
        current = request_id_context.get()
        eager = bool(request.get("is_eager")) and current is not None
        rid = current if eager else generate_request_id()
    token = request_id_context.set(rid)
    _runs[id(request)] = (token, time.perf_counter())


def _end_run(
    task_id: str | None = None, task: Any = None, state: str | None = None, **kwargs: Any
) -> None:
    run = None if task_id is None or task is None else _runs.pop(id(task.request), None)
    if run is None:
        return
    token, start = run
    try:
        if _summary_logger.isEnabledFor(logging.INFO):
            fields = {
                "task": getattr(task, "name", None),
                "id": task_id,
                "rid": request_id_context.get(),
                "state": state,
                "t": int((time.perf_counter() - start) * 1000),
                "errno": 500 if state == FAILURE else 0,
            }
            # INFO even for a failure: Celery's own "raised unexpected" line is the
            # one ERROR record of the run (with the traceback and this rid).
            _summary_logger.info("", extra=fields)
    finally:
        try:  # noqa: SIM105 - contextlib.suppress hides which errors are expected
            request_id_context.reset(token)
        except ValueError:
            pass  # postrun ran in another context than prerun: nothing of ours is set


def configure_worker_logging(loglevel: Any = None, **kwargs: Any) -> None:
    """On Celery's ``setup_logging`` (so Celery leaves the root logger alone): Django's
    ``LOGGING`` once more when configured, else one MozlogHandler on the root logger."""
    from django.conf import settings  # Django is a dependency; its settings may be unused

    logging.captureWarnings(True)
    config = getattr(settings, "LOGGING", None) if settings.configured else None
    if isinstance(config, dict) and config:
        logging.config.dictConfig(config)
        return
    root = logging.getLogger()
    if not any(isinstance(handler, MozlogHandler) for handler in root.handlers):
        handler = MozlogHandler(name="celery")
        handler.addFilter(RequestIdLogFilter())
        root.addHandler(handler)
    if loglevel:
        root.setLevel(loglevel)


def install() -> None:
    """Connect the request-id propagation, ``task.summary`` and worker logging."""
    signals.before_task_publish.connect(_add_request_id, dispatch_uid=f"{__name__}.publish")
    signals.task_prerun.connect(_start_run, dispatch_uid=f"{__name__}.prerun")
    signals.task_postrun.connect(_end_run, dispatch_uid=f"{__name__}.postrun")
    # celeryd_init comes before Celery's own start-up warnings (e.g. running as root):
    # through logging, they are JSON lines like the rest.
    signals.celeryd_init.connect(configure_worker_logging, dispatch_uid=f"{__name__}.init")
    signals.setup_logging.connect(configure_worker_logging, dispatch_uid=f"{__name__}.logging")
