from __future__ import annotations

import asyncio
import logging
import threading
import time

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from dockerflow import checks, health
from dockerflow.checks import Error, Info, Warning
from dockerflow.django import heartbeat, views
from dockerflow.django.heartbeat import run_heartbeat
from tests.dockerflow.checks.helpers import (
    Counter,
    Gate,
    check_threads,
    join_check_threads,
    recorded_heartbeat_signals,
)

HERE = __name__
MESSAGES_LOGGER = "dockerflow.checks.registry"  # python-dockerflow's name
HUNG = f"{HERE}.hung"
OK = f"{HERE}.ok"
WARNS = f"{HERE}.warns"
FAILS = f"{HERE}.fails"
NOISY = f"{HERE}.noisy"

# Module attributes so DOCKERFLOW_CHECKS can name them; replaced per test.
hung = Gate()
ok = Counter()
warns = Counter()
fails = Counter()
noisy = Counter()


def explodes(app_configs=None, **kwargs):
    raise ValueError("hunter2 leaked into an exception")


async def remote_error(app_configs=None, **kwargs):
    return [Error("remote down", id="x.E9")]


def takes_no_arguments():
    return [Info("plain callable", id="x.I9")]


def django_style(app_configs, **kwargs):
    assert app_configs is None
    return []


@pytest.fixture(autouse=True)
def fresh_checks(monkeypatch):
    module = __import__(HERE, fromlist=["x"])
    gate = Gate()
    monkeypatch.setattr(module, "hung", gate)
    monkeypatch.setattr(module, "ok", Counter())
    monkeypatch.setattr(module, "warns", Counter([Warning("disk 85% full", id="x.W1")]))
    monkeypatch.setattr(module, "fails", Counter([Error("queue down", id="x.E1")]))
    monkeypatch.setattr(
        module,
        "noisy",
        Counter([Info("info", id="x.I1"), Warning("warn", id="x.W2"), Error("err", id="x.E2")]),
    )
    yield module
    gate.release()
    join_check_threads()


@pytest.fixture
def signals():
    with recorded_heartbeat_signals() as sent:
        yield sent


def message_records(caplog):
    return [(r.levelno, r.getMessage()) for r in caplog.records if r.name == MESSAGES_LOGGER]


@pytest.mark.django_db
def test_default_checks_pass_on_a_migrated_database():
    results = run_heartbeat()
    assert results.level == 0
    assert results.statuses == {
        "check_database_connected": "ok",
        "check_migrations_applied": "ok",
    }
    assert results.details == {}


@override_settings(DOCKERFLOW_CHECKS=[OK, WARNS, FAILS])
def test_runs_exactly_dockerflow_checks(fresh_checks):
    results = run_heartbeat()
    assert results.statuses == {OK: "ok", WARNS: "warning", FAILS: "error"}
    assert results.details == {
        WARNS: {"status": "warning", "level": 30, "messages": {"x.W1": "disk 85% full"}},
        FAILS: {"status": "error", "level": 40, "messages": {"x.E1": "queue down"}},
    }
    assert results.level == 40
    assert (fresh_checks.ok.calls, fresh_checks.warns.calls, fresh_checks.fails.calls) == (1, 1, 1)


def test_django_system_checks_are_not_run():
    # Deployment checks would warn here (DEBUG off, no HSTS...); an empty list runs nothing.
    with override_settings(DOCKERFLOW_CHECKS=[]):
        assert run_heartbeat() == checks.ChecksResults(details={}, statuses={}, level=0)


@override_settings(
    DOCKERFLOW_CHECKS=[f"{HERE}.takes_no_arguments", f"{HERE}.django_style", f"{HERE}.remote_error"]
)
def test_plain_django_style_and_coroutine_checks():
    results = run_heartbeat()
    assert results.statuses == {
        "takes_no_arguments": "info",
        "django_style": "ok",
        "remote_error": "error",
    }
    assert results.details["remote_error"]["messages"] == {"x.E9": "remote down"}


