"""What a project chooses about request.summary: probe lines, and fields of its own."""

from __future__ import annotations

import io
import json
import logging

import pytest
from asgiref.sync import async_to_sync
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse
from django.test import AsyncClient, Client

from dockerflow.django import views
from dockerflow.django.middleware import DockerflowMiddleware
from dockerflow.logging import JsonLogFormatter
from tests.dockerflow.django.test_request_summary import only_summary, summaries

PROBES = ["/__lbheartbeat__", "/__lbheartbeat__/", "/__heartbeat__", "/__heartbeat__/"]
HERE = __name__


def failing_check(app_configs=None, **kwargs):
    from django.core import checks

    return [checks.Error("down", id="tests.E001")]


@pytest.fixture(autouse=True)
def _no_checks(settings):
    settings.DOCKERFLOW_CHECKS = []


@pytest.fixture
def draining(monkeypatch):
    # The drain flag is set by a gunicorn master on SIGTERM (tests/lifecycle does that
    # for real); here only /__lbheartbeat__'s answer matters.
    monkeypatch.setattr(views, "draining", True)


def summary_paths(caplog) -> list[str]:
    return [record.path for record in summaries(caplog)]


# --- DOCKERFLOW_SUMMARY_LOG_PROBES ------------------------------------------------------


def test_probes_are_logged_by_default(client, caplog):
    for path in PROBES:
        assert client.get(path).status_code == 200
    assert summary_paths(caplog) == PROBES


@pytest.mark.parametrize("mode", ["failures", "none"])
def test_quiet_probes_that_pass_write_no_summary(client, caplog, settings, mode):
    settings.DOCKERFLOW_SUMMARY_LOG_PROBES = mode
    for path in PROBES:
        assert client.get(path).status_code == 200
    client.get("/ok/")
    client.get("/__version__")  # not a probe: always logged
    assert summary_paths(caplog) == ["/ok/", "/__version__"]


def test_failing_heartbeat_is_logged_with_failures(client, caplog, settings):
    settings.DOCKERFLOW_SUMMARY_LOG_PROBES = "failures"
    settings.DOCKERFLOW_CHECKS = [f"{HERE}.failing_check"]
    response = client.get("/__heartbeat__", HTTP_X_REQUEST_ID="probe-1")
    assert response.status_code == 500
    record = only_summary(caplog)
    assert (record.path, record.code, record.rid) == ("/__heartbeat__", 500, "probe-1")
    # The check's own line and Django's error line carry the same id.
    others = [r for r in caplog.records if r.name != "request.summary"]
    assert {r.name for r in others} >= {"dockerflow.checks.registry", "django.request"}


def test_failing_heartbeat_is_not_logged_with_none(client, caplog, settings):
    settings.DOCKERFLOW_SUMMARY_LOG_PROBES = "none"
    settings.DOCKERFLOW_CHECKS = [f"{HERE}.failing_check"]
    assert client.get("/__heartbeat__").status_code == 500
    assert summaries(caplog) == []


@pytest.mark.usefixtures("draining")
def test_draining_lbheartbeat_is_logged_with_failures(client, caplog, settings):
    settings.DOCKERFLOW_SUMMARY_LOG_PROBES = "failures"
    response = client.get("/__lbheartbeat__", HTTP_X_REQUEST_ID="lb-1")
    assert response.status_code == 503
    assert response["X-Request-ID"] == "lb-1"
    record = only_summary(caplog)
    assert (record.code, record.rid, record.levelno) == (503, "lb-1", logging.INFO)
    django_line = next(r for r in caplog.records if r.name == "django.request")
    assert django_line.levelno == logging.INFO  # a drain is expected, not an error


@pytest.mark.usefixtures("draining")
def test_draining_lbheartbeat_with_none_keeps_only_djangos_line(client, caplog, settings):
    settings.DOCKERFLOW_SUMMARY_LOG_PROBES = "none"
    assert client.get("/__lbheartbeat__").status_code == 503
    assert summaries(caplog) == []
    assert [(r.name, r.levelno) for r in caplog.records] == [("django.request", logging.INFO)]


