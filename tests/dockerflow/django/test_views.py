"""The endpoint views: /__heartbeat__, /__lbheartbeat__ and /__error__ (version: its own module)."""

from __future__ import annotations

import logging

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse

from dockerflow import checks
from dockerflow.django import views
from dockerflow.django.middleware import DockerflowMiddleware
from dockerflow.django.signals import heartbeat_failed, heartbeat_passed
from tests.dockerflow.django.test_request_summary import only_summary

HERE = __name__


def ok_check(app_configs, **kwargs):
    return []


def info_check(app_configs, **kwargs):
    return [checks.Info("just so you know", id="tests.I001")]


def warning_check(app_configs, **kwargs):
    return [checks.Warning("some warning", id="tests.W001")]


def error_check(app_configs, **kwargs):
    return [checks.Error("some error", id="tests.E001")]


def critical_check(app_configs, **kwargs):
    return [checks.Critical("on fire", id="tests.C001")]


@pytest.fixture(autouse=True)
def _fast_heartbeat(settings):
    settings.DOCKERFLOW_HEARTBEAT_TIMEOUT = 0.5
    settings.DOCKERFLOW_CHECKS = [f"{HERE}.ok_check"]


def set_checks(settings, *names):
    settings.DOCKERFLOW_CHECKS = [f"{HERE}.{name}" for name in names]


def assert_json_no_store(response):
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"
    return response.json()


# --- /__heartbeat__ --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("names", "status", "code"),
    [
        ((), "ok", 200),
        (("ok_check",), "ok", 200),
        (("info_check",), "info", 200),
        (("warning_check", "ok_check"), "warning", 200),
        (("warning_check", "error_check"), "error", 500),
        (("critical_check",), "critical", 500),
    ],
)
def test_heartbeat_status_and_code(client, settings, names, status, code):
    set_checks(settings, *names)
    response = client.get("/__heartbeat__")
    assert response.status_code == code
    assert assert_json_no_store(response) == {"status": status}


def test_heartbeat_details_follow_debug_by_default(client, settings):
    set_checks(settings, "warning_check", "error_check")
    assert "details" not in client.get("/__heartbeat__").json()
    settings.DEBUG = True
    body = client.get("/__heartbeat__").json()
    assert body["status"] == "error"
    assert body["checks"] == {"warning_check": "warning", "error_check": "error"}
    assert body["details"]["error_check"]["messages"] == {"tests.E001": "some error"}
    assert body["details"]["warning_check"]["level"] == checks.WARNING


@pytest.mark.parametrize(
    ("details", "debug", "shown"),
    [(True, False, True), (False, True, False), (None, True, True), (None, False, False)],
)
def test_heartbeat_details_setting(client, settings, details, debug, shown):
    set_checks(settings, "info_check")
    settings.DOCKERFLOW_HEARTBEAT_DETAILS = details
    settings.DEBUG = debug
    body = client.get("/__heartbeat__").json()
    assert ("checks" in body, "details" in body) == (shown, shown)


@pytest.mark.parametrize("code", [400, 503, 599])
def test_heartbeat_failed_status_code_setting(client, settings, code):
    set_checks(settings, "error_check")
    settings.DOCKERFLOW_HEARTBEAT_FAILED_STATUS_CODE = code
    assert client.get("/__heartbeat__").status_code == code
    set_checks(settings, "warning_check")
    assert client.get("/__heartbeat__").status_code == 200


@pytest.mark.parametrize("bad", ["abc", "5O3", 200, 399, 600, 503.0, True, None])
def test_heartbeat_bad_failed_status_code_is_a_json_500(client, settings, caplog, bad):
    set_checks(settings, "error_check")
    settings.DOCKERFLOW_HEARTBEAT_FAILED_STATUS_CODE = bad
    response = client.get("/__heartbeat__")
    assert response.status_code == 500
    assert assert_json_no_store(response) == {"status": "error"}
    (logged,) = [r for r in caplog.records if r.name == "dockerflow.django"]
    assert logged.levelno == logging.ERROR
    assert "DOCKERFLOW_HEARTBEAT_FAILED_STATUS_CODE" in str(logged.exc_info[1])
    assert repr(bad) in str(logged.exc_info[1])