def test_results_are_keyed_by_function_name_like_python_dockerflow(fresh_checks):
    paths = [
        f"{HERE}.takes_no_arguments",
        "dockerflow.django.checks.check_cache_connected",
        f"{HERE}.check_cache_connected",  # same name as the built-in: both keyed by path
        OK,  # a callable object without __name__: keyed by path
        f"{HERE}.takes_no_arguments",  # listed twice: runs once
    ]
    with override_settings(DOCKERFLOW_CHECKS=paths):
        results = run_heartbeat()
    assert list(results.statuses) == [
        "takes_no_arguments",
        "dockerflow.django.checks.check_cache_connected",
        f"{HERE}.check_cache_connected",
        OK,
    ]
    assert fresh_checks.ok.calls == 1


def check_cache_connected(app_configs=None, **kwargs):
    return []


@override_settings(DOCKERFLOW_CHECKS=[f"{HERE}.does_not_exist", "no_such_module.check", OK])
def test_an_unimportable_path_is_an_error_result(caplog):
    results = run_heartbeat()
    assert results.statuses[OK] == "ok"
    for path in (f"{HERE}.does_not_exist", "no_such_module.check"):
        [(ident, message)] = results.details[path]["messages"].items()
        assert ident == health.ERROR_CHECK_NOT_IMPORTABLE
        assert message.startswith(f"Check {path} cannot be imported: ")
    assert (
        "No module named 'no_such_module'"
        in results.details["no_such_module.check"]["messages"][health.ERROR_CHECK_NOT_IMPORTABLE]
    )
    # The import is attempted (and its traceback logged) once per settings state, not per run.
    run_heartbeat()
    import_logs = [r for r in caplog.records if "cannot be imported" in r.getMessage()]
    import_logs = [r for r in import_logs if r.name == "dockerflow.checks"]
    assert len(import_logs) == 2
    assert all("Traceback (most recent call last):" in r.getMessage() for r in import_logs)


def test_an_import_that_fails_with_another_error_hides_its_text(monkeypatch):
    def broken(path):
        raise ZeroDivisionError("module-level code failed: hunter2")

    monkeypatch.setattr(heartbeat, "import_string", broken)
    with override_settings(DOCKERFLOW_CHECKS=["some.check"]):
        results = run_heartbeat()
    message = results.details["some.check"]["messages"][health.ERROR_CHECK_NOT_IMPORTABLE]
    assert message == "Check some.check cannot be imported: ZeroDivisionError (traceback logged)"


def test_a_callable_without_a_signature_is_called_as_is(monkeypatch):
    class NoSignature:
        __signature__ = "not a signature"  # makes inspect.signature raise TypeError

        def __call__(self):
            return [Warning("called", id="x.W5")]

    monkeypatch.setattr(heartbeat, "import_string", lambda path: NoSignature())
    with override_settings(DOCKERFLOW_CHECKS=["some.check"]):
        assert run_heartbeat().statuses == {"some.check": "warning"}


@override_settings(DOCKERFLOW_CHECKS=[f"{HERE}.explodes", OK])
def test_a_check_that_raises_is_an_error_and_its_traceback_is_logged(caplog):
    results = run_heartbeat()
    path = "explodes"
    assert results.statuses == {path: "error", OK: "ok"}
    assert list(results.details[path]["messages"]) == [health.ERROR_CHECK_RAISED]
    assert "hunter2" not in repr(results)
    [record] = [r for r in caplog.records if r.name == "dockerflow.checks"]
    assert record.levelno == logging.ERROR
    assert record.getMessage().endswith("ValueError: hunter2 leaked into an exception")
    assert "hunter2" in caplog.text  # the traceback is in the logs, where it belongs


@override_settings(DOCKERFLOW_CHECKS=[HUNG, OK], DOCKERFLOW_HEARTBEAT_TIMEOUT=0.3)
def test_a_hung_check_times_out_and_the_result_comes_back_anyway(fresh_checks):
    started = time.monotonic()
    results = run_heartbeat()
    elapsed = time.monotonic() - started
    assert elapsed < 0.3 + 0.5
    assert results.statuses == {HUNG: "error", OK: "ok"}
    assert results.details[HUNG]["messages"] == {
        health.ERROR_CHECK_TIMED_OUT: f"Check {HUNG} did not answer within 0.3 seconds"
    }


@override_settings(DOCKERFLOW_CHECKS=[HUNG], DOCKERFLOW_HEARTBEAT_TIMEOUT=0.2)
def test_repeated_runs_do_not_pile_up_threads_on_a_hung_check(fresh_checks):
    run_heartbeat()
    for _ in range(5):
        started = time.monotonic()
        results = run_heartbeat()
        assert time.monotonic() - started < 0.15
        assert list(results.details[HUNG]["messages"]) == [health.ERROR_CHECK_STUCK]
    assert fresh_checks.hung.calls == 1
    fresh_checks.hung.release()
    join_check_threads()
    assert run_heartbeat().statuses == {HUNG: "ok"}
    assert fresh_checks.hung.calls == 2


