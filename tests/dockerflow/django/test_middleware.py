"""DockerflowMiddleware: routing, request ids, probes before host/SSL checks, hooks, async."""

from __future__ import annotations

import builtins
import contextvars
import io
import json
import logging
import os
import threading

import pytest
from asgiref.sync import async_to_sync
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import got_request_exception
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.test import AsyncClient, Client
from django.urls import path
from django.utils.deprecation import MiddlewareMixin

from dockerflow.django import views
from dockerflow.django.middleware import DockerflowMiddleware, middleware_config
from dockerflow.logging.request_id import is_valid_request_id, request_id_context
from tests.dockerflow.django.test_request_summary import only_summary, summaries
from tests.urls import urlpatterns as base_urlpatterns


def current_request_id(request):
    return JsonResponse({"rid": request_id_context.get(), "_id": request._id})


def project_error_page(request):
    return HttpResponse("the project's own /__error__", status=418)


# A URLconf for these tests: the shared one, plus a view reporting the request id and
# a project route at /__error__ (reached only when the built-in endpoint is off).
urlpatterns = [
    *base_urlpatterns,
    path("rid/", current_request_id),
    path("__error__", project_error_page),
]


@pytest.fixture(autouse=True)
def _this_urlconf(settings):
    settings.ROOT_URLCONF = __name__


@pytest.fixture(autouse=True)
def _no_request_id_leaks():
    assert request_id_context.get() is None
    yield
    assert request_id_context.get() is None, "a request left its id in the context"


@pytest.fixture(autouse=True)
def _stub_heartbeat(monkeypatch):
    """Heartbeat results are the views tests' business; here it must just answer fast."""

    class Results:
        level, statuses, details = 0, {}, {}

    monkeypatch.setattr(views, "run_heartbeat", lambda *, sender=None: Results())

    async def run_heartbeat_async(*, sender=None):
        return Results()

    monkeypatch.setattr(views, "run_heartbeat_async", run_heartbeat_async)


ENDPOINTS = ["/__version__", "/__heartbeat__", "/__lbheartbeat__"]


# --- routing ---------------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("slash", ["", "/"])
def test_endpoints_served_with_and_without_trailing_slash(client, caplog, endpoint, slash):
    response = client.get(endpoint + slash)
    assert response.status_code in (200, 404)  # /__version__ is 404 without version.json
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Type"] == "application/json"
    json.loads(response.content)
    record = only_summary(caplog)
    assert record.path == endpoint + slash
    assert record.code == response.status_code


@pytest.mark.parametrize(
    "lookalike",
    ["/__lbheartbeat__x", "/x/__lbheartbeat__", "/__LBHEARTBEAT__", "/__lbheartbeat__//"],
)
def test_lookalike_paths_fall_through_to_the_urlconf(client, lookalike):
    assert client.get(lookalike).status_code == 404


def test_endpoints_match_path_info_under_a_script_name(caplog):
    client = Client(SCRIPT_NAME="/prefix")
    response = client.get("/__lbheartbeat__")
    assert response.status_code == 200
    assert only_summary(caplog).path == "/prefix/__lbheartbeat__"


def test_error_endpoint_on_by_default(client, caplog):
    with pytest.raises(views.DeliberateError):
        client.get("/__error__")
    record = only_summary(caplog)
    assert (record.levelno, record.errno, record.code) == (logging.ERROR, 500, 500)
    assert isinstance(record.exc_info[1], views.DeliberateError)
    endpoint_logs = [r for r in caplog.records if r.name == "dockerflow.django"]
    assert [r.levelno for r in endpoint_logs] == [logging.ERROR]


def test_error_endpoint_gives_the_projects_500_page(caplog):
    response = Client(raise_request_exception=False).get("/__error__/")
    assert response.status_code == 500
    assert response["Cache-Control"] == "no-store"
    assert any(r.name == "django.request" and r.levelno == logging.ERROR for r in caplog.records)


def test_error_endpoint_switched_off_falls_through(client, caplog, settings):
    settings.DOCKERFLOW_ERROR_ENDPOINT = False
    response = client.get("/__error__")
    assert response.status_code == 418
    assert response.content == b"the project's own /__error__"
    assert client.get("/__error__/").status_code == 404
    assert [r.errno for r in summaries(caplog)] == [0, 0]


