from __future__ import annotations

import asyncio
import logging
import threading
import time

import pytest
from django.core import checks as django_checks

from dockerflow import checks, health
from dockerflow.checks import ChecksResults, Error, Info, Warning
from dockerflow.checks.registry import CheckResults

MESSAGES_LOGGER = "dockerflow.checks.registry"


def message_records(caplog):
    return [(r.levelno, r.getMessage()) for r in caplog.records if r.name == MESSAGES_LOGGER]


def test_results_shapes():
    results = checks.run_checks(
        [
            ("clean", lambda: []),
            ("warns", lambda: [Warning("slow disk", id="x.W1"), Info("fyi", id="x.I1")]),
            ("fails", lambda: [Error("no db", id="x.E1")]),
        ]
    )
    assert results == CheckResults(
        details={
            "warns": {
                "status": "warning",
                "level": 30,
                "messages": {"x.W1": "slow disk", "x.I1": "fyi"},
            },
            "fails": {"status": "error", "level": 40, "messages": {"x.E1": "no db"}},
        },
        statuses={"clean": "ok", "warns": "warning", "fails": "error"},
        level=40,
    )
    assert ChecksResults is CheckResults


def test_no_checks_is_ok():
    assert checks.run_checks([]) == CheckResults(details={}, statuses={}, level=0)


def test_djangos_messages_are_accepted():
    results = checks.run_checks([("django", lambda: [django_checks.Critical("x", id="d.C1")])])
    assert results.level == 50
    assert results.details["django"]["status"] == "critical"


def test_none_counts_as_no_messages():
    assert checks.run_checks([("none", lambda: None)]).statuses == {"none": "ok"}


def test_each_message_is_logged_once_at_its_own_level(caplog):
    caplog.set_level(logging.DEBUG, logger="dockerflow")
    checks.run_checks(
        [
            ("a", lambda: [Debug_("d"), Warning("w", id="x.W1")]),
            ("b", lambda: [Error("e", id="x.E1")]),
        ]
    )
    assert message_records(caplog) == [
        (10, "x.D1: d"),
        (30, "x.W1: w"),
        (40, "x.E1: e"),
    ]
    assert [r.check for r in caplog.records if r.name == MESSAGES_LOGGER] == ["a", "a", "b"]


def Debug_(msg):
    return checks.Debug(msg, id="x.D1")


def test_silenced_ids_are_neither_counted_nor_logged(caplog):
    caplog.set_level(logging.DEBUG, logger="dockerflow")
    results = checks.run_checks(
        [("a", lambda: [Error("hidden", id="x.E1"), Warning("shown", id="x.W1")])],
        silenced_check_ids=["x.E1"],
    )
    assert results.level == 30
    assert results.details["a"]["messages"] == {"x.W1": "shown"}
    assert message_records(caplog) == [(30, "x.W1: shown")]


def test_a_check_with_only_silenced_messages_is_ok_and_has_no_details():
    results = checks.run_checks([("a", lambda: [Error("x", id="x.E1")])], ["x.E1"])
    assert (results.level, results.statuses, results.details) == (0, {"a": "ok"}, {})


def test_messages_sharing_an_id_are_joined_not_lost():
    results = checks.run_checks(
        [("db", lambda: [Error("a down", id="x.E1"), Error("b down", id="x.E1")])]
    )
    assert results.details["db"]["messages"] == {"x.E1": "a down; b down"}


def test_a_check_that_raises_is_an_error_with_its_traceback_logged_not_returned(caplog):
    def explodes():
        raise ValueError("hunter2")

    results = checks.run_checks([("boom", explodes), ("fine", lambda: [])])
    assert results.statuses == {"boom": "error", "fine": "ok"}
    messages = results.details["boom"]["messages"]
    assert list(messages) == [health.ERROR_CHECK_RAISED]
    assert "hunter2" not in str(results)
    [record] = [r for r in caplog.records if r.name == "dockerflow.checks"]
    assert record.levelno == logging.ERROR
    assert record.check == "boom"
    logged = record.getMessage()
    assert logged.startswith("Check boom raised an exception\nTraceback (most recent call last):")
    assert 'raise ValueError("hunter2")' in logged
    assert logged.endswith("ValueError: hunter2")


