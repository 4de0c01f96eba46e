"""Helpers for running the dockerflow_* commands for real: projects, subprocesses, servers."""

from __future__ import annotations

import http.server
import json
import os
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]

PLAIN_SETTINGS = """
import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
SECRET_KEY = "plain-project-" + "x" * 40
INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth", "dockerflow.django"]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
USE_TZ = True
DOCKERFLOW_CHECKS = os.environ.get("TEST_CHECKS", "hbchecks.ok").split(",")
DOCKERFLOW_HEARTBEAT_TIMEOUT = 0.5
"""

PLAIN_CHECKS = """
from dockerflow.checks import Error


def ok():
    return []


def down():
    return [Error("backend is down", id="plain.E001")]
"""

MANAGE = """
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
"""


@pytest.fixture
def plain_project(tmp_path: Path) -> Path:
    """A hand-written settings.py project (no dockerflow_settings), with manage.py."""
    project = tmp_path / "plain"
    project.mkdir()
    (project / "settings.py").write_text(textwrap.dedent(PLAIN_SETTINGS))
    (project / "hbchecks.py").write_text(textwrap.dedent(PLAIN_CHECKS))
    (project / "manage.py").write_text(textwrap.dedent(MANAGE))
    return project


def clean_env(**extra: str) -> dict[str, str]:
    """The current environment without CI or Django variables that would leak in."""
    prefixes = ("GITHUB_", "CIRCLE", "CI_", "GITLAB", "TASK", "VCS_", "DJANGO_", "DOCKERFLOW_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}
    env.pop("CI", None)
    env["PYTHONPATH"] = str(REPO)
    env.update(extra)
    return env


def manage(project: Path, *args: str, env: dict[str, str] | None = None, warnings_are_errors=True):
    """Run ``manage.py args`` in ``project``; returns the CompletedProcess (text)."""
    command = [sys.executable]
    if warnings_are_errors:
        command += ["-W", "error"]
    return subprocess.run(
        [*command, "manage.py", *args],
        cwd=project,
        env=clean_env() if env is None else env,
        capture_output=True,
        text=True,
        timeout=60,
    )


class FakeServer:
    """A loopback HTTP server whose answer per path the test decides."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[int, bytes, dict[str, str]]] = {}
        self.delay = 0.0
        routes = self.routes
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if server.delay:
                    time.sleep(server.delay)
                route = routes.get(self.path)
                if route is None:
                    self.send_error(404)
                    return
                status, body, headers = route
                if status == 0:  # not HTTP at all
                    self.wfile.write(body)
                    return
                if status == -1:  # hang up without answering
                    self.close_connection = True
                    return
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def answer(self, path: str, status: int, body: object = b"", **headers: str) -> None:
        if not isinstance(body, bytes):
            body = json.dumps(body).encode()
            headers.setdefault("Content-Type", "application/json")
        self.routes[path] = (status, body, headers)


@pytest.fixture
def http_server():
    server = FakeServer()
    server.thread.start()
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()