@override_settings(DOCKERFLOW_CHECKS=[HUNG, NOISY], DOCKERFLOW_HEARTBEAT_TIMEOUT=3)
def test_concurrent_callers_share_one_run(fresh_checks, signals, caplog):
    callers = 50
    barrier = threading.Barrier(callers + 1)
    results = []

    def call():
        barrier.wait()
        results.append(run_heartbeat(sender="probe"))

    threads = [threading.Thread(target=call) for _ in range(callers)]
    for thread in threads:
        thread.start()
    barrier.wait()
    assert fresh_checks.hung.started.wait(2)
    time.sleep(0.3)  # let every caller reach the run in progress
    fresh_checks.hung.release()
    for thread in threads:
        thread.join(5)
    assert len(results) == callers
    assert fresh_checks.hung.calls == 1
    assert fresh_checks.noisy.calls == 1
    assert all(r == results[0] for r in results)
    assert len({id(r) for r in results}) == callers  # each caller has its own copy
    assert signals == [("failed", "probe", 40)]
    assert len(message_records(caplog)) == 3


@override_settings(DOCKERFLOW_CHECKS=[OK, FAILS], DOCKERFLOW_HEARTBEAT_CACHE_SECONDS=0.4)
def test_cache_seconds_serves_the_last_result(fresh_checks, signals):
    first = run_heartbeat()
    second = run_heartbeat()
    assert second == first
    assert fresh_checks.ok.calls == 1
    assert len(signals) == 1
    second.details.clear()  # a caller's copy; the cache is untouched
    assert run_heartbeat() == first
    time.sleep(0.45)
    run_heartbeat()
    assert fresh_checks.ok.calls == 2
    assert len(signals) == 2


@override_settings(DOCKERFLOW_CHECKS=[OK])
def test_without_cache_every_call_runs_the_checks(fresh_checks, signals):
    for _ in range(3):
        run_heartbeat()
    assert fresh_checks.ok.calls == 3
    assert len(signals) == 3


def test_setting_changes_take_effect_without_restart(fresh_checks):
    with override_settings(DOCKERFLOW_CHECKS=[OK], DOCKERFLOW_HEARTBEAT_CACHE_SECONDS=60):
        assert list(run_heartbeat().statuses) == [OK]
        with override_settings(DOCKERFLOW_CHECKS=[WARNS]):
            # The 60 s cache belongs to the old settings.
            assert list(run_heartbeat().statuses) == [WARNS]
        with override_settings(DOCKERFLOW_CHECKS=[HUNG], DOCKERFLOW_HEARTBEAT_TIMEOUT=0.25):
            message = run_heartbeat().details[HUNG]["messages"][health.ERROR_CHECK_TIMED_OUT]
            assert message.endswith("within 0.25 seconds")
        fresh_checks.hung.release()
        with override_settings(SILENCED_SYSTEM_CHECKS=["x.E1"], DOCKERFLOW_CHECKS=[FAILS]):
            assert run_heartbeat().statuses == {FAILS: "ok"}
        with override_settings(DOCKERFLOW_CHECKS=[FAILS]):
            assert run_heartbeat().statuses == {FAILS: "error"}


@override_settings(DOCKERFLOW_CHECKS=[NOISY, FAILS], SILENCED_SYSTEM_CHECKS=["x.E2", "x.I1"])
def test_silenced_ids_are_neither_counted_nor_logged(caplog):
    caplog.set_level(logging.DEBUG, logger="dockerflow")
    results = run_heartbeat()
    assert results.details[NOISY] == {
        "status": "warning",
        "level": 30,
        "messages": {"x.W2": "warn"},
    }
    assert message_records(caplog) == [(30, "x.W2: warn"), (40, "x.E1: queue down")]