def test_settings_changes_apply_to_a_running_middleware(settings, caplog):
    client = Client(raise_request_exception=False)
    assert client.get("/__error__").status_code == 500
    settings.DOCKERFLOW_ERROR_ENDPOINT = False
    assert client.get("/__error__").status_code == 418
    settings.DOCKERFLOW_ERROR_ENDPOINT = True
    assert client.get("/__error__").status_code == 500


# --- request ids -----------------------------------------------------------------------


def test_valid_incoming_request_id_is_used(client, caplog):
    response = client.get("/rid/", HTTP_X_REQUEST_ID="abc-123.x:y_z")
    assert response.json() == {"rid": "abc-123.x:y_z", "_id": "abc-123.x:y_z"}
    assert only_summary(caplog).rid == "abc-123.x:y_z"


@pytest.mark.parametrize(
    "hostile",
    [
        "abc\ninjected",
        "abc\r\nX-Evil: 1",
        "x" * 10_240,
        "x" * 129,
        "ünïcødé",
        "id with spaces",
        '"quoted"',
        "",
        "{}",
    ],
)
def test_hostile_request_ids_are_replaced(client, caplog, hostile):
    response = client.get("/rid/", HTTP_X_REQUEST_ID=hostile)
    rid = response.json()["rid"]
    assert rid != hostile
    assert is_valid_request_id(rid)
    assert len(rid) == 36  # a generated UUID4
    record = only_summary(caplog)
    assert record.rid == rid
    if hostile:
        formatted = [
            logging.getLogger("request.summary").handlers[0].format(r) for r in caplog.records
        ]
        assert not any(hostile in line for line in formatted)


def test_request_id_header_name_setting(client, caplog, settings):
    settings.DOCKERFLOW_REQUEST_ID_HEADER_NAME = "X-Trace-Id"
    assert client.get("/rid/", HTTP_X_TRACE_ID="trace-1").json()["rid"] == "trace-1"
    assert client.get("/rid/", HTTP_X_REQUEST_ID="req-1").json()["rid"] != "req-1"
    settings.DOCKERFLOW_REQUEST_ID_HEADER_NAME = None  # python-dockerflow's "use the default"
    assert client.get("/rid/", HTTP_X_REQUEST_ID="req-1").json()["rid"] == "req-1"


@pytest.mark.parametrize("bad", ["X Request", "X-Req\n", 42, "Ünï"])
def test_bad_request_id_header_name_is_a_clear_error(settings, bad):
    settings.DOCKERFLOW_REQUEST_ID_HEADER_NAME = bad
    with pytest.raises(ImproperlyConfigured, match="DOCKERFLOW_REQUEST_ID_HEADER_NAME") as info:
        DockerflowMiddleware(HttpResponse)
    assert repr(bad) in str(info.value)


def test_request_id_is_reset_after_each_request(client, caplog):
    first = client.get("/rid/").json()["rid"]
    assert request_id_context.get() is None
    client.get("/__lbheartbeat__")
    assert request_id_context.get() is None
    probe_rid = only_summary_at(caplog, 1).rid
    assert is_valid_request_id(probe_rid)
    assert probe_rid != first  # a probe gets its own id, not the previous request's
    logging.getLogger("dockerflow.tests").warning("outside any request")
    assert request_id_context.get() is None


def only_summary_at(caplog, index):
    return summaries(caplog)[index]


def test_request_id_is_reset_even_when_the_view_fails(caplog):
    Client(raise_request_exception=False).get("/boom/")
    assert request_id_context.get() is None


# --- probes: before host validation and SSL redirect, without I/O -----------------------


