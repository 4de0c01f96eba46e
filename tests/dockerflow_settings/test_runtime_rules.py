"""dockerflow.django.conf's rules: one default and one validator per runtime setting."""

from __future__ import annotations

import concurrent.futures
import math
import threading
import time
from fractions import Fraction

import pytest
from django.core.exceptions import ImproperlyConfigured

from dockerflow.django import conf


def _noop(root):
    return None


@pytest.mark.parametrize(
    ("name", "value", "normalised"),
    [
        ("DOCKERFLOW_CHECKS", ("a.b", "pkg.mod.check"), ["a.b", "pkg.mod.check"]),
        ("DOCKERFLOW_CHECKS", [], []),
        ("DOCKERFLOW_VERSION_CALLBACK", "myapp.version.get", "myapp.version.get"),
        ("DOCKERFLOW_VERSION_CALLBACK", _noop, _noop),
        ("DOCKERFLOW_HEARTBEAT_FAILED_STATUS_CODE", 503, 503),
        ("DOCKERFLOW_HEARTBEAT_TIMEOUT", 2, 2.0),
        ("DOCKERFLOW_HEARTBEAT_TIMEOUT", 300, 300.0),
        ("DOCKERFLOW_HEARTBEAT_TIMEOUT", Fraction(1, 4), 0.25),
        ("DOCKERFLOW_HEARTBEAT_CACHE_SECONDS", 0, 0.0),
        ("DOCKERFLOW_HEARTBEAT_CACHE_SECONDS", 3600, 3600.0),
        ("DOCKERFLOW_HEARTBEAT_DETAILS", None, None),
        ("DOCKERFLOW_HEARTBEAT_DETAILS", False, False),
        ("DOCKERFLOW_REQUEST_ID_HEADER_NAME", None, "X-Request-ID"),
        ("DOCKERFLOW_REQUEST_ID_HEADER_NAME", "X-Amzn-Trace-Id", "X-Amzn-Trace-Id"),
        ("DOCKERFLOW_REQUEST_ID_RESPONSE_HEADER", None, None),
        ("DOCKERFLOW_REQUEST_ID_RESPONSE_HEADER", "", ""),
        ("DOCKERFLOW_REQUEST_ID_RESPONSE_HEADER", "X-Trace", "X-Trace"),
        ("DOCKERFLOW_DRAIN_SECONDS", 0, 0.0),
        ("DOCKERFLOW_DRAIN_SECONDS", 12.5, 12.5),
        ("DOCKERFLOW_SUMMARY_LOG_QUERYSTRING", True, True),
        ("DOCKERFLOW_ERROR_ENDPOINT", False, False),
        ("SILENCED_SYSTEM_CHECKS", {"security.W009"}, ["security.W009"]),
        ("DEBUG", "anything truthy", "anything truthy"),  # no rule: as Django reads it
    ],
)
def test_validate_accepts_and_normalises(name, value, normalised):
    result = conf.validate(name, value)
    assert result == normalised
    assert type(result) is type(normalised)


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("DOCKERFLOW_CHECKS", "a.b", "a list of dotted paths"),
        ("DOCKERFLOW_CHECKS", ["a.b", "no dots"], "a list of dotted paths"),
        ("DOCKERFLOW_CHECKS", ["a..b"], "a list of dotted paths"),
        ("DOCKERFLOW_CHECKS", {"a.b"}, "a list of dotted paths"),  # order matters
        ("DOCKERFLOW_VERSION_CALLBACK", "get_version", "a callable or a dotted path"),
        ("DOCKERFLOW_VERSION_CALLBACK", 3, "a callable or a dotted path"),
        ("DOCKERFLOW_HEARTBEAT_FAILED_STATUS_CODE", 399, "status code from 400 to 599"),
        ("DOCKERFLOW_HEARTBEAT_FAILED_STATUS_CODE", "200", "status code from 400 to 599"),
        ("DOCKERFLOW_HEARTBEAT_FAILED_STATUS_CODE", " 503", "status code from 400 to 599"),
        ("DOCKERFLOW_HEARTBEAT_FAILED_STATUS_CODE", True, "status code from 400 to 599"),
        ("DOCKERFLOW_HEARTBEAT_TIMEOUT", 0, "> 0 and <= 300"),
        ("DOCKERFLOW_HEARTBEAT_TIMEOUT", 1e10, "> 0 and <= 300"),
        ("DOCKERFLOW_HEARTBEAT_TIMEOUT", 10**400, "> 0 and <= 300"),
        ("DOCKERFLOW_HEARTBEAT_TIMEOUT", math.nan, "> 0 and <= 300"),
        ("DOCKERFLOW_HEARTBEAT_TIMEOUT", math.inf, "> 0 and <= 300"),
        ("DOCKERFLOW_HEARTBEAT_TIMEOUT", "5", "> 0 and <= 300"),
        ("DOCKERFLOW_HEARTBEAT_TIMEOUT", True, "> 0 and <= 300"),
        ("DOCKERFLOW_HEARTBEAT_CACHE_SECONDS", -0.5, ">= 0 and <= 3600"),
        ("DOCKERFLOW_HEARTBEAT_CACHE_SECONDS", 3600.5, ">= 0 and <= 3600"),
        ("DOCKERFLOW_HEARTBEAT_DETAILS", "yes", "True, False or None"),
        ("DOCKERFLOW_REQUEST_ID_HEADER_NAME", "X.Trace", "letters, digits and hyphens"),
        ("DOCKERFLOW_REQUEST_ID_HEADER_NAME", "X_Trace", "letters, digits and hyphens"),
        ("DOCKERFLOW_REQUEST_ID_HEADER_NAME", "X-Trace\n", "letters, digits and hyphens"),
        ("DOCKERFLOW_REQUEST_ID_HEADER_NAME", "", "letters, digits and hyphens"),
        ("DOCKERFLOW_REQUEST_ID_RESPONSE_HEADER", "X Trace", "'' (send none)"),
        ("DOCKERFLOW_DRAIN_SECONDS", 301, ">= 0 and <= 300"),
        ("DOCKERFLOW_SUMMARY_LOG_QUERYSTRING", 1, "True or False"),
        ("DOCKERFLOW_ERROR_ENDPOINT", None, "True or False"),
        ("SILENCED_SYSTEM_CHECKS", "security.W009", "a list of check ids"),
        ("SILENCED_SYSTEM_CHECKS", [""], "a list of check ids"),
    ],
)
def test_validate_rejects_with_what_was_expected(name, value, expected):
    with pytest.raises(conf.InvalidSetting) as info:
        conf.validate(name, value)
    assert expected in str(info.value)
    assert isinstance(info.value, ValueError)


