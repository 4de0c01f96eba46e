"""dockerflow.django.conf: one cache (derived values), the endpoint paths, imported settings."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.core.exceptions import ImproperlyConfigured

from dockerflow.django import conf
from dockerflow.django.middleware import middleware_config


def test_valid_reads_the_setting_on_each_call(settings, monkeypatch):
    # Only derived values are cached: a second cache of raw values would have to be
    # kept in step with them.
    seen = []
    monkeypatch.setitem(conf.VALIDATORS, "DOCKERFLOW_HEARTBEAT_TIMEOUT", seen.append)
    settings.DOCKERFLOW_HEARTBEAT_TIMEOUT = 2
    conf.valid("DOCKERFLOW_HEARTBEAT_TIMEOUT")
    conf.valid("DOCKERFLOW_HEARTBEAT_TIMEOUT")
    assert seen == [2, 2]


def test_a_derived_value_is_kept_until_a_setting_changes(settings):
    calls = []

    @conf.derived
    def config() -> object:
        calls.append(1)
        return object()

    first = config()
    assert config() is first
    settings.DOCKERFLOW_SUMMARY_LOG_QUERYSTRING = True  # any setting_changed
    assert config() is not first
    assert len(calls) == 2


def test_the_middleware_serves_exactly_the_endpoint_paths(settings):
    served = set(middleware_config().endpoints)
    paths = set(conf.ENDPOINT_PATHS.values())
    assert served == paths | {path + "/" for path in paths}
    settings.DOCKERFLOW_ERROR_ENDPOINT = False
    assert conf.ENDPOINT_PATHS["error"] not in middleware_config().endpoints


def test_an_http_status_enum_is_a_status_code():
    code = conf.validate("DOCKERFLOW_HEARTBEAT_FAILED_STATUS_CODE", HTTPStatus.SERVICE_UNAVAILABLE)
    assert (code, type(code)) == (503, int)
    with pytest.raises(conf.InvalidSetting):
        conf.validate("DOCKERFLOW_HEARTBEAT_FAILED_STATUS_CODE", True)


def summary_fields(request, response):
    return {}


@pytest.mark.parametrize(
    "value", [None, summary_fields, f"{__name__}.summary_fields"], ids=["none", "callable", "path"]
)
def test_imported_gives_the_callable_or_none(settings, value):
    settings.DOCKERFLOW_SUMMARY_EXTRA_FIELDS = value
    expected = None if value is None else summary_fields
    assert conf.imported("DOCKERFLOW_SUMMARY_EXTRA_FIELDS") is expected


def test_imported_names_the_setting_when_the_path_breaks(settings):
    settings.DOCKERFLOW_SUMMARY_EXTRA_FIELDS = f"{__name__}.no_such_function"
    with pytest.raises(ImproperlyConfigured) as info:
        conf.imported("DOCKERFLOW_SUMMARY_EXTRA_FIELDS")
    assert str(info.value).startswith(
        f"DOCKERFLOW_SUMMARY_EXTRA_FIELDS='{__name__}.no_such_function' cannot be imported"
    )
