"""A python-dockerflow user's settings and URLconf work unchanged.

The settings below are what python-dockerflow's documentation tells a Django project
to write; the LOGGING dicts go through Django's own ``configure_logging`` and the
requests through the full handler, and the assertions read the mozlog JSON lines
that land on the handler's stream.
"""

from __future__ import annotations

import io
import json

import pytest
from django.test import Client
from django.urls import path, re_path
from django.utils.log import configure_logging

from dockerflow.django import views
from tests.urls import urlpatterns as base_urlpatterns

# The view functions wired the way python-dockerflow's docs show (a project that routes
# them itself, without relying on the middleware to intercept the paths).
urlpatterns = [
    *base_urlpatterns,
    re_path(r"^__version__/?$", views.version, name="version"),
    re_path(r"^__heartbeat__/?$", views.heartbeat, name="heartbeat"),
    path("__lbheartbeat__", views.lbheartbeat, name="lbheartbeat"),
]

PYTHON_DOCKERFLOW_MIDDLEWARE = ["dockerflow.django.middleware.DockerflowMiddleware"]
FULL_STACK_MIDDLEWARE = [
    "dockerflow.django.middleware.DockerflowMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]


def formatter_logging(stream: io.StringIO) -> dict:
    return {
        "version": 1,
        "formatters": {
            "json": {"()": "dockerflow.logging.JsonLogFormatter", "logger_name": "myproject"}
        },
        "handlers": {
            "console": {
                "level": "DEBUG",
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": stream,
            }
        },
        "loggers": {"request.summary": {"handlers": ["console"], "level": "DEBUG"}},
    }


def handler_logging(stream: io.StringIO) -> dict:
    return {
        "version": 1,
        "handlers": {
            "console": {
                "level": "DEBUG",
                "class": "dockerflow.logging.MozlogHandler",
                "name": "myproject",
                "stream": stream,
            }
        },
        "loggers": {"request.summary": {"handlers": ["console"], "level": "DEBUG"}},
    }


@pytest.fixture(
    params=[formatter_logging, handler_logging], ids=["JsonLogFormatter", "MozlogHandler"]
)
def mozlog_lines(request, settings):
    """Configure LOGGING as a python-dockerflow project does; yield a reader of its lines."""
    stream = io.StringIO()
    configure_logging(settings.LOGGING_CONFIG, request.param(stream))

    def lines() -> list[dict]:
        return [json.loads(line) for line in stream.getvalue().splitlines()]

    yield lines
    configure_logging(settings.LOGGING_CONFIG, settings.LOGGING)  # the suite's own


@pytest.fixture
def project(settings, tmp_path):
    settings.BASE_DIR = str(tmp_path)  # python-dockerflow projects often use os.path strings
    (tmp_path / "version.json").write_text(json.dumps({"version": "v1", "commit": "abc"}))
    settings.DOCKERFLOW_CHECKS = [
        "dockerflow.django.checks.check_database_connected",
        "dockerflow.django.checks.check_migrations_applied",
    ]
    settings.DOCKERFLOW_HEARTBEAT_TIMEOUT = 5
    assert "dockerflow.django" in settings.INSTALLED_APPS
    return settings


def summary_fields(line: dict) -> dict:
    assert line["Type"] == "request.summary"
    assert line["Logger"] == "myproject"
    assert line["EnvVersion"] == "2.0"
    assert isinstance(line["Timestamp"], int)
    assert isinstance(line["Pid"], int)
    return line["Fields"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "middleware", [PYTHON_DOCKERFLOW_MIDDLEWARE, FULL_STACK_MIDDLEWARE], ids=["alone", "full"]
)
def test_python_dockerflow_settings_work_unchanged(project, mozlog_lines, middleware):
    project.MIDDLEWARE = middleware
    client = Client(raise_request_exception=False)

    version = client.get("/__version__", HTTP_USER_AGENT="probe/1", HTTP_X_REQUEST_ID="req-1")
    assert (version.status_code, version.json()) == (200, {"version": "v1", "commit": "abc"})

    heartbeat = client.get("/__heartbeat__/")
    assert heartbeat.status_code == 200, heartbeat.content
    assert heartbeat.json() == {"status": "ok"}

    lbheartbeat = client.get("/__lbheartbeat__")
    assert (lbheartbeat.status_code, lbheartbeat.json()) == (200, {"status": "ok"})

    page = client.get("/ok/?q=1", HTTP_ACCEPT_LANGUAGE="fr")
    assert (page.status_code, page.content) == (200, b"ok")

    assert client.get("/boom/").status_code == 500

    lines = mozlog_lines()
    assert len(lines) == 5
    fields = [summary_fields(line) for line in lines]
    assert [f["path"] for f in fields] == [
        "/__version__",
        "/__heartbeat__/",
        "/__lbheartbeat__",
        "/ok/",
        "/boom/",
    ]
    assert [f["code"] for f in fields] == [200, 200, 200, 200, 500]
    assert [f["errno"] for f in fields] == [0, 0, 0, 0, 500]
    assert [line["Severity"] for line in lines] == [6, 6, 6, 6, 3]
    assert fields[0]["rid"] == "req-1"
    assert fields[0]["agent"] == "probe/1"
    assert fields[3]["lang"] == "fr"
    assert len({f["rid"] for f in fields}) == 5
    assert all(isinstance(f["t"], int) for f in fields)
    assert all(f["method"] == "GET" for f in fields)
    assert fields[4]["msg"] == "boom"
    assert "ValueError" in fields[4]["traceback"]


@pytest.mark.django_db(transaction=True)
def test_views_wired_in_a_urlconf_without_the_middleware(project, mozlog_lines):
    project.MIDDLEWARE = []
    project.ROOT_URLCONF = __name__
    client = Client()
    assert client.get("/__version__/").json() == {"version": "v1", "commit": "abc"}
    assert client.get("/__version__").status_code == 200
    heartbeat = client.get("/__heartbeat__")
    assert (heartbeat.status_code, heartbeat.json()) == (200, {"status": "ok"})
    assert heartbeat["Cache-Control"] == "no-store"
    assert client.get("/__lbheartbeat__").status_code == 200
    assert mozlog_lines() == []  # no middleware, no summaries


@pytest.mark.django_db(transaction=True)
def test_python_dockerflow_debug_shows_heartbeat_details(project, mozlog_lines):
    project.DEBUG = True
    body = Client().get("/__heartbeat__").json()
    assert body["status"] == "ok"
    # Results are keyed by the check function's name, as python-dockerflow does.
    assert set(body["checks"]) == {path.rsplit(".", 1)[1] for path in project.DOCKERFLOW_CHECKS}
    assert body["details"] == {}
