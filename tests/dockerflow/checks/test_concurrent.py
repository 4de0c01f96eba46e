from __future__ import annotations

import contextvars
import logging
import subprocess
import sys
import threading
import time

import pytest
from django.core.cache import caches

from dockerflow import health
from dockerflow.checks import Error
from dockerflow.checks import concurrent as concurrent_module
from dockerflow.checks.concurrent import CheckThreads
from dockerflow.logging.request_id import request_id_context

from .helpers import Counter, Gate, check_threads, join_check_threads

HUNG_THREAD = "dockerflow-check hung"


@pytest.fixture
def threads():
    threads = CheckThreads()
    yield threads
    join_check_threads(threads)


@pytest.fixture
def gate(threads):
    gate = Gate()
    yield gate
    gate.release()
    join_check_threads(threads)


def names_of_check_threads():
    return [thread.name for thread in check_threads()]


def test_results_of_checks_that_answer(threads):
    results = threads.run([("ok", Counter()), ("bad", Counter([Error("x", id="x.E1")]))], timeout=2)
    assert results.statuses == {"ok": "ok", "bad": "error"}
    assert results.details["bad"]["messages"] == {"x.E1": "x"}


def test_checks_run_at_the_same_time(threads):
    def slow():
        time.sleep(0.3)
        return []

    started = time.monotonic()
    results = threads.run([("a", slow), ("b", slow), ("c", slow)], timeout=2)
    assert time.monotonic() - started < 0.75
    assert results.level == 0


def test_a_check_that_does_not_answer_in_time_is_an_error_naming_it(threads, gate):
    started = time.monotonic()
    results = threads.run([("hung", gate), ("ok", Counter())], timeout=0.3)
    elapsed = time.monotonic() - started
    assert 0.29 <= elapsed < 0.8
    assert results.statuses == {"hung": "error", "ok": "ok"}
    [(ident, message)] = results.details["hung"]["messages"].items()
    assert ident == health.ERROR_CHECK_TIMED_OUT
    assert message == "Check hung did not answer within 0.3 seconds"
    # Its thread cannot be killed: it keeps running.
    assert names_of_check_threads().count(HUNG_THREAD) == 1


def test_a_stuck_check_is_not_started_again_until_its_thread_ends(threads, gate):
    first = threads.run([("hung", gate)], timeout=0.2)
    assert list(first.details["hung"]["messages"]) == [health.ERROR_CHECK_TIMED_OUT]

    started = time.monotonic()
    second = threads.run([("hung", gate)], timeout=0.2)
    assert time.monotonic() - started < 0.15  # reported at once, not waited for
    assert second.details["hung"]["messages"] == {
        health.ERROR_CHECK_STUCK: "Check hung was not started: 1 earlier run(s) still running"
    }
    assert gate.calls == 1
    assert len(check_threads()) == 1

    gate.release()
    join_check_threads(threads)
    third = threads.run([("hung", gate)], timeout=2)
    assert third.level == 0
    assert gate.calls == 2


def test_max_stuck_bounds_the_threads_per_check(gate):
    threads = CheckThreads(max_stuck=2)
    for _ in range(2):
        results = threads.run([("hung", gate)], timeout=0.1)
        assert list(results.details["hung"]["messages"]) == [health.ERROR_CHECK_TIMED_OUT]
    results = threads.run([("hung", gate)], timeout=0.1)
    assert results.details["hung"]["messages"] == {
        health.ERROR_CHECK_STUCK: "Check hung was not started: 2 earlier run(s) still running"
    }
    assert gate.calls == 2
    assert names_of_check_threads().count(HUNG_THREAD) == 2


def test_a_timed_out_message_can_be_silenced(threads, gate):
    results = threads.run(
        [("hung", gate)], timeout=0.1, silenced_check_ids={health.ERROR_CHECK_TIMED_OUT}
    )
    assert (results.level, results.statuses) == (0, {"hung": "ok"})


def test_hooks_run_in_the_check_thread_around_each_run_and_at_its_end():
    events = []

    def check():
        events.append(("check", threading.current_thread()))
        return []

    threads = CheckThreads(
        between_runs=lambda: events.append(("between", threading.current_thread())),
        on_exit=lambda: events.append(("exit", threading.current_thread())),
    )
    for _ in range(2):
        assert threads.run([("c", check)], timeout=2).level == 0
    threads.retire_idle()
    join_check_threads()
    assert [name for name, _ in events] == ["between", "check", "between"] * 2 + ["exit"]
    [thread] = {thread for _, thread in events}  # one long-lived thread did it all
    assert thread is not threading.current_thread()
    assert thread.daemon


def test_a_check_keeps_its_thread_from_run_to_run_and_nothing_piles_up(threads):
    seen = []

    def check():
        seen.append(threading.current_thread())
        return []

    before = len(check_threads())
    for _ in range(20):
        threads.run([("c", check), ("d", Counter())], timeout=2)
    assert len(set(seen)) == 1
    assert len(check_threads()) == before + 2  # one idle thread per check