@override_settings(DOCKERFLOW_CHECKS=[NOISY], DOCKERFLOW_HEARTBEAT_CACHE_SECONDS=60)
def test_each_message_is_logged_once_per_run_at_its_level(caplog):
    caplog.set_level(logging.DEBUG, logger="dockerflow")
    for _ in range(3):
        run_heartbeat()
    assert message_records(caplog) == [(20, "x.I1: info"), (30, "x.W2: warn"), (40, "x.E2: err")]
    [record] = [r for r in caplog.records if r.getMessage() == "x.E2: err"]
    assert record.name == MESSAGES_LOGGER
    assert record.check == NOISY


SECONDS = "a number of seconds > 0 and <= 300"
CHECK_PATHS = "a list of dotted paths such as 'dockerflow.django.checks.check_database_connected'"


@pytest.mark.parametrize(
    ("setting", "value", "expected"),
    [
        ("DOCKERFLOW_HEARTBEAT_TIMEOUT", 0, SECONDS),
        ("DOCKERFLOW_HEARTBEAT_TIMEOUT", -1.5, SECONDS),
        ("DOCKERFLOW_HEARTBEAT_TIMEOUT", "5", SECONDS),
        ("DOCKERFLOW_HEARTBEAT_TIMEOUT", float("nan"), SECONDS),
        ("DOCKERFLOW_HEARTBEAT_TIMEOUT", True, SECONDS),
        ("DOCKERFLOW_HEARTBEAT_TIMEOUT", None, SECONDS),
        ("DOCKERFLOW_HEARTBEAT_CACHE_SECONDS", -1, "a number of seconds >= 0 and <= 3600"),
        ("DOCKERFLOW_CHECKS", "myapp.checks.check_db", CHECK_PATHS),
        ("DOCKERFLOW_CHECKS", [OK, None], CHECK_PATHS),
        ("DOCKERFLOW_CHECKS", [""], CHECK_PATHS),
        ("DOCKERFLOW_CHECKS", None, CHECK_PATHS),
        ("SILENCED_SYSTEM_CHECKS", "x.E1", "a list of check ids such as 'security.W009'"),
    ],
)
def test_bad_settings_raise_improperly_configured_naming_them(setting, value, expected):
    with override_settings(**{setting: value}), pytest.raises(ImproperlyConfigured) as info:
        run_heartbeat()
    assert str(info.value) == f"{setting}={value!r} is not valid; expected {expected}"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"timeout": 0}, f"timeout=0 is not valid; expected {SECONDS}"),
        ({"timeout": "5"}, f"timeout='5' is not valid; expected {SECONDS}"),
        ({"checks": OK}, f"checks={OK!r} is not valid; expected {CHECK_PATHS}"),
        ({"checks": ["not a path"]}, f"checks=['not a path'] is not valid; expected {CHECK_PATHS}"),
    ],
)
def test_bad_arguments_raise_value_error_naming_them(arguments, message):
    with pytest.raises(ValueError, match="is not valid") as info:
        run_heartbeat(**arguments)
    assert str(info.value) == message


def test_explicit_checks_and_timeout_replace_the_settings(fresh_checks):
    with override_settings(DOCKERFLOW_CHECKS=[FAILS], DOCKERFLOW_HEARTBEAT_TIMEOUT=5):
        results = run_heartbeat([OK, HUNG], timeout=0.2)
        assert results.statuses == {OK: "ok", HUNG: "error"}
        message = results.details[HUNG]["messages"][health.ERROR_CHECK_TIMED_OUT]
        assert message.endswith("within 0.2 seconds")
        fresh_checks.hung.release()
        join_check_threads()
        # The settings' own checks are untouched by the explicit run.
        assert run_heartbeat().statuses == {FAILS: "error"}
    assert fresh_checks.fails.calls == 1


def test_a_call_with_other_checks_waits_for_the_run_in_progress(fresh_checks):
    # One run at a time: a caller with different checks does not share the run in
    # progress (it would get the wrong checks) but starts its own once it is over.
    results = {}

    def leader():
        results["leader"] = run_heartbeat([HUNG], timeout=3)

    thread = threading.Thread(target=leader)
    thread.start()
    assert fresh_checks.hung.started.wait(2)
    follower = threading.Thread(target=lambda: results.update(follower=run_heartbeat([OK])))
    follower.start()
    time.sleep(0.2)
    assert "follower" not in results
    assert fresh_checks.ok.calls == 0
    fresh_checks.hung.release()
    thread.join(5)
    follower.join(5)
    assert results["leader"].statuses == {HUNG: "ok"}
    assert results["follower"].statuses == {OK: "ok"}


