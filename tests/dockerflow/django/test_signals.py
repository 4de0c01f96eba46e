from __future__ import annotations

import logging

import pytest
from django.test import override_settings

from dockerflow.checks import Error, Warning
from dockerflow.django.heartbeat import run_heartbeat
from dockerflow.django.signals import heartbeat_passed
from tests.dockerflow.checks.helpers import recorded_heartbeat_signals

PATH = f"{__name__}.check"
RESULT: list = []


def check(app_configs=None, **kwargs):
    return RESULT


@pytest.fixture
def received():
    with recorded_heartbeat_signals() as sent:
        yield sent


@pytest.mark.parametrize(
    ("messages", "expected"),
    [
        ([], ("passed", "me", 0)),
        ([Warning("w", id="x.W1")], ("passed", "me", 30)),  # warnings pass, as before
        ([Error("e", id="x.E1")], ("failed", "me", 40)),
    ],
)
def test_one_signal_per_run_with_sender_and_level(monkeypatch, received, messages, expected):
    monkeypatch.setattr(f"{__name__}.RESULT", messages)
    with override_settings(DOCKERFLOW_CHECKS=[PATH]):
        run_heartbeat(sender="me")
    assert received == [expected]


@override_settings(DOCKERFLOW_CHECKS=[PATH])
def test_sender_defaults_to_none(received):
    run_heartbeat()
    assert received == [("passed", None, 0)]


@override_settings(DOCKERFLOW_CHECKS=[PATH], DOCKERFLOW_HEARTBEAT_CACHE_SECONDS=60)
def test_cached_results_send_no_signal(received):
    run_heartbeat()
    run_heartbeat()
    assert len(received) == 1


@override_settings(DOCKERFLOW_CHECKS=[PATH])
def test_a_receiver_that_raises_does_not_break_the_heartbeat(received, caplog):
    def broken(sender, **kwargs):
        raise RuntimeError("statsd is down")

    heartbeat_passed.connect(broken)
    try:
        results = run_heartbeat()
    finally:
        heartbeat_passed.disconnect(broken)
    assert results.level == 0
    assert received == [("passed", None, 0)]
    [record] = [r for r in caplog.records if r.name == "django.dispatch"]
    assert record.levelno == logging.ERROR
    assert "statsd is down" in caplog.text