def test_a_status_code_given_as_digits_is_accepted_as_python_dockerflow_did():
    # python-dockerflow passed the value to HttpResponse, which takes "503" too.
    assert conf.validate("DOCKERFLOW_HEARTBEAT_FAILED_STATUS_CODE", "503") == 503


def test_every_default_follows_its_rule():
    for name, default in conf.DEFAULTS.items():
        validated = conf.validate(name, default)
        assert validated == default, name


def test_every_rule_has_a_default():
    assert set(conf.VALIDATORS) <= set(conf.DEFAULTS)


def test_valid_names_the_setting_and_shows_the_value(settings):
    settings.DOCKERFLOW_HEARTBEAT_TIMEOUT = 1e10
    with pytest.raises(ImproperlyConfigured) as info:
        conf.valid("DOCKERFLOW_HEARTBEAT_TIMEOUT")
    assert str(info.value) == (
        "DOCKERFLOW_HEARTBEAT_TIMEOUT=10000000000.0 is not valid; "
        "expected a number of seconds > 0 and <= 300"
    )


def test_valid_is_cached_until_a_setting_changes(settings):
    settings.DOCKERFLOW_HEARTBEAT_TIMEOUT = 2
    assert conf.valid("DOCKERFLOW_HEARTBEAT_TIMEOUT") == 2.0
    settings.DOCKERFLOW_HEARTBEAT_TIMEOUT = 3
    assert conf.valid("DOCKERFLOW_HEARTBEAT_TIMEOUT") == 3.0


@pytest.mark.parametrize(
    "name",
    [
        "DOCKERFLOW_HEARTBEAT_TIMEOUT",
        "DOCKERFLOW_HEARTBEAT_CACHE_SECONDS",
        "DOCKERFLOW_DRAIN_SECONDS",
    ],
)
def test_largest_accepted_seconds_are_usable_as_deadlines_and_waits(name):
    rule = conf.VALIDATORS[name]
    largest = rule(
        {
            "DOCKERFLOW_HEARTBEAT_TIMEOUT": conf.MAX_HEARTBEAT_TIMEOUT,
            "DOCKERFLOW_HEARTBEAT_CACHE_SECONDS": conf.MAX_HEARTBEAT_CACHE_SECONDS,
            "DOCKERFLOW_DRAIN_SECONDS": conf.MAX_DRAIN_SECONDS,
        }[name]
    )
    assert math.isfinite(time.monotonic() + largest)
    event = threading.Event()
    event.set()
    assert event.wait(largest)


def test_a_derived_value_is_computed_once_when_threads_ask_together(settings):
    started = threading.Barrier(8)
    calls = []

    @conf.derived
    def slow_config() -> object:
        calls.append(1)
        time.sleep(0.05)  # long enough for every thread to miss the cache
        return object()

    def ask() -> object:
        started.wait()
        return slow_config()

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        values = list(pool.map(lambda _: ask(), range(8)))
    assert len(calls) == 1
    assert all(value is values[0] for value in values)
    settings.DEBUG = not settings.DEBUG  # setting_changed: computed again, once
    assert slow_config() is not values[0]
    assert len(calls) == 2
