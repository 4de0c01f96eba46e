"""With ``--json`` a command's stdout is one JSON document, whatever the project logs.

A real ``manage.py`` in a subprocess, with the usual Dockerflow logging (mozlog on
stdout, through a MozlogHandler that follows ``sys.stdout``, and a plain StreamHandler
bound to it), a check that logs and prints while it runs, and an app that logs while
Django starts.
"""

from __future__ import annotations

import io
import json
import logging
import sys
import textwrap
from pathlib import Path

import pytest

from dockerflow.cli import conventions
from dockerflow.logging import MozlogHandler

from .conftest import clean_env, manage

SETTINGS = """
LOGGING = {
    "version": 1,
    "handlers": {
        "mozlog": {"class": "dockerflow.logging.MozlogHandler"},
        "plain": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout"},
    },
    "root": {"handlers": ["mozlog", "plain"], "level": "INFO"},
}
DOCKERFLOW_CHECKS = ["hbchecks.chatty", "hbchecks.explodes"]
"""

CHECKS = """
import logging


def chatty():
    logging.getLogger("hbchecks").warning("checking the backend")
    print("a stray print from a check")
    return []


def explodes():
    raise RuntimeError("the check itself failed")
"""

NOISY_APP = """
import logging

from django.apps import AppConfig


class NoisyConfig(AppConfig):
    name = "noisy"

    def ready(self):
        logging.getLogger("noisy").info("noisy app ready")
"""


@pytest.fixture
def project(plain_project: Path) -> Path:
    settings = plain_project / "settings.py"
    settings.write_text(settings.read_text() + textwrap.dedent(SETTINGS))
    (plain_project / "hbchecks.py").write_text(textwrap.dedent(CHECKS))
    (plain_project / "version.json").write_text(
        json.dumps({"source": "", "version": "v1", "commit": "a" * 40, "build": ""})
    )
    return plain_project


def add_noisy_app(project: Path) -> None:
    (project / "noisy").mkdir()
    (project / "noisy" / "__init__.py").write_text("")
    (project / "noisy" / "apps.py").write_text(textwrap.dedent(NOISY_APP))
    settings = project / "settings.py"
    settings.write_text(settings.read_text() + '\nINSTALLED_APPS = [*INSTALLED_APPS, "noisy"]\n')


def test_logs_while_the_command_runs_go_to_stderr(project: Path) -> None:
    result = manage(project, "dockerflow_heartbeat", "--json", env=clean_env())
    assert result.returncode == 1  # "explodes" is an error
    payload = json.loads(result.stdout)  # one document, nothing else
    assert payload["checks"] == {"chatty": "ok", "explodes": "error"}
    # Both handlers' lines, the stray print and the logged traceback went to stderr.
    stderr = result.stderr
    assert '"msg":"checking the backend"' in stderr  # MozlogHandler
    assert "\nchecking the backend\n" in f"\n{stderr}"  # the plain StreamHandler
    assert "a stray print from a check" in stderr
    assert "the check itself failed" in stderr

    # Without --json the human output and the logs share stdout, as logs normally do.
    table = manage(project, "dockerflow_heartbeat", env=clean_env())
    assert "checking the backend" in table.stdout
    assert "chatty" in table.stdout


@pytest.mark.parametrize(
    "args",
    [
        ("dockerflow_heartbeat", "--json", "--checks", "hbchecks.chatty"),
        ("dockerflow_version", "--check", "--json"),
    ],
)
def test_logs_while_django_starts_go_to_stderr(project: Path, args: tuple[str, ...]) -> None:
    add_noisy_app(project)
    result = manage(project, *args, env=clean_env())
    assert result.returncode == 0, result.stderr
    json.loads(result.stdout)
    assert "noisy app ready" in result.stderr


# --- in process ----------------------------------------------------------------------


def test_logs_to_stderr_swaps_and_restores(monkeypatch) -> None:
    out, err = io.StringIO(), io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", err)
    logger = logging.getLogger("tests.json_stdout")
    bound, following = logging.StreamHandler(sys.stdout), MozlogHandler()
    for handler in (bound, following):
        logger.addHandler(handler)
    try:
        with conventions.logs_to_stderr():
            logger.warning("during")
            print("printed")
        logger.warning("after")
        with conventions.logs_to_stderr(False):
            logger.warning("not asked")
    finally:
        for handler in (bound, following):
            logger.removeHandler(handler)
    assert err.getvalue().count("during") == 2
    assert "printed" in err.getvalue()
    assert "during" not in out.getvalue()
    assert out.getvalue().count("after") == 2  # both back on stdout
    assert out.getvalue().count("not asked") == 2
    assert bound.stream is out
    assert following.stream is sys.stdout  # still following, not bound


def test_startup_logs_to_stderr_only_for_json_commands(monkeypatch) -> None:
    out, err = io.StringIO(), io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", err)
    logger = logging.getLogger("tests.json_stdout.startup")
    handler = logging.StreamHandler(sys.stdout)
    logger.addHandler(handler)
    try:
        for argv in (
            ["manage.py", "dockerflow_heartbeat"],
            ["manage.py", "migrate", "--json"],
            ["manage.py", "--json"],
            ["gunicorn", "app.wsgi"],
        ):
            assert conventions.startup_logs_to_stderr(argv) is False
        assert handler.stream is out
        assert conventions.startup_logs_to_stderr(["manage.py", "dockerflow_version", "--json"])
        logger.warning("while starting")
    finally:
        logger.removeHandler(handler)
    assert "while starting" in err.getvalue()
    assert out.getvalue() == ""
