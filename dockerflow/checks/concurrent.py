"""Run checks concurrently on long-lived check threads, each bounded by a timeout.

One idle daemon thread per check name keeps Django's per-thread database connections from
run to run (a thread per run opened a session per alias per probe, whatever
``CONN_MAX_AGE`` said). Not a ``ThreadPoolExecutor``: it joins its workers at exit and
lets hung checks take them all. A check that outlives the timeout has its thread retired
(it ends once the check returns); while ``max_stuck`` threads still run a check, it is
not started again.
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


class CheckThreads:
    """Daemon threads that run checks, at most one idle per check name. ``between_runs``
    runs in the thread around each check, ``on_exit`` when it ends (what they raise is logged)."""

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
        self._idle: dict[str, tuple[queue.SimpleQueue[_Job | None], threading.Thread]] = {}
        self._busy: Counter[str] = Counter()

    def retire_idle(self, wait: float = 0.0) -> None:
        """End every idle thread (each closes its connections first), waiting up to
        ``wait`` seconds for them to be done; busy ones stay."""
        with self._lock:
            idle = list(self._idle.values())
            self._idle.clear()
        for jobs, _ in idle:
            jobs.put(None)
        deadline = time.monotonic() + wait
        for _, thread in idle:
            thread.join(max(0.0, deadline - time.monotonic()))

    def _serve(self, jobs: queue.SimpleQueue[_Job | None], name: str) -> None:
        # A check thread: runs the jobs put on ``jobs`` until told to stop (None).
        try:
            while (job := jobs.get()) is not None:
                # Only the request id and the trace (when OpenTelemetry is in use) are
                # carried over, so what a check logs stays tied to the request that ran it.
                request_id_context.set(job.request_id)
                _run_hook(self.between_runs, "Preparing the connections", job.name)
                call = functools.partial(call_check, job.name, job.func)
                messages = call_in_trace_context(job.trace_context, call)
                _run_hook(self.between_runs, "Tidying the connections", job.name)
                with self._lock:
                    # With the busy count, under the lock: a run that starts as soon as
                    # this one returns never counts a finished check as stuck.
                    self._busy[job.name] -= 1
                    job.messages = messages
                    job.done.set()
                    if job.abandoned or job.name in self._idle:
                        break  # retired, or an idle thread is there already
                    self._idle[job.name] = (jobs, threading.current_thread())
        finally:
            _run_hook(self.on_exit, "Closing the connections", name)

    def _start(self, name: str, func: CheckFn) -> _Job | None:
        job = _Job(name, func)
        with self._lock:
            if self._busy[name] >= self.max_stuck:
                return None
            self._busy[name] += 1
            jobs, thread = self._idle.pop(name, (queue.SimpleQueue(), None))
        if thread is None or not thread.is_alive():  # first run, retired, or lost in a fork
            # A fresh context, not a copy of the caller's: Django keeps per-"thread" caches
            # in context variables (asgiref Local); a copy would share a request's caches
            # with a thread that outlives it.
            thread = threading.Thread(
                target=contextvars.Context().run,
                args=(self._serve, jobs, name),
                name=f"{THREAD_NAME_PREFIX} {name}",
                daemon=True,
            )
            try:
                thread.start()
            except Exception:  # e.g. "can't start new thread" when the process is out of them
                with self._lock:
                    self._busy[name] -= 1
                job.messages = raised(name)
                job.done.set()
                return job
        jobs.put(job)
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
        """Run ``checks`` at the same time and summarise them, within about ``timeout`` s: a
        check still running then is ``ERROR_CHECK_TIMED_OUT`` (its thread is retired), one
        not started (``max_stuck``) ``ERROR_CHECK_STUCK``."""
        deadline = time.monotonic() + timeout
        started = [(name, self._start(name, func)) for name, func in checks]
        outcomes = []
        for name, job in started:
            if job is None:
                why = f"was not started: {self.max_stuck} earlier run(s) still running"
                outcomes.append((name, [Error(f"Check {name} {why}", id=health.ERROR_CHECK_STUCK)]))
            elif self._wait(job, deadline):
                outcomes.append((name, job.messages))
            else:
                text = f"Check {name} did not answer within {timeout:g} seconds"
                outcomes.append((name, [Error(text, id=health.ERROR_CHECK_TIMED_OUT)]))
        return build_results(outcomes, silenced_check_ids)