@pytest.fixture
def forbid_get_host(monkeypatch):
    def get_host(self):
        raise AssertionError("request.get_host() called for a probe")

    monkeypatch.setattr(HttpRequest, "get_host", get_host)
    monkeypatch.setattr(HttpRequest, "build_absolute_uri", get_host)


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.usefixtures("forbid_get_host")
def test_probes_never_ask_for_the_host(client, caplog, settings, endpoint):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get(endpoint, HTTP_HOST="10.0.0.7:8000")
    assert response.status_code in (200, 404)
    assert only_summary(caplog).code == response.status_code


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_probes_answer_a_host_not_in_allowed_hosts(client, endpoint):
    assert client.get(endpoint, HTTP_HOST="10.0.0.7:8000").status_code in (200, 404)
    # ...whereas a normal page is refused, so the test really exercises host validation.
    assert client.get("/ok/", HTTP_HOST="10.0.0.7:8000").status_code == 400


def test_probes_are_not_redirected_to_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/__lbheartbeat__").status_code == 200
    assert client.get("/ok/").status_code == 301


@pytest.mark.django_db
def test_lbheartbeat_makes_no_query_and_opens_nothing(
    client, caplog, monkeypatch, django_assert_num_queries
):
    opened = []
    # Only this thread's calls: a check thread left by an earlier test may still be
    # finishing (and reading source lines for a traceback) while this request runs.
    this_thread = threading.get_ident()

    def spy(real):
        def wrapper(*args, **kwargs):
            if threading.get_ident() == this_thread:
                opened.append(args[:1])
            return real(*args, **kwargs)

        return wrapper

    for module, name in [
        (builtins, "open"),
        (io, "open"),
        (os, "open"),
        (os, "stat"),
        (os, "scandir"),
    ]:
        monkeypatch.setattr(module, name, spy(getattr(module, name)))
    with django_assert_num_queries(0):
        response = client.get("/__lbheartbeat__")
    monkeypatch.undo()
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert opened == []
    assert only_summary(caplog).code == 200


# --- python-dockerflow's hooks, called directly -----------------------------------------


@pytest.fixture
def summary_request(rf):
    return rf.get("/", HTTP_USER_AGENT="dockerflow/tests", HTTP_ACCEPT_LANGUAGE="tlh")


@pytest.mark.parametrize("get_response", [None, HttpResponse()], ids=["no-arg", "response"])
def test_hooks_process_request_and_response(caplog, summary_request, get_response):
    middleware = (
        DockerflowMiddleware() if get_response is None else DockerflowMiddleware(get_response)
    )
    assert middleware.summary_logger is logging.getLogger("request.summary")
    assert middleware.process_request(summary_request) is None
    assert is_valid_request_id(summary_request._id)
    assert isinstance(summary_request._start_timestamp, float)
    assert request_id_context.get() == summary_request._id
    response = HttpResponse("x")
    assert middleware.process_response(summary_request, response) is response
    record = only_summary(caplog)
    assert (record.levelno, record.errno, record.code) == (logging.INFO, 0, 200)
    assert record.rid == summary_request._id
    assert (record.agent, record.lang, record.method, record.path) == (
        "dockerflow/tests",
        "tlh",
        "GET",
        "/",
    )
    assert isinstance(record.t, int)
    assert request_id_context.get() is None


def test_hooks_process_response_without_a_response(caplog, summary_request):
    middleware = DockerflowMiddleware()
    response = middleware.process_request(summary_request)
    middleware.process_response(summary_request, response)
    assert only_summary(caplog).code is None


def test_hooks_process_exception(caplog, summary_request):
    middleware = DockerflowMiddleware()
    middleware.process_request(summary_request)
    assert middleware.process_exception(summary_request, ValueError("exception message")) is None
    middleware.process_response(summary_request, HttpResponse(status=500))
    record = only_summary(caplog)
    assert (record.levelno, record.errno) == (logging.ERROR, 500)
    assert record.getMessage() == "exception message"


def test_hooks_serve_endpoints_from_process_request(caplog, rf):
    middleware = DockerflowMiddleware()
    request = rf.get("/__lbheartbeat__/")
    response = middleware.process_request(request)
    assert response.status_code == 200
    middleware.process_response(request, response)
    assert only_summary(caplog).path == "/__lbheartbeat__/"


