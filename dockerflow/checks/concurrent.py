"""Run checks concurrently, each bounded by a timeout, with a bound on hung threads.

Design: one daemon thread per check per run, not a module-level pool.

* A hung check's thread cannot be killed. A ``ThreadPoolExecutor``'s workers are
  joined at interpreter exit, so one check hung forever would block the process
  from shutting down; daemon threads do not.
* A pool would also let hung checks occupy every worker and starve healthy checks.
  Here the damage is bounded per check instead: at most ``max_stuck`` threads run
  the same check at once; while that many are still running, the check is not
  started again and is reported as stuck straight away.
* Starting a thread costs tens of microseconds, nothing next to a health check,
  and the heartbeat's single-flight keeps runs rare. In the normal path every
  thread ends as soon as its check returns: nothing lingers.
"""

from __future__ import annotations

import contextvars
import logging
import threading
import time
from collections.abc import Callable, Collection, Iterable
from typing import Any

from dockerflow import health
from dockerflow.logging.request_id import request_id_context

from .messages import Error
from .runner import Check, CheckFn, CheckResults, Outcome, build_results, call_check, raised

logger = logging.getLogger("dockerflow.checks")

#: Prefix of the worker threads' names.
THREAD_NAME_PREFIX = "dockerflow-check"

_lock = threading.Lock()
_running: dict[str, int] = {}  # check name -> threads running it right now


class _Slot:
    """Where a worker leaves its check's messages."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.messages: list[Any] = []


def running(name: str) -> int:
    """How many threads are running check ``name`` right now."""
    with _lock:
        return _running.get(name, 0)


def _release(name: str) -> None:
    with _lock:
        _running[name] -= 1
        if not _running[name]:
            del _running[name]


def _work(name: str, func: CheckFn, slot: _Slot, on_thread_exit: Callable[[], None] | None) -> None:
    messages = call_check(name, func)
    if on_thread_exit is not None:
        try:
            on_thread_exit()
        except Exception:
            logger.exception("Cleaning up after check %s failed", name)
    # Released before ``done`` is set, so a run that starts as soon as this one
    # returns never counts a finished check as stuck.
    _release(name)
    slot.messages = messages
    slot.done.set()


def _worker_context() -> contextvars.Context:
    # A fresh context, not a copy of the caller's: Django keeps per-"thread" cache
    # objects in context variables (asgiref Local), and a copy would share the
    # caller's caches with a thread that may outlive the call. Only the request id
    # is carried over, so what a check logs stays tied to the request.
    context = contextvars.Context()
    context.run(request_id_context.set, request_id_context.get())
    return context


def _start(
    name: str, func: CheckFn, max_stuck: int, on_thread_exit: Callable[[], None] | None
) -> _Slot | None:
    with _lock:
        if _running.get(name, 0) >= max_stuck:
            return None
        _running[name] = _running.get(name, 0) + 1
    slot = _Slot()
    thread = threading.Thread(
        target=_worker_context().run,
        args=(_work, name, func, slot, on_thread_exit),
        name=f"{THREAD_NAME_PREFIX} {name}",
        daemon=True,
    )
    try:
        thread.start()
    except Exception:  # e.g. "can't start new thread" when the process is out of them
        _release(name)
        slot.messages = raised(name)
        slot.done.set()
    return slot


def run_checks_concurrently(
    checks: Iterable[Check],
    *,
    timeout: float,
    max_stuck: int = 1,
    silenced_check_ids: Collection[str] = (),
    on_thread_exit: Callable[[], None] | None = None,
) -> CheckResults:
    """Run ``checks`` at the same time, one thread each, and summarise them.

    Returns within about ``timeout`` seconds whatever the checks do: a check that
    has not answered by then is reported as ``ERROR_CHECK_TIMED_OUT`` (its thread
    keeps running and counts as stuck until it ends). A check with ``max_stuck``
    threads still running is not started and is reported as ``ERROR_CHECK_STUCK``.
    ``on_thread_exit`` runs in each worker thread after its check (e.g. to close
    the thread's database connections).
    """
    deadline = time.monotonic() + timeout
    started = [(name, _start(name, func, max_stuck, on_thread_exit)) for name, func in checks]
    outcomes: list[Outcome] = []
    for name, slot in started:
        if slot is None:
            message = f"Check {name} was not started: {max_stuck} earlier run(s) still running"
            outcomes.append((name, [Error(message, id=health.ERROR_CHECK_STUCK)]))
        elif slot.done.wait(max(0.0, deadline - time.monotonic())):
            outcomes.append((name, slot.messages))
        else:
            message = f"Check {name} did not answer within {timeout:g} seconds"
            outcomes.append((name, [Error(message, id=health.ERROR_CHECK_TIMED_OUT)]))
    return build_results(outcomes, silenced_check_ids)