@pytest.mark.parametrize(
    "settings",
    [
        {"DOCKERFLOW_HEARTBEAT_TIMEOUT": 2},
        {"DOCKERFLOW_HEARTBEAT_CACHE_SECONDS": 0},
        {"DOCKERFLOW_CHECKS": (OK,)},
        {"SILENCED_SYSTEM_CHECKS": {"x.E1"}},
    ],
)
def test_accepted_setting_types(settings):
    with override_settings(**{"DOCKERFLOW_CHECKS": [OK], **settings}):
        assert run_heartbeat().level == 0


def test_a_caller_waiting_on_a_failed_run_gets_an_error(monkeypatch, fresh_checks):
    # Force the run itself to fail (a bug, not a check failure) while a second caller waits.
    def failing_run(*args, **kwargs):
        fresh_checks.hung()
        raise RuntimeError("bug in the runner")

    monkeypatch.setattr(heartbeat.check_threads, "run", failing_run)
    errors = []

    def wait():
        try:
            run_heartbeat()
        except RuntimeError as exc:
            errors.append(str(exc))

    with override_settings(DOCKERFLOW_CHECKS=[OK]):
        leader = threading.Thread(target=wait)
        leader.start()
        assert fresh_checks.hung.started.wait(2)
        follower = threading.Thread(target=wait)
        follower.start()
        time.sleep(0.2)
        fresh_checks.hung.release()
        leader.join(5)
        follower.join(5)
    assert sorted(errors) == [
        "bug in the runner",
        "the heartbeat run this call was waiting for failed",
    ]
    assert heartbeat._current is None


# Credentials in check messages and exceptions (through the real view)


def quotes_a_url(app_configs=None, **kwargs):
    return [Warning("GET https://user:tok@api.internal/x answered 503", id="x.W7")]


def raises_with_a_dsn(app_configs=None, **kwargs):
    raise ConnectionError("cannot reach postgres://admin:S3cretPw@db.internal:5432/app")


@override_settings(
    DOCKERFLOW_CHECKS=[f"{HERE}.quotes_a_url", f"{HERE}.raises_with_a_dsn"],
    DOCKERFLOW_HEARTBEAT_DETAILS=True,
)
def test_credentials_never_reach_the_response_or_the_logs(client, caplog):
    caplog.set_level(logging.DEBUG, logger="dockerflow")
    response = client.get("/__heartbeat__")
    body = response.json()
    assert body["details"]["quotes_a_url"]["messages"] == {
        "x.W7": "GET https://user:********@api.internal/x answered 503"
    }
    assert list(body["details"]["raises_with_a_dsn"]["messages"]) == [health.ERROR_CHECK_RAISED]
    assert "tok@" not in response.content.decode()
    assert (30, "x.W7: GET https://user:********@api.internal/x answered 503") in (
        message_records(caplog)
    )
    assert "tok@" not in caplog.text
    assert "S3cretPw" not in caplog.text
    [raised] = [r for r in caplog.records if r.name == "dockerflow.checks"]
    assert raised.getMessage().endswith(
        "ConnectionError: cannot reach postgres://admin:********@db.internal:5432/app"
    )


@override_settings(DOCKERFLOW_HEARTBEAT_DETAILS=True)
def test_the_views_own_error_text_is_masked(client, monkeypatch):
    def explode(*args, sender=None):
        raise RuntimeError("cache at redis://:hunter2@cache.internal:6379/0 is gone")

    monkeypatch.setattr(views, "run_heartbeat", explode)
    response = client.get("/__heartbeat__")
    assert response.status_code == 500
    assert response.json() == {
        "status": "error",
        "error": "RuntimeError: cache at redis://:********@cache.internal:6379/0 is gone",
    }


@override_settings(DOCKERFLOW_CHECKS=[OK, WARNS])
def test_checks_keep_their_threads_across_runs_and_settings_changes_end_them(fresh_checks):
    join_check_threads()
    for _ in range(10):
        run_heartbeat()
    threads = check_threads()
    assert sorted(t.name for t in threads) == sorted(
        f"dockerflow-check {name}" for name in (OK, WARNS)
    )
    assert all(t.daemon for t in threads)
    with override_settings(DOCKERFLOW_HEARTBEAT_TIMEOUT=2):  # any setting change
        for thread in threads:
            thread.join(5)
        assert not any(t.is_alive() for t in threads)
        run_heartbeat()
        assert len(check_threads()) == 2  # new ones, reading the new settings