def test_heartbeat_failed_status_code_as_digits_is_honoured(client, settings):
    set_checks(settings, "error_check")
    settings.DOCKERFLOW_HEARTBEAT_FAILED_STATUS_CODE = "503"  # e.g. read from os.environ
    assert client.get("/__heartbeat__").status_code == 503


def test_heartbeat_bad_setting_in_run_heartbeat_is_a_json_500(client, settings, caplog):
    # A real failure of run_heartbeat itself: a setting it refuses (ImproperlyConfigured).
    settings.DOCKERFLOW_HEARTBEAT_TIMEOUT = "soon"
    response = client.get("/__heartbeat__")
    assert response.status_code == 500
    assert assert_json_no_store(response) == {"status": "error"}
    errors = [r for r in caplog.records if r.name == "dockerflow.django"]
    assert len(errors) == 1
    assert errors[0].levelno == logging.ERROR
    assert isinstance(errors[0].exc_info[1], ImproperlyConfigured)
    summary = only_summary(caplog)
    assert (summary.levelno, summary.errno, summary.code) == (logging.INFO, 0, 500)


def test_heartbeat_error_detail_shown_only_with_details(client, settings, monkeypatch):
    def explode(*, sender=None):
        raise RuntimeError("checks registry on fire")

    monkeypatch.setattr(views, "run_heartbeat", explode)
    assert client.get("/__heartbeat__").json() == {"status": "error"}
    settings.DOCKERFLOW_HEARTBEAT_DETAILS = True
    body = client.get("/__heartbeat__").json()
    assert body == {"status": "error", "error": "RuntimeError: checks registry on fire"}


def test_heartbeat_sends_the_view_as_sender(client, settings):
    received = []

    def receiver(sender, level, **kwargs):
        received.append((sender, level))

    heartbeat_passed.connect(receiver)
    heartbeat_failed.connect(receiver)
    try:
        client.get("/__heartbeat__")
        set_checks(settings, "error_check")
        client.get("/__heartbeat__")
    finally:
        heartbeat_passed.disconnect(receiver)
        heartbeat_failed.disconnect(receiver)
    assert received == [(views.heartbeat, 0), (views.heartbeat, checks.ERROR)]


def test_heartbeat_view_called_directly(rf, settings):
    set_checks(settings, "warning_check")
    response = views.heartbeat(rf.get("/anything"))
    assert response.status_code == 200
    assert response.content == b'{"status":"warning"}'


# --- /__lbheartbeat__ and /__error__ ---------------------------------------------------


def test_lbheartbeat_view(rf):
    response = views.lbheartbeat(rf.get("/"))
    assert response.status_code == 200
    assert response.content == b'{"status":"ok"}'
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_error_view_raises_and_logs_python_dockerflows_message(rf, caplog):
    with pytest.raises(views.DeliberateError) as raised:
        views.error(rf.get("/"))
    assert str(raised.value) == "The __error__ endpoint was called"
    (record,) = caplog.records
    assert (record.name, record.levelno) == ("dockerflow.django", logging.ERROR)
    assert record.getMessage() == "The __error__ endpoint was called"


def test_error_through_process_request_raises_for_django_to_handle(rf, caplog):
    # python-dockerflow's own test calls the hook directly and expects the exception.
    middleware = DockerflowMiddleware(lambda request: HttpResponse())
    with pytest.raises(views.DeliberateError, match="__error__ endpoint"):
        middleware.process_request(rf.get("/__error__"))
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == [
        "The __error__ endpoint was called"
    ]


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/__lbheartbeat__", 200),
        ("/__heartbeat__", 200),
        ("/__version__", 404),
        ("/__error__", 500),
    ],
)
def test_every_endpoint_answer_says_nosniff(client, settings, tmp_path, path, status):
    settings.BASE_DIR = tmp_path  # no version.json: the 404
    client.raise_request_exception = False
    response = client.get(path)
    assert response.status_code == status
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "no-store"


def test_failing_heartbeat_says_nosniff(client, settings):
    set_checks(settings, "error_check")
    response = client.get("/__heartbeat__")
    assert response.status_code == 500
    assert response["X-Content-Type-Options"] == "nosniff"
