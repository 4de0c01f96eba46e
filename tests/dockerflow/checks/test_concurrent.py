from __future__ import annotations

import contextvars
import logging
import threading
import time

import pytest
from django.core.cache import caches

from dockerflow import health
from dockerflow.checks import Error, run_checks_concurrently
from dockerflow.checks import concurrent as concurrent_module
from dockerflow.logging.request_id import request_id_context

from .helpers import Counter, Gate, check_threads, join_check_threads


@pytest.fixture
def gate():
    gate = Gate()
    yield gate
    gate.release()
    join_check_threads()
    assert concurrent_module.running("hung") == 0


def test_results_of_checks_that_answer():
    results = run_checks_concurrently(
        [("ok", Counter()), ("bad", Counter([Error("x", id="x.E1")]))], timeout=2
    )
    assert results.statuses == {"ok": "ok", "bad": "error"}
    assert results.details["bad"]["messages"] == {"x.E1": "x"}
    join_check_threads()


def test_checks_run_at_the_same_time():
    def slow():
        time.sleep(0.3)
        return []

    started = time.monotonic()
    results = run_checks_concurrently([("a", slow), ("b", slow), ("c", slow)], timeout=2)
    assert time.monotonic() - started < 0.75
    assert results.level == 0
    join_check_threads()


def test_a_check_that_does_not_answer_in_time_is_an_error_naming_it(gate):
    started = time.monotonic()
    results = run_checks_concurrently([("hung", gate), ("ok", Counter())], timeout=0.3)
    elapsed = time.monotonic() - started
    assert 0.29 <= elapsed < 0.8
    assert results.statuses == {"hung": "error", "ok": "ok"}
    [(ident, message)] = results.details["hung"]["messages"].items()
    assert ident == health.ERROR_CHECK_TIMED_OUT
    assert message == "Check hung did not answer within 0.3 seconds"
    # Its thread cannot be killed: it keeps running and is counted.
    assert concurrent_module.running("hung") == 1


def test_a_stuck_check_is_not_started_again_until_its_thread_ends(gate):
    first = run_checks_concurrently([("hung", gate)], timeout=0.2)
    assert list(first.details["hung"]["messages"]) == [health.ERROR_CHECK_TIMED_OUT]

    started = time.monotonic()
    second = run_checks_concurrently([("hung", gate)], timeout=0.2)
    assert time.monotonic() - started < 0.15  # reported at once, not waited for
    assert second.details["hung"]["messages"] == {
        health.ERROR_CHECK_STUCK: "Check hung was not started: 1 earlier run(s) still running"
    }
    assert gate.calls == 1
    assert len(check_threads()) == 1

    gate.release()
    join_check_threads()
    third = run_checks_concurrently([("hung", gate)], timeout=2)
    assert third.level == 0
    assert gate.calls == 2


def test_max_stuck_bounds_the_threads_per_check(gate):
    for _ in range(2):
        results = run_checks_concurrently([("hung", gate)], timeout=0.1, max_stuck=2)
        assert list(results.details["hung"]["messages"]) == [health.ERROR_CHECK_TIMED_OUT]
    results = run_checks_concurrently([("hung", gate)], timeout=0.1, max_stuck=2)
    assert list(results.details["hung"]["messages"]) == [health.ERROR_CHECK_STUCK]
    assert gate.calls == 2
    assert concurrent_module.running("hung") == 2


def test_a_timed_out_message_can_be_silenced(gate):
    results = run_checks_concurrently(
        [("hung", gate)], timeout=0.1, silenced_check_ids={health.ERROR_CHECK_TIMED_OUT}
    )
    assert (results.level, results.statuses) == (0, {"hung": "ok"})


def test_on_thread_exit_runs_in_the_worker_thread_after_the_check():
    events = []

    def check():
        events.append(("check", threading.current_thread()))
        return []

    def cleanup():
        events.append(("cleanup", threading.current_thread()))

    run_checks_concurrently([("c", check)], timeout=2, on_thread_exit=cleanup)
    join_check_threads()
    assert [name for name, _ in events] == ["check", "cleanup"]
    assert events[0][1] is events[1][1] is not threading.current_thread()


def test_a_failing_cleanup_is_logged_and_does_not_lose_the_result(caplog):
    def cleanup():
        raise OSError("close failed")

    results = run_checks_concurrently(
        [("c", Counter([Error("x", id="x.E1")]))], timeout=2, on_thread_exit=cleanup
    )
    join_check_threads()
    assert results.details["c"]["messages"] == {"x.E1": "x"}
    [record] = [r for r in caplog.records if r.name == "dockerflow.checks"]
    assert record.levelno == logging.ERROR
    assert record.exc_info[0] is OSError
    assert concurrent_module.running("c") == 0


def test_a_thread_that_cannot_start_is_an_error(monkeypatch, caplog):
    def refuse(self):
        raise RuntimeError("can't start new thread")

    monkeypatch.setattr(threading.Thread, "start", refuse)
    results = run_checks_concurrently([("c", Counter())], timeout=2)
    assert list(results.details["c"]["messages"]) == [health.ERROR_CHECK_RAISED]
    assert concurrent_module.running("c") == 0
    assert any(r.exc_info and r.exc_info[0] is RuntimeError for r in caplog.records)


def test_checks_get_the_callers_request_id_but_not_its_other_context_or_caches():
    other = contextvars.ContextVar("other", default="unset")
    seen = []

    def check():
        seen.append((request_id_context.get(), other.get(), caches["default"]))
        return []

    tokens = (request_id_context.set("req-123"), other.set("caller's"))
    try:
        run_checks_concurrently([("c", check)], timeout=2)
    finally:
        request_id_context.reset(tokens[0])
        other.reset(tokens[1])
    join_check_threads()
    [(request_id, value, cache)] = seen
    assert (request_id, value) == ("req-123", "unset")
    assert cache is not caches["default"]


def test_coroutine_checks_are_awaited_in_the_worker():
    async def remote():
        return [Error("down", id="x.E1")]

    results = run_checks_concurrently([("remote", remote)], timeout=2)
    join_check_threads()
    assert results.details["remote"]["messages"] == {"x.E1": "down"}
