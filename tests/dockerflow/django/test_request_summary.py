"""The ``request.summary`` record: fields, caps, levels, exactly one per request."""

from __future__ import annotations

import logging
import uuid

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.test import Client
from django.utils.functional import SimpleLazyObject

from dockerflow.django import request_summary
from dockerflow.django.middleware import DockerflowMiddleware
from dockerflow.django.request_summary import (
    MAX_AGENT,
    MAX_LANG,
    MAX_MESSAGE,
    MAX_METHOD,
    MAX_PATH,
    MAX_QUERYSTRING,
    loaded_user_id,
)
from dockerflow.logging.request_id import is_valid_request_id, request_id_context


def summaries(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """The request.summary records captured so far."""
    return [r for r in caplog.records if r.name == "request.summary"]


def only_summary(caplog: pytest.LogCaptureFixture) -> logging.LogRecord:
    """The one request.summary record (fails when there are none or several)."""
    records = summaries(caplog)
    assert len(records) == 1, [r.__dict__ for r in records]
    return records[0]


@pytest.fixture
def quiet_client() -> Client:
    """A client that returns the 500 response instead of re-raising the view's error."""
    return Client(raise_request_exception=False)


def test_fields_of_a_plain_request(client, caplog):
    response = client.get("/ok/", HTTP_USER_AGENT="dockerflow/tests", HTTP_ACCEPT_LANGUAGE="tlh")
    assert response.status_code == 200
    record = only_summary(caplog)
    assert record.levelno == logging.INFO
    assert record.getMessage() == ""
    assert record.errno == 0
    assert record.code == 200
    assert record.agent == "dockerflow/tests"
    assert record.lang == "tlh"
    assert record.method == "GET"
    assert record.path == "/ok/"
    assert is_valid_request_id(record.rid)
    assert isinstance(record.t, int)
    assert 0 <= record.t < 10_000
    assert record.exc_info is None
    # The view never looked at request.user: the summary does not load it either.
    assert not hasattr(record, "uid")
    assert not hasattr(record, "querystring")


def test_missing_headers_are_empty_strings(client, caplog):
    client.get("/ok/")
    record = only_summary(caplog)
    assert record.agent == ""
    assert record.lang == ""


def test_funcname_and_location_need_no_stack_walk(client, caplog):
    client.get("/ok/")
    record = only_summary(caplog)
    assert record.funcName == "request_summary"
    assert record.pathname == request_summary.__file__


@pytest.mark.parametrize(
    ("path", "code", "exception_logger"),
    [
        ("/not-found/", 404, None),
        ("/forbidden/", 403, "django.request"),
        ("/bad-request/", 400, "django.request"),
        ("/suspicious/", 400, "django.security.SuspiciousOperation"),
        ("/no-such-page/", 404, None),
    ],
)
def test_client_errors_are_info_with_errno_0(client, caplog, path, code, exception_logger):
    response = client.get(path)
    assert response.status_code == code
    record = only_summary(caplog)
    assert record.levelno == logging.INFO
    assert record.errno == 0
    assert record.code == code
    assert record.exc_info is None
    assert record.getMessage() == ""
    if exception_logger:  # Django still reports them its own way
        assert any(r.name == exception_logger for r in caplog.records)


def test_unhandled_exception_is_one_error_record(quiet_client, caplog):
    response = quiet_client.get("/boom/")
    assert response.status_code == 500
    record = only_summary(caplog)
    assert record.levelno == logging.ERROR
    assert record.errno == 500
    assert record.code == 500
    assert record.getMessage() == "boom"
    assert record.exc_info[0] is ValueError
    assert str(record.exc_info[1]) == "boom"


def test_unhandled_exception_is_reraised_by_the_test_client_after_logging(client, caplog):
    with pytest.raises(ValueError, match="boom"):
        client.get("/boom/")
    assert only_summary(caplog).errno == 500


def test_view_returning_503_is_info_with_its_code(client, caplog):
    response = client.get("/unavailable/")
    assert response.status_code == 503
    record = only_summary(caplog)
    assert (record.levelno, record.errno, record.code) == (logging.INFO, 0, 503)


class ExplodingMiddleware:
    """A middleware below Dockerflow's that fails: process_exception never sees it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        raise RuntimeError("middleware exploded")


def test_exception_in_a_later_middleware_is_a_server_error(settings, quiet_client, caplog):
    settings.MIDDLEWARE = [
        "dockerflow.django.middleware.DockerflowMiddleware",
        f"{__name__}.ExplodingMiddleware",
    ]
    response = quiet_client.get("/ok/")
    assert response.status_code == 500
    record = only_summary(caplog)
    assert (record.levelno, record.errno, record.code) == (logging.ERROR, 500, 500)
    assert record.getMessage() == "middleware exploded"


def test_querystring_logged_unquoted_only_when_enabled(client, caplog, settings):
    client.get("/ok/?x=%D8%B4%D9%83%D8%B1&y=a+b%20c")
    assert not hasattr(only_summary(caplog), "querystring")
    caplog.clear()

    settings.DOCKERFLOW_SUMMARY_LOG_QUERYSTRING = True
    client.get("/ok/?x=%D8%B4%D9%83%D8%B1&y=a+b%20c")
    assert only_summary(caplog).querystring == "x=شكر&y=a+b c"
    caplog.clear()

    client.get("/ok/")
    assert only_summary(caplog).querystring == ""


def test_client_controlled_values_are_capped(client, caplog, settings):
    settings.DOCKERFLOW_SUMMARY_LOG_QUERYSTRING = True
    huge = "A" * 100_000
    response = client.get(
        "/" + "p" * 20_000,
        {"q": huge},
        HTTP_USER_AGENT=huge,
        HTTP_ACCEPT_LANGUAGE=huge,
    )
    assert response.status_code == 404
    record = only_summary(caplog)
    assert record.agent == "A" * MAX_AGENT
    assert record.lang == "A" * MAX_LANG
    assert record.path == "/" + "p" * (MAX_PATH - 1)
    assert record.querystring == ("q=" + huge)[:MAX_QUERYSTRING]
    formatted = logging.getLogger("request.summary").handlers[0].format(record)
    assert len(formatted) < 10_000


def test_percent_encoded_querystring_cap_applies_after_unquoting(client, caplog, settings):
    settings.DOCKERFLOW_SUMMARY_LOG_QUERYSTRING = True
    client.get("/ok/?" + "%41" * 50_000)
    assert only_summary(caplog).querystring == "A" * MAX_QUERYSTRING


def test_method_is_capped(client, caplog):
    client.generic("X" * 5000, "/ok/")
    assert only_summary(caplog).method == "X" * MAX_METHOD


def test_exception_message_is_capped(caplog, rf):
    request = rf.get("/")
    request_summary.log_summary(
        logging.getLogger("request.summary"),
        request,
        None,
        ValueError("m" * 100_000),
        lambda request: request_summary.summary_fields(request, log_querystring=False),
        None,
    )
    record = only_summary(caplog)
    assert record.getMessage() == "m" * MAX_MESSAGE
    assert record.code is None
    assert not hasattr(record, "t")


def test_nothing_is_built_when_the_logger_is_silenced(client, caplog, monkeypatch, settings):
    built = []
    monkeypatch.setattr(DockerflowMiddleware, "_build_extra_meta", built.append)
    settings.DOCKERFLOW_SUMMARY_EXTRA_FIELDS = lambda request, response: built.append(request)
    caplog.set_level(logging.WARNING, logger="request.summary")
    assert client.get("/ok/").status_code == 200
    assert summaries(caplog) == []
    assert built == []


def test_errors_are_still_logged_when_info_is_silenced(quiet_client, caplog):
    caplog.set_level(logging.WARNING, logger="request.summary")
    quiet_client.get("/ok/")
    quiet_client.get("/boom/")
    assert [r.errno for r in summaries(caplog)] == [500]


# --- uid: only a user that is already loaded -------------------------------------------


@pytest.mark.django_db
def test_uid_absent_and_no_query_when_the_view_ignores_the_user(
    client, caplog, django_assert_num_queries
):
    user = User.objects.create_user("alice", password="pw")
    client.force_login(user)
    with django_assert_num_queries(0):
        client.get("/ok/")
    assert not hasattr(only_summary(caplog), "uid")


@pytest.mark.django_db
def test_uid_is_the_pk_when_the_view_loaded_the_user(client, caplog):
    user = User.objects.create_user("bob", password="pw")
    client.force_login(user)
    response = client.get("/user/")
    assert response.content == b"True"
    assert only_summary(caplog).uid == user.pk


@pytest.mark.django_db
def test_uid_is_empty_for_an_anonymous_user_that_was_loaded(client, caplog):
    assert client.get("/user/").content == b"False"
    assert only_summary(caplog).uid == ""


def test_loaded_user_id_never_evaluates_a_lazy_user(rf):
    request = rf.get("/")

    def load():
        raise AssertionError("the lazy user was evaluated")

    request.user = SimpleLazyObject(load)
    assert loaded_user_id(request) is None


def test_loaded_user_id_reads_an_evaluated_lazy_user(rf):
    request = rf.get("/")
    request.user = SimpleLazyObject(lambda: User(pk=7, username="x"))
    assert request.user.pk == 7  # the view evaluated it
    assert loaded_user_id(request) == 7


def test_loaded_user_id_sources(rf):
    request = rf.get("/")
    assert loaded_user_id(request) is None
    request.user = None
    assert loaded_user_id(request) is None
    request.user = AnonymousUser()
    assert loaded_user_id(request) == ""
    request._acached_user = User(pk=3)
    assert loaded_user_id(request) == 3
    request._cached_user = User(pk=4)
    assert loaded_user_id(request) == 4


def test_loaded_user_id_stringifies_exotic_primary_keys(rf):
    class UuidUser:
        is_authenticated = True
        pk = uuid.UUID(int=1)

    request = rf.get("/")
    request.user = UuidUser()
    assert loaded_user_id(request) == str(uuid.UUID(int=1))


class ContextRecorder(logging.Handler):
    """Remembers each record with the request id that was current when it was emitted."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[logging.LogRecord, str | None]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.seen.append((record, request_id_context.get()))


@pytest.mark.parametrize(
    ("path", "code"),
    [
        ("/unavailable/", 503),  # a view returning an error response
        ("/not-found/", 404),  # Http404 raised
        ("/no-such-url/", 404),  # the resolver's 404
        ("/forbidden/", 403),
        ("/boom/", 500),  # unhandled exception
    ],
)
def test_djangos_own_error_line_carries_the_request_id_once(quiet_client, caplog, path, code):
    recorder = ContextRecorder()
    django_request = logging.getLogger("django.request")
    django_request.addHandler(recorder)
    try:
        response = quiet_client.get(path, HTTP_X_REQUEST_ID="trace-42")
    finally:
        django_request.removeHandler(recorder)
    assert response.status_code == code
    lines = [(record, rid) for record, rid in recorder.seen if record.name == "django.request"]
    assert len(lines) == 1, [record.getMessage() for record, _ in lines]
    record, rid = lines[0]
    assert rid == "trace-42"
    assert record.status_code == code
    assert record.levelno == (logging.ERROR if code >= 500 else logging.WARNING)
    assert request_id_context.get() is None  # and reset afterwards