@override_settings(DOCKERFLOW_CHECKS=["tests.dockerflow.django.test_heartbeat.NOT_A_CHECK", OK])
def test_an_entry_that_is_not_callable_is_an_error_result():
    results = run_heartbeat()
    assert results.details["tests.dockerflow.django.test_heartbeat.NOT_A_CHECK"]["messages"] == {
        health.ERROR_CHECK_NOT_IMPORTABLE: (
            "Check tests.dockerflow.django.test_heartbeat.NOT_A_CHECK is not callable (int)"
        )
    }
    assert results.statuses[OK] == "ok"


NOT_A_CHECK = 42


# The async path: waiters share the run without a thread each


@override_settings(DOCKERFLOW_CHECKS=[HUNG, NOISY], DOCKERFLOW_HEARTBEAT_TIMEOUT=3)
@pytest.mark.parametrize("leader", ["sync", "async"])
def test_async_callers_share_one_run_with_sync_ones(fresh_checks, signals, caplog, leader):
    async def main():
        if leader == "sync":
            first = asyncio.create_task(asyncio.to_thread(run_heartbeat, sender="probe"))
        else:
            first = asyncio.create_task(heartbeat.run_heartbeat_async(sender="probe"))
        assert await asyncio.to_thread(fresh_checks.hung.started.wait, 2)
        threads_before = threading.active_count()
        waiters = [asyncio.create_task(heartbeat.run_heartbeat_async()) for _ in range(50)]
        sync_waiter = asyncio.create_task(asyncio.to_thread(run_heartbeat))
        await asyncio.sleep(0.3)  # every caller is waiting for the run in progress
        assert threading.active_count() <= threads_before + 1  # the sync waiter's thread
        waiters[0].cancel()  # a client that went away
        fresh_checks.hung.release()
        return await asyncio.gather(first, sync_waiter, *waiters[1:])

    results = asyncio.run(main())
    assert len(results) == 51
    assert all(r == results[0] for r in results)
    assert len({id(r) for r in results}) == 51  # each caller has its own copy
    assert results[0].statuses == {HUNG: "ok", NOISY: "error"}
    assert (fresh_checks.hung.calls, fresh_checks.noisy.calls) == (1, 1)
    assert signals == [("failed", "probe", 40)]
    assert len(message_records(caplog)) == 3


@override_settings(DOCKERFLOW_CHECKS=[OK], DOCKERFLOW_HEARTBEAT_CACHE_SECONDS=60)
def test_async_callers_get_the_cached_result(fresh_checks, signals):
    first = run_heartbeat()
    assert asyncio.run(heartbeat.run_heartbeat_async()) == first
    assert fresh_checks.ok.calls == 1
    assert len(signals) == 1


def test_an_async_caller_waiting_on_a_failed_run_gets_an_error(monkeypatch, fresh_checks):
    def failing_run(*args, **kwargs):
        fresh_checks.hung()
        raise RuntimeError("bug in the runner")

    monkeypatch.setattr(heartbeat.check_threads, "run", failing_run)

    async def main():
        leader = asyncio.create_task(heartbeat.run_heartbeat_async())
        assert await asyncio.to_thread(fresh_checks.hung.started.wait, 2)
        follower = asyncio.create_task(heartbeat.run_heartbeat_async())
        await asyncio.sleep(0.1)
        fresh_checks.hung.release()
        return await asyncio.gather(leader, follower, return_exceptions=True)

    with override_settings(DOCKERFLOW_CHECKS=[OK]):
        outcomes = asyncio.run(main())
    assert [str(outcome) for outcome in outcomes] == [
        "bug in the runner",
        "the heartbeat run this call was waiting for failed",
    ]
    assert heartbeat._current is None


@override_settings(DOCKERFLOW_CHECKS=[OK, FAILS], DOCKERFLOW_HEARTBEAT_DETAILS=True)
def test_the_async_view_answers_like_the_sync_one(rf):
    sync_response = views.heartbeat(rf.get("/__heartbeat__"))
    async_response = asyncio.run(views.heartbeat_async(rf.get("/__heartbeat__")))
    assert (async_response.status_code, async_response.content) == (
        sync_response.status_code,
        sync_response.content,
    )
    assert async_response.status_code == 500
