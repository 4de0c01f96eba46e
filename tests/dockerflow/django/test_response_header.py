"""DOCKERFLOW_REQUEST_ID_RESPONSE_HEADER: the request's id on every response."""

from __future__ import annotations

import asyncio
import json
import logging
import uuid

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse
from django.test import RequestFactory

from dockerflow.django.middleware import DockerflowMiddleware


@pytest.fixture
def summaries(caplog):
    caplog.set_level(logging.INFO, logger="request.summary")
    return lambda: [r for r in caplog.records if r.name == "request.summary"]


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/ok/", 200),
        ("/__lbheartbeat__", 200),
        ("/__version__", 404),
        ("/not-found/", 404),
        ("/boom/", 500),
        ("/unavailable/", 503),
    ],
)
def test_the_incoming_id_comes_back_on_every_response(client, path, status):
    client.raise_request_exception = False  # answer /boom/ with the 500, as a server does
    response = client.get(path, HTTP_X_REQUEST_ID="edge-id-1")
    assert response.status_code == status
    assert response["X-Request-ID"] == "edge-id-1"


def test_a_generated_id_is_the_one_the_summary_logs(client, summaries):
    response = client.get("/ok/")
    rid = response["X-Request-ID"]
    assert str(uuid.UUID(rid)) == rid
    assert [record.rid for record in summaries()] == [rid]


@pytest.mark.parametrize("hostile", ["a\r\nSet-Cookie: x=1", "x" * 500, "id with spaces"])
def test_an_invalid_incoming_id_is_never_echoed(client, hostile):
    response = client.get("/ok/", HTTP_X_REQUEST_ID=hostile)
    rid = response["X-Request-ID"]
    assert rid != hostile
    assert str(uuid.UUID(rid)) == rid


def test_the_heartbeat_answer_carries_it(client, settings):
    settings.DOCKERFLOW_CHECKS = []
    response = client.get("/__heartbeat__", HTTP_X_REQUEST_ID="hb-1")
    assert response.status_code == 200
    assert response["X-Request-ID"] == "hb-1"


def test_it_follows_the_request_id_header_name(client, settings):
    settings.DOCKERFLOW_REQUEST_ID_HEADER_NAME = "X-Amzn-Trace-Id"
    response = client.get("/ok/", HTTP_X_AMZN_TRACE_ID="Root-1-abc")
    assert response["X-Amzn-Trace-Id"] == "Root-1-abc"
    assert not response.has_header("X-Request-ID")


def test_a_name_of_its_own(client, settings):
    settings.DOCKERFLOW_REQUEST_ID_RESPONSE_HEADER = "X-Correlation-ID"
    response = client.get("/ok/", HTTP_X_REQUEST_ID="corr-1")
    assert response["X-Correlation-ID"] == "corr-1"
    assert not response.has_header("X-Request-ID")


def test_an_empty_value_turns_it_off(client, settings):
    settings.DOCKERFLOW_REQUEST_ID_RESPONSE_HEADER = ""
    response = client.get("/ok/", HTTP_X_REQUEST_ID="off-1")
    assert not response.has_header("X-Request-ID")


def test_a_header_the_view_set_is_never_overwritten(settings):
    def view(request):
        response = HttpResponse("mine")
        response["x-request-id"] = "set-by-the-view"
        return response

    middleware = DockerflowMiddleware(view)
    response = middleware(RequestFactory().get("/mine/", HTTP_X_REQUEST_ID="incoming"))
    assert response["X-Request-ID"] == "set-by-the-view"


@pytest.mark.parametrize("bad", ["X Request", "X.Request.Id", "X_Request_Id", 42])
def test_a_bad_name_stops_the_service_at_startup_naming_the_setting(settings, bad):
    settings.DOCKERFLOW_REQUEST_ID_RESPONSE_HEADER = bad
    with pytest.raises(ImproperlyConfigured, match="DOCKERFLOW_REQUEST_ID_RESPONSE_HEADER"):
        DockerflowMiddleware(lambda request: HttpResponse())


def test_the_async_path_sets_it_too():
    async def view(request):
        return HttpResponse(json.dumps({"ok": True}))

    middleware = DockerflowMiddleware(view)
    request = RequestFactory().get("/async/", HTTP_X_REQUEST_ID="async-1")
    response = asyncio.run(middleware(request))
    assert response["X-Request-ID"] == "async-1"