def test_credentials_in_a_message_are_masked_in_the_results_and_the_log(caplog):
    caplog.set_level(logging.DEBUG, logger="dockerflow")
    url = "https://user:tok@api.internal/x"
    results = checks.run_checks([("api", lambda: [Warning(f"GET {url} failed", id="x.W1")])])
    assert results.details["api"]["messages"] == {
        "x.W1": "GET https://user:********@api.internal/x failed"
    }
    assert message_records(caplog) == [
        (30, "x.W1: GET https://user:********@api.internal/x failed")
    ]
    assert "tok@" not in caplog.text


def test_credentials_in_a_raising_checks_exception_are_masked_in_the_logged_traceback(caplog):
    def connects():
        dsn = "postgres://admin:S3cretPw@db.internal:5432/app"
        raise ConnectionError(f"cannot reach {dsn}")

    results = checks.run_checks([("db", connects)])
    assert list(results.details["db"]["messages"]) == [health.ERROR_CHECK_RAISED]
    [record] = [r for r in caplog.records if r.name == "dockerflow.checks"]
    assert "S3cretPw" not in record.getMessage()
    assert "S3cretPw" not in caplog.text
    assert record.exc_info is None  # a formatter would render the raw exception
    assert record.getMessage().endswith(
        "ConnectionError: cannot reach postgres://admin:********@db.internal:5432/app"
    )


def test_a_check_returning_something_else_than_messages_is_an_error(caplog):
    results = checks.run_checks([("bad", lambda: ["not a message"]), ("int", lambda: 3)])
    assert results.statuses == {"bad": "error", "int": "error"}
    assert health.ERROR_CHECK_RAISED in results.details["bad"]["messages"]
    errors = [r.getMessage() for r in caplog.records if r.name == "dockerflow.checks"]
    assert [e.rsplit("\n", 1)[-1].split(":")[0] for e in errors] == ["TypeError", "TypeError"]


def test_run_checks_awaits_coroutine_checks():
    async def remote():
        await asyncio.sleep(0)
        return [Warning("slow", id="x.W1")]

    assert checks.run_checks([("remote", remote)]).statuses == {"remote": "warning"}


def test_run_checks_called_from_async_code_still_awaits_coroutine_checks():
    async def remote():
        return [Error("down", id="x.E1")]

    async def main():
        return checks.run_checks([("remote", remote)])

    assert asyncio.run(main()).level == checks.ERROR


def test_run_checks_async_runs_checks_concurrently():
    async def sleepy():
        await asyncio.sleep(0.3)
        return [Info("slept", id="x.I1")]

    def blocking():
        time.sleep(0.3)
        return [Warning("blocked", id="x.W1")]

    started = time.monotonic()
    results = asyncio.run(
        checks.run_checks_async([("a", sleepy), ("b", sleepy), ("c", blocking), ("d", blocking)])
    )
    assert time.monotonic() - started < 0.55
    assert results.statuses == {"a": "info", "b": "info", "c": "warning", "d": "warning"}


def test_run_checks_async_reports_raising_checks_and_silences(caplog):
    async def async_boom():
        raise RuntimeError("async")

    def sync_boom():
        raise RuntimeError("sync")

    async def noisy():
        return [Error("silenced", id="x.E1")]

    results = asyncio.run(
        checks.run_checks_async(
            [("a", async_boom), ("s", sync_boom), ("n", noisy)], silenced_check_ids={"x.E1"}
        )
    )
    assert results.statuses == {"a": "error", "s": "error", "n": "ok"}
    assert len([r for r in caplog.records if r.name == "dockerflow.checks"]) == 2
    assert "silenced" not in caplog.text


def test_run_checks_async_runs_plain_checks_off_the_event_loop_thread():
    seen = []

    def where():
        seen.append(threading.current_thread())
        return []

    asyncio.run(checks.run_checks_async([("where", where)]))
    assert seen
    assert seen[0] is not threading.main_thread()


def test_copy_is_independent():
    results = checks.run_checks([("a", lambda: [Error("x", id="x.E1")])])
    copy = results.copy()
    assert copy == results
    copy.details["a"]["messages"]["x.E2"] = "added"
    copy.statuses["b"] = "ok"
    assert results.details["a"]["messages"] == {"x.E1": "x"}
    assert "b" not in results.statuses


@pytest.mark.parametrize("silenced", [None, [], ()])
def test_nothing_silenced(silenced):
    assert checks.run_checks([("a", lambda: [Error("x", id="x.E1")])], silenced).level == 40