@pytest.mark.parametrize("mode", ["failures", "none"])
def test_a_quiet_lbheartbeat_does_no_per_request_work(client, caplog, settings, monkeypatch, mode):
    settings.DOCKERFLOW_SUMMARY_LOG_PROBES = mode

    def must_not_run(*args, **kwargs):
        raise AssertionError("a request id was made for a probe nobody logs")

    monkeypatch.setattr("dockerflow.django.middleware.generate_request_id", must_not_run)
    response = client.get("/__lbheartbeat__")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})
    assert "X-Request-ID" not in response  # an id no line carries would be no use
    assert response["Cache-Control"] == "no-store"
    assert caplog.records == []


def test_quiet_probes_under_asgi(caplog, settings):
    settings.DOCKERFLOW_SUMMARY_LOG_PROBES = "none"

    async def get(path):
        return await AsyncClient().get(path)

    for path in [*PROBES, "/ok/"]:
        assert async_to_sync(get)(path).status_code == 200
    assert summary_paths(caplog) == ["/ok/"]


def test_quiet_probes_through_python_dockerflows_hooks(caplog, settings, rf):
    settings.DOCKERFLOW_SUMMARY_LOG_PROBES = "failures"
    middleware = DockerflowMiddleware()
    for path in ("/__lbheartbeat__", "/__heartbeat__", "/"):
        request = rf.get(path)
        middleware.process_response(request, middleware.process_request(request))
    assert summary_paths(caplog) == ["/"]


@pytest.mark.parametrize("bad", ["All", "some", "", None, True, ["none"]])
def test_a_bad_probe_mode_is_refused_at_startup(settings, bad):
    settings.DOCKERFLOW_SUMMARY_LOG_PROBES = bad
    with pytest.raises(ImproperlyConfigured) as info:
        DockerflowMiddleware(HttpResponse)
    assert str(info.value) == (
        f"DOCKERFLOW_SUMMARY_LOG_PROBES={bad!r} is not valid; "
        "expected one of 'all', 'failures', 'none'"
    )


# --- _build_extra_meta, as python-dockerflow's subclasses override it ----------------------


class TenantMiddleware(DockerflowMiddleware):
    """What projects subclassing python-dockerflow's middleware write."""

    def _build_extra_meta(self, request):
        fields = super()._build_extra_meta(request)
        fields["tenant"] = request.headers.get("X-Tenant", "")
        return fields


class OwnFieldsMiddleware(DockerflowMiddleware):
    """An override that does not call super(): its dict is the fields, and only it."""

    def _build_extra_meta(self, request):
        return {"method": request.method, "path": "/hidden", "errno": 7, "code": 999}


class BrokenMiddleware(DockerflowMiddleware):
    def _build_extra_meta(self, request):
        raise RuntimeError("tenant lookup failed")


def use_middleware(settings, cls):
    settings.MIDDLEWARE = [f"{HERE}.{cls.__name__}"]


def test_an_override_adds_fields_to_ours(settings, client, caplog):
    use_middleware(settings, TenantMiddleware)
    client.get("/ok/", HTTP_X_TENANT="acme", HTTP_X_REQUEST_ID="r-1", HTTP_USER_AGENT="ua")
    record = only_summary(caplog)
    assert (record.tenant, record.rid, record.agent, record.code) == ("acme", "r-1", "ua", 200)
    assert isinstance(record.t, int)


def test_the_overrides_dict_is_what_is_logged_but_errno_and_code(settings, client, caplog):
    use_middleware(settings, OwnFieldsMiddleware)
    client.get("/ok/", HTTP_USER_AGENT="ua")
    record = only_summary(caplog)
    assert (record.path, record.method, record.errno, record.code) == ("/hidden", "GET", 0, 200)
    for absent in ("agent", "lang", "rid", "t"):
        assert not hasattr(record, absent), absent


def test_the_override_is_called_through_python_dockerflows_hooks(caplog, rf):
    request = rf.get("/", HTTP_X_TENANT="acme")
    middleware = TenantMiddleware()
    middleware.process_response(request, middleware.process_request(request))
    assert only_summary(caplog).tenant == "acme"


def test_a_failing_override_still_gives_the_summary(settings, client, caplog):
    use_middleware(settings, BrokenMiddleware)
    assert client.get("/ok/").status_code == 200
    record = only_summary(caplog)
    assert (record.errno, record.code) == (0, 200)
    failure = next(r for r in caplog.records if r.name == "dockerflow.django.request_summary")
    assert failure.levelno == logging.ERROR
    assert "tenant lookup failed" in str(failure.exc_info[1])