def test_hooks_let_the_error_endpoint_raise_and_reset_the_id(caplog, rf):
    # As python-dockerflow's process_request: /__error__'s exception goes up to Django.
    middleware = DockerflowMiddleware()
    request = rf.get("/__error__")
    with pytest.raises(views.DeliberateError):
        middleware.process_request(request)
    assert request_id_context.get() is None
    assert "_dockerflow_rid_token" not in request.__dict__
    assert summaries(caplog) == []  # Django's handler answers it; the hooks log nothing


def test_summary_survives_a_middleware_that_removed_our_attributes(caplog, summary_request):
    class HostileMiddleware(MiddlewareMixin):
        def process_request(self, request):
            del request._id
            del request._start_timestamp

    middleware = DockerflowMiddleware()
    middleware.process_request(summary_request)
    rid = request_id_context.get()
    HostileMiddleware(HttpResponse).process_request(summary_request)
    middleware.process_response(summary_request, HttpResponse())
    record = only_summary(caplog)
    assert record.rid == rid
    assert not hasattr(record, "t")


def test_summary_survives_removed_attributes_in_the_full_stack(client, caplog, settings):
    settings.MIDDLEWARE = [
        "dockerflow.django.middleware.DockerflowMiddleware",
        f"{__name__}.AttributeStripper",
    ]
    client.get("/ok/", HTTP_X_REQUEST_ID="kept")
    record = only_summary(caplog)
    assert record.rid == "kept"
    assert record.code == 200


class AttributeStripper:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        del request._id, request._start_timestamp
        return self.get_response(request)


def test_process_response_alone_logs_without_an_id(caplog, rf):
    request = rf.get("/")
    DockerflowMiddleware().process_response(request, HttpResponse())
    record = only_summary(caplog)
    assert record.rid is None
    assert not hasattr(record, "t")


def test_exception_signal_without_request_or_exception_is_ignored(rf):
    request = rf.get("/")
    got_request_exception.send(sender=None, request=None)
    got_request_exception.send(sender=None, request=request)  # not inside an except block
    assert "_dockerflow_exception" not in request.__dict__


def test_reset_from_another_context_is_harmless(caplog, summary_request):
    middleware = DockerflowMiddleware()
    contextvars.copy_context().run(middleware.process_request, summary_request)
    middleware.process_response(summary_request, HttpResponse())
    assert only_summary(caplog).rid == summary_request._id


def test_get_response_raising_outside_django_still_logs_and_resets(caplog, rf):
    def get_response(request):
        raise KeyError("raw")

    with pytest.raises(KeyError):
        DockerflowMiddleware(get_response)(rf.get("/x"))
    record = only_summary(caplog)
    assert (record.errno, record.code) == (500, None)


def test_config_is_cached_until_settings_change(settings):
    first = middleware_config()
    assert middleware_config() is first
    settings.DOCKERFLOW_SUMMARY_LOG_QUERYSTRING = True
    assert middleware_config() is not first
    assert middleware_config().log_querystring is True


# --- async -----------------------------------------------------------------------------


def async_get(client: AsyncClient, path: str, **kwargs):
    # Django 4.2's AsyncClient.get is not marked as a coroutine function, which
    # async_to_sync warns about: wrap it in one.
    async def get():
        return await client.get(path, **kwargs)

    return async_to_sync(get)()


@pytest.mark.parametrize("endpoint", [*ENDPOINTS, "/ok/", "/not-found/"])
def test_async_stack(caplog, endpoint):
    client = AsyncClient()
    response = async_get(client, endpoint, headers={"X-Request-ID": "async-1"})
    assert response.status_code in (200, 404)
    record = only_summary(caplog)
    assert (record.rid, record.code) == ("async-1", response.status_code)


def test_async_stack_unhandled_exception(caplog):
    client = AsyncClient(raise_request_exception=False)
    assert async_get(client, "/boom/").status_code == 500
    assert only_summary(caplog).errno == 500


def test_async_get_response_raising(caplog, rf):
    async def get_response(request):
        raise KeyError("raw")

    middleware = DockerflowMiddleware(get_response)
    with pytest.raises(KeyError):
        async_to_sync(middleware)(rf.get("/x"))
    assert only_summary(caplog).errno == 500
