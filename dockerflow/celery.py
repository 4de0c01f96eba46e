"""The request id in Celery tasks, and one ``task.summary`` record per task run.

One call, in the module that creates the Celery app (for example ``proj/celery.py``)::

    import dockerflow.celery

    dockerflow.celery.install()

Then:

* a task sent while a request id is set (inside a request, or inside another task)
  carries that id in its message headers; a task sent from anywhere else gets a
  fresh id, so every run has one;
* the worker sets :data:`~dockerflow.logging.request_id_context` for the run and
  resets it afterwards, so every line logged during the run -- the task's own and
  Celery's ``celery.app.trace`` lines ("succeeded in", "raised unexpected") --
  carries that ``rid``;
* each run ends with one ``task.summary`` record: ``task``, ``id``, ``rid``,
  ``state``, ``t`` (ms) and ``errno`` (500 when the task raised, else 0);
* the worker logs through the project's logging configuration (Django's
  ``LOGGING`` when Celery runs inside a Django project) instead of Celery's own
  text format, and Python warnings go through logging too.

Celery's signals are process-wide: ``install()`` covers every app in the process
and calling it twice changes nothing.
"""

from __future__ import annotations

import logging
import logging.config
import threading
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
_runs_lock = threading.Lock()


def _add_request_id(headers: dict[str, Any] | None = None, **kwargs: Any) -> None:
    if headers is None:  # protocol 1 messages have no headers to carry it
        return
    rid = request_id_context.get()
    headers.setdefault(HEADER, rid if rid is not None else generate_request_id())


def _start_run(task_id: str | None = None, task: Any = None, **kwargs: Any) -> None:
    if task_id is None or task is None:
        return
    request = task.request
    rid = _sent_request_id(request)
    if not is_valid_request_id(rid):
        # Eager runs (apply(), task_always_eager) happen in the caller's thread and
        # belong to its request. Otherwise: a producer without install(), or a forged
        # header -- the run gets an id of its own, never an unchecked value in logs.
        current = request_id_context.get()
        eager = bool(request.get("is_eager")) and current is not None
        rid = current if eager else generate_request_id()
    token = request_id_context.set(rid)
    with _runs_lock:
        _runs[id(request)] = (token, time.perf_counter())


def _sent_request_id(request: Any) -> object:
    # A worker merges custom message headers into the request; an eager run
    # (Task.apply(headers=...)) keeps them in request.headers.
    rid = request.get(HEADER)
    if rid is None:
        headers = request.get("headers")
        if isinstance(headers, dict):
            rid = headers.get(HEADER)
    return rid


def _end_run(
    task_id: str | None = None, task: Any = None, state: str | None = None, **kwargs: Any
) -> None:
    if task_id is None or task is None:
        return
    with _runs_lock:
        run = _runs.pop(id(task.request), None)
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
    """Log the worker through the project's logging configuration (mozlog JSON).

    Connected to Celery's ``setup_logging`` signal, which makes Celery leave the
    root logger alone. With Django configured, its ``LOGGING`` is applied (Django
    applies it at setup; applying it again is harmless); without Django, the root
    logger gets one :class:`~dockerflow.logging.MozlogHandler` on stdout.
    """
    logging.captureWarnings(True)
    config = _django_logging()
    if config is not None:
        logging.config.dictConfig(config)
        return
    root = logging.getLogger()
    if not any(isinstance(handler, MozlogHandler) for handler in root.handlers):
        handler = MozlogHandler(name="celery")
        handler.addFilter(RequestIdLogFilter())
        root.addHandler(handler)
    if loglevel:
        root.setLevel(loglevel)


def _django_logging() -> dict[str, Any] | None:
    try:
        from django.conf import settings
    except ImportError:  # pragma: no cover - Django is a dependency of this package
        return None
    if not settings.configured:
        return None
    config = getattr(settings, "LOGGING", None)
    return config if isinstance(config, dict) and config else None


def _early_warnings(**kwargs: Any) -> None:
    # celeryd_init comes before Celery's own start-up warnings (e.g. running as
    # root): route them through logging so they are JSON lines like the rest.
    configure_worker_logging()


def install() -> None:
    """Connect the request-id propagation, ``task.summary`` and worker logging."""
    signals.before_task_publish.connect(_add_request_id, dispatch_uid=f"{__name__}.publish")
    signals.task_prerun.connect(_start_run, dispatch_uid=f"{__name__}.prerun")
    signals.task_postrun.connect(_end_run, dispatch_uid=f"{__name__}.postrun")
    signals.celeryd_init.connect(_early_warnings, dispatch_uid=f"{__name__}.init")
    signals.setup_logging.connect(configure_worker_logging, dispatch_uid=f"{__name__}.logging")
