"""dockerflow_heartbeat and dockerflow_version against the example project, for real.

Each command runs through the example's ``manage.py`` (django-configurations'
entry point via dockerflow_settings) in a subprocess, with the database, BASE_DIR
and version.json under ``tmp_path``: success, every failure exit code, bad arguments.
"""

from __future__ import annotations

import json
import socket

import pytest

from .conftest import REPO, clean_env, manage

EXAMPLE = REPO / "example"


@pytest.fixture
def env(tmp_path):
    return clean_env(
        DJANGO_SETTINGS_MODULE="example.settings",
        DJANGO_CONFIGURATION="Prod",
        DJANGO_SECRET_KEY="example-commands-" + "k" * 50,
        DJANGO_ALLOWED_HOSTS="localhost",
        DJANGO_BASE_DIR=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        DJANGO_DOCKERFLOW_HEARTBEAT_TIMEOUT="2",
        PYTHONPATH=f"{REPO}:{EXAMPLE}",
    )


def test_heartbeat_command_ok_warning_and_failure(env):
    # Unmigrated database: the migrations check warns, which is still healthy (exit 0).
    unmigrated = manage(EXAMPLE, "dockerflow_heartbeat", "--json", env=env)
    assert unmigrated.returncode == 0, unmigrated.stderr
    payload = json.loads(unmigrated.stdout)
    assert payload["status"] == "warning"
    assert payload["checks"]["check_migrations_applied"] == "warning"
    assert payload["checks"]["check_greeting"] == "ok"

    assert manage(EXAMPLE, "migrate", "--no-input", env=env).returncode == 0
    healthy = manage(EXAMPLE, "dockerflow_heartbeat", env=env)
    assert healthy.returncode == 0, healthy.stderr
    assert healthy.stdout.rstrip().endswith("status: ok")

    # The app's own check fails: exit 1, its message in the table.
    unhealthy = manage(EXAMPLE, "dockerflow_heartbeat", env={**env, "DJANGO_GREETING": " "})
    assert unhealthy.returncode == 1
    assert "greetings.E001" in unhealthy.stdout
    assert unhealthy.stderr.strip() == "CommandError: heartbeat status is error"


def test_heartbeat_command_bad_arguments_and_unreachable_server(env):
    bad_check = manage(EXAMPLE, "dockerflow_heartbeat", "--checks", "greetings.nope", env=env)
    assert bad_check.returncode == 2
    assert len(bad_check.stderr.strip().splitlines()) == 1
    assert "greetings.nope" in bad_check.stderr

    bad_timeout = manage(EXAMPLE, "dockerflow_heartbeat", "--timeout", "soon", env=env)
    assert bad_timeout.returncode == 2
    assert "--timeout" in bad_timeout.stderr

    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    unreachable = manage(
        EXAMPLE, "dockerflow_heartbeat", "--url", f"127.0.0.1:{port}", "--lb", env=env
    )
    assert unreachable.returncode == 3
    assert len(unreachable.stderr.strip().splitlines()) == 1


def test_version_command_write_check_and_failures(env, tmp_path):
    commit = "0123456789abcdef0123456789abcdef01234567"
    written = manage(
        EXAMPLE,
        "dockerflow_version",
        "--no-git",
        "--commit",
        commit,
        "--version",
        "v1.2.3",
        "--source",
        "https://github.com/example/service",
        "--write",
        env=env,
    )
    assert written.returncode == 0, written.stderr
    version = json.loads((tmp_path / "version.json").read_text())
    assert version == {
        "source": "https://github.com/example/service",
        "version": "v1.2.3",
        "commit": commit,
        "build": "",
    }
    assert manage(EXAMPLE, "dockerflow_version", "--check", env=env).returncode == 0

    (tmp_path / "version.json").write_text('["not", "an", "object"]')
    invalid = manage(EXAMPLE, "dockerflow_version", "--check", env=env)
    assert invalid.returncode == 1
    (tmp_path / "version.json").unlink()
    missing = manage(EXAMPLE, "dockerflow_version", "--check", env=env)
    assert missing.returncode == 3

    bad_commit = manage(EXAMPLE, "dockerflow_version", "--no-git", "--commit", "xyz", env=env)
    assert bad_commit.returncode == 2
    assert "--commit" in bad_commit.stderr
    # From CI variables, validated: a bad build URL names the variable it came from.
    from_ci = manage(
        EXAMPLE,
        "dockerflow_version",
        "--no-git",
        env={**env, "CIRCLE_SHA1": commit, "CIRCLE_BUILD_URL": "ftp://ci/1"},
    )
    assert from_ci.returncode == 1
    assert "CIRCLE_BUILD_URL" in from_ci.stderr