def test_a_timed_out_thread_is_retired_and_runs_its_exit_hook_when_the_check_returns(gate):
    exited = threading.Event()
    threads = CheckThreads(on_exit=exited.set)
    first = threads.run([("hung", gate)], timeout=0.1)
    assert list(first.details["hung"]["messages"]) == [health.ERROR_CHECK_TIMED_OUT]
    [hung_thread] = check_threads()
    gate.release()
    assert exited.wait(5)  # retired: it ends (closing its connections) once the check returns
    hung_thread.join(5)
    assert not hung_thread.is_alive()
    second = threads.run([("hung", gate)], timeout=2)  # a new thread, not "stuck"
    assert second.level == 0
    assert gate.calls == 2
    threads.retire_idle()


def test_an_extra_idle_thread_left_by_concurrent_runs_ends(gate):
    threads = CheckThreads(max_stuck=2)
    callers = [
        threading.Thread(target=threads.run, args=([("hung", gate)],), kwargs={"timeout": 5})
        for _ in range(2)
    ]
    for caller in callers:
        caller.start()
    assert gate.started.wait(2)
    time.sleep(0.1)
    gate.release()
    for caller in callers:
        caller.join(5)
    assert gate.calls == 2  # two runs at once: two threads
    time.sleep(0.1)
    assert len(check_threads()) == 1  # only one stays idle for the next run
    threads.retire_idle()


def test_failing_hooks_are_logged_and_do_not_lose_the_result(caplog):
    def hook():
        raise OSError("close failed")

    threads = CheckThreads(between_runs=hook, on_exit=hook)
    results = threads.run([("c", Counter([Error("x", id="x.E1")]))], timeout=2)
    threads.retire_idle()
    join_check_threads()
    assert results.details["c"]["messages"] == {"x.E1": "x"}
    records = [r for r in caplog.records if r.name == "dockerflow.checks"]
    assert [r.getMessage() for r in records] == [
        "Preparing the connections for check c failed",
        "Tidying the connections for check c failed",
        "Closing the connections for check c failed",
    ]
    assert all(r.levelno == logging.ERROR and r.exc_info[0] is OSError for r in records)
    # Not counted as still running: the next run starts the check again.
    again = threads.run([("c", Counter([Error("x", id="x.E1")]))], timeout=2)
    assert again.details["c"]["messages"] == {"x.E1": "x"}
    threads.retire_idle()
    join_check_threads()


def test_a_thread_that_cannot_start_is_an_error(monkeypatch, caplog):
    def refuse(self):
        raise RuntimeError("can't start new thread")

    monkeypatch.setattr(threading.Thread, "start", refuse)
    threads = CheckThreads()
    for _ in range(2):  # the failed start is not counted as a check still running
        results = threads.run([("c", Counter())], timeout=2)
        assert list(results.details["c"]["messages"]) == [health.ERROR_CHECK_RAISED]
    assert any("RuntimeError: can't start new thread" in r.getMessage() for r in caplog.records)


def test_checks_get_the_callers_request_id_but_not_its_other_context_or_caches(threads):
    other = contextvars.ContextVar("other", default="unset")
    seen = []

    def check():
        seen.append((request_id_context.get(), other.get(), caches["default"]))
        return []

    tokens = (request_id_context.set("req-123"), other.set("caller's"))
    try:
        threads.run([("c", check)], timeout=2)
    finally:
        request_id_context.reset(tokens[0])
        other.reset(tokens[1])
    join_check_threads(threads)
    [(request_id, value, cache)] = seen
    assert (request_id, value) == ("req-123", "unset")
    assert cache is not caches["default"]


def test_coroutine_checks_are_awaited_in_the_worker(threads):
    async def remote():
        return [Error("down", id="x.E1")]

    results = threads.run([("remote", remote)], timeout=2)
    assert results.details["remote"]["messages"] == {"x.E1": "down"}


def test_a_check_answering_just_as_the_deadline_passes_counts_as_answered():
    # The race a real thread cannot be made to hit on demand: the wait ends empty,
    # then the answer lands before the run takes the lock to retire the thread.
    class LateEvent(threading.Event):
        def wait(self, timeout=None):
            self.set()
            return False

    threads = CheckThreads()
    job = concurrent_module._Job("late", Counter())
    job.done = LateEvent()
    assert threads._wait(job, deadline=time.monotonic()) is True
    assert job.abandoned is False


def test_a_hung_check_never_keeps_the_interpreter_from_exiting():
    script = (
        "import time\n"
        "from dockerflow.checks.concurrent import CheckThreads\n"
        "results = CheckThreads().run([('hung', lambda: time.sleep(60))], timeout=0.1)\n"
        "print(results.statuses['hung'])\n"
    )
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=30, check=False
    )
    assert (result.returncode, result.stdout.strip()) == (0, "error"), result.stderr
    assert time.monotonic() - started < 10  # not the check's 60 s