# --- DOCKERFLOW_SUMMARY_EXTRA_FIELDS -----------------------------------------------------


def org_fields(request, response):
    return {"org": request.headers.get("X-Org"), "status_seen": response.status_code}


def test_extra_fields_from_a_dotted_path(settings, client, caplog):
    settings.DOCKERFLOW_SUMMARY_EXTRA_FIELDS = f"{HERE}.org_fields"
    client.get("/unavailable/", HTTP_X_ORG="mozilla")
    record = only_summary(caplog)
    assert (record.org, record.status_seen, record.code) == ("mozilla", 503, 503)


def test_extra_fields_see_the_error_response_of_an_exception(settings, caplog):
    settings.DOCKERFLOW_SUMMARY_EXTRA_FIELDS = org_fields
    Client(raise_request_exception=False).get("/boom/")
    record = only_summary(caplog)
    assert (record.errno, record.status_seen) == (500, 500)


def test_extra_fields_never_replace_ours(settings, client, caplog):
    def hostile(request, response):
        return {"path": "/forged", "rid": "forged", "code": 1, "msg": "forged", "ok": True}

    settings.DOCKERFLOW_SUMMARY_EXTRA_FIELDS = hostile
    client.get("/ok/", HTTP_X_REQUEST_ID="real")
    record = only_summary(caplog)
    assert (record.path, record.rid, record.code, record.getMessage()) == ("/ok/", "real", 200, "")
    assert record.ok is True


def test_extra_fields_add_to_an_overrides_fields_without_replacing_them(settings, client, caplog):
    use_middleware(settings, TenantMiddleware)
    settings.DOCKERFLOW_SUMMARY_EXTRA_FIELDS = lambda request, response: {"tenant": "x", "y": 1}
    client.get("/ok/", HTTP_X_TENANT="acme")
    record = only_summary(caplog)
    assert (record.tenant, record.y) == ("acme", 1)


@pytest.mark.parametrize(
    ("returned", "problem"),
    [(None, None), (["org", 1], "returned list, expected a dict or None"), (RuntimeError, "boom")],
)
def test_failing_extra_fields_leave_the_summary_whole(settings, client, caplog, returned, problem):
    def fields(request, response):
        if returned is RuntimeError:
            raise RuntimeError("boom")
        return returned

    settings.DOCKERFLOW_SUMMARY_EXTRA_FIELDS = fields
    assert client.get("/ok/", HTTP_X_REQUEST_ID="r-2").status_code == 200
    assert only_summary(caplog).rid == "r-2"
    failures = [r for r in caplog.records if r.name == "dockerflow.django.request_summary"]
    if problem is None:
        assert failures == []
    else:
        (failure,) = failures
        assert problem in str(failure.exc_info[1])


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (42, "DOCKERFLOW_SUMMARY_EXTRA_FIELDS=42 is not valid; expected None, a callable or "
         "a dotted path such as 'myproject.logging.summary_fields'"),
        ("no.such.module", "DOCKERFLOW_SUMMARY_EXTRA_FIELDS='no.such.module' cannot be imported"),
        (f"{HERE}.PROBES", f"DOCKERFLOW_SUMMARY_EXTRA_FIELDS='{HERE}.PROBES' is not callable"),
    ],
)  # fmt: skip
def test_a_bad_extra_fields_setting_is_refused_at_startup(settings, value, message):
    settings.DOCKERFLOW_SUMMARY_EXTRA_FIELDS = value
    with pytest.raises(ImproperlyConfigured) as info:
        DockerflowMiddleware(HttpResponse)
    assert str(info.value).startswith(message)


def test_secret_named_extra_fields_are_masked_in_the_line(settings, client, caplog):
    # The masking of secret-looking keys happens in the formatter, for every field of
    # every record (issue 24): fields a project adds get no exception.
    settings.DOCKERFLOW_SUMMARY_EXTRA_FIELDS = lambda request, response: {
        "api_token": "tok-0123456789abcdef",
        "tenant": "acme",
    }
    client.get("/ok/")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonLogFormatter(logger_name="tests"))
    handler.handle(only_summary(caplog))
    line = stream.getvalue()
    assert "tok-0123456789abcdef" not in line
    assert json.loads(line)["Fields"]["tenant"] == "acme"
