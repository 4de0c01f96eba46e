"""Run checks concurrently on long-lived check threads, each bounded by a timeout.

:class:`CheckThreads` keeps one idle daemon thread per check name and hands each run of
that check to it, so what the check keeps per thread survives from run to run:

* Django keeps database connections per thread. A fresh thread per run opened a new
  session for every alias on every probe (100 probes, about 200 sessions), whatever
  ``CONN_MAX_AGE`` said. On a thread that stays, a connection lives as ``CONN_MAX_AGE``
  and ``CONN_HEALTH_CHECKS`` allow, as in a request thread: the owner's ``between_runs``
  hook runs before and after every check (Django's ``close_if_unusable_or_obsolete()``).
* Not a ``ThreadPoolExecutor``: a hung check's thread cannot be killed, the stdlib pool
  joins its workers at exit (one check hung forever would block shutdown) and lets hung
  checks take every worker. These are daemon threads, and a hang costs a bounded number
  of them: a thread whose check outlives the timeout is *retired* (reported as timed
  out; the next run gets a new thread) and ends, running ``on_exit`` to close its
  connections, once the check returns. While ``max_stuck`` threads still run a check,
  it is not started again and is reported as stuck at once.
* Nothing grows per run: a check has at most one idle thread, and :meth:`retire_idle`
  ends them (the heartbeat calls it when settings change).
"""

from __future__ import annotations

import contextvars
import functools
import queue
import threading
import time
from collections import Counter
from collections.abc import Callable, Collection, Iterable
from typing import Any

from dockerflow import health
from dockerflow.logging.request_id import request_id_context
from dockerflow.logging.tracing import call_in_trace_context, capture_trace_context

from .messages import Error
from .registry import Check, CheckFn, CheckResults, build_results, call_check, logger, raised

#: Prefix of the check threads' names.
THREAD_NAME_PREFIX = "dockerflow-check"


class _Job:
    """One run of one check, and where its thread leaves the messages."""

    def __init__(self, name: str, func: CheckFn) -> None:
        self.name = name
        self.func = func
        self.request_id = request_id_context.get()
        self.trace_context = capture_trace_context()
        self.done = threading.Event()
        self.messages: list[Any] = []
        self.abandoned = False  # the run stopped waiting: the thread is retired after it


def _run_hook(hook: Callable[[], None] | None, what: str, name: str) -> None:
    try:
        if hook is not None:
            hook()
    except Exception:
        logger.exception("%s for check %s failed", what, name)


class _CheckThread:
    """A daemon thread that runs the jobs put on its queue until told to stop (``None``)."""

    def __init__(self, owner: CheckThreads, name: str) -> None:
        self.owner = owner
        self.jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        # A fresh context, not a copy of the creator's: Django keeps per-"thread" cache
        # objects in context variables (asgiref Local), and a copy would share one
        # request's caches with a thread that outlives it.
        self.thread = threading.Thread(
            target=contextvars.Context().run,
            args=(self._loop, name),
            name=f"{THREAD_NAME_PREFIX} {name}",
            daemon=True,
        )

    def _loop(self, name: str) -> None:
        try:
            while (job := self.jobs.get()) is not None:
                # Only the request id and the trace (when OpenTelemetry is in use) are
                # carried over, so what a check logs stays tied to the request that ran it.
                request_id_context.set(job.request_id)
                _run_hook(self.owner.between_runs, "Preparing the connections", job.name)
                messages = call_in_trace_context(
                    job.trace_context, functools.partial(call_check, job.name, job.func)
                )
                _run_hook(self.owner.between_runs, "Tidying the connections", job.name)
                if not self.owner._finished(self, job, messages):
                    break
        finally:
            _run_hook(self.owner.on_exit, "Closing the connections", name)


class CheckThreads:
    """Long-lived daemon threads that run checks, at most one idle thread per check name.

    ``between_runs`` runs in the check thread before and after every check; ``on_exit``
    runs in it when the thread ends (retired after a timeout, or idle and retired by
    :meth:`retire_idle`). Exceptions from both are logged. A check with ``max_stuck``
    threads still running from earlier runs is not started again.
    """

    def __init__(
        self,
        *,
        between_runs: Callable[[], None] | None = None,
        on_exit: Callable[[], None] | None = None,
        max_stuck: int = 1,
    ) -> None:
        self.between_runs = between_runs
        self.on_exit = on_exit
        self.max_stuck = max_stuck
        self._lock = threading.Lock()
        self._idle: dict[str, _CheckThread] = {}
        self._busy: Counter[str] = Counter()

    def retire_idle(self) -> None:
        """End every idle thread (each closes its connections first); busy ones stay."""
        with self._lock:
            idle = list(self._idle.values())
            self._idle.clear()
        for worker in idle:
            worker.jobs.put(None)

    def _finished(self, worker: _CheckThread, job: _Job, messages: list[Any]) -> bool:
        """Hand ``messages`` to the run; whether ``worker`` stays for the next run."""
        with self._lock:
            # Under the lock, with the busy count: a run that starts as soon as this
            # one returns never counts a finished check as stuck.
            self._busy[job.name] -= 1
            job.messages = messages
            job.done.set()
            if job.abandoned or job.name in self._idle:
                return False
            self._idle[job.name] = worker
            return True

    def _start(self, name: str, func: CheckFn) -> _Job | None:
        job = _Job(name, func)
        with self._lock:
            if self._busy[name] >= self.max_stuck:
                return None
            self._busy[name] += 1
            worker = self._idle.pop(name, None)
        if worker is None or not worker.thread.is_alive():
            # No idle thread (first run, retired, or lost in a fork): a new one.
            worker = _CheckThread(self, name)
            try:
                worker.thread.start()
            except Exception:  # e.g. "can't start new thread" when the process is out of them
                with self._lock:
                    self._busy[name] -= 1
                job.messages = raised(name)
                job.done.set()
                return job
        worker.jobs.put(job)
        return job

    def _wait(self, job: _Job, deadline: float) -> bool:
        """Whether ``job`` answered by ``deadline``; if not, its thread is retired."""
        if job.done.wait(max(0.0, deadline - time.monotonic())):
            return True
        with self._lock:
            job.abandoned = not job.done.is_set()  # it may have answered in the meantime
            return not job.abandoned

    def run(
        self, checks: Iterable[Check], *, timeout: float, silenced_check_ids: Collection[str] = ()
    ) -> CheckResults:
        """Run ``checks`` at the same time and summarise them, within about ``timeout`` s.

        A check that has not answered by then is reported as ``ERROR_CHECK_TIMED_OUT``
        (its thread is retired: it keeps running and counts as stuck until the check
        returns); one that was not started (``max_stuck``) as ``ERROR_CHECK_STUCK``.
        """
        deadline = time.monotonic() + timeout
        started = [(name, self._start(name, func)) for name, func in checks]
        outcomes = []
        for name, job in started:
            if job is None:
                text = (
                    f"Check {name} was not started: {self.max_stuck} earlier run(s) still running"
                )
                outcomes.append((name, [Error(text, id=health.ERROR_CHECK_STUCK)]))
            elif self._wait(job, deadline):
                outcomes.append((name, job.messages))
            else:
                text = f"Check {name} did not answer within {timeout:g} seconds"
                outcomes.append((name, [Error(text, id=health.ERROR_CHECK_TIMED_OUT)]))
        return build_results(outcomes, silenced_check_ids)
