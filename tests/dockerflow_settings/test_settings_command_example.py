"""manage.py dockerflow_settings for real: the example project, in subprocesses.

Provenance coming from the real table and sources, masking of real secrets, and
``python -m dockerflow_settings check`` reporting every bad variable at once, also
when settings cannot even load.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.dockerflow.commands.conftest import REPO, clean_env, manage

EXAMPLE = REPO / "example"
SECRET = "s3cr3t-" + "q" * 50


@pytest.fixture
def env(tmp_path):
    return clean_env(
        DJANGO_SETTINGS_MODULE="example.settings",
        DJANGO_CONFIGURATION="Prod",
        DJANGO_SECRET_KEY=SECRET,
        DJANGO_ALLOWED_HOSTS="app.example.com",
        DATABASE_URL=f"postgres://app:hunter2@db.internal:5432/app?x={tmp_path.name}",
        DJANGO_DOCKERFLOW_HEARTBEAT_TIMEOUT="2.5",
        PYTHONPATH=f"{REPO}:{EXAMPLE}",
    )


def test_lists_effective_values_with_origin_and_masked_secrets(env):
    result = manage(EXAMPLE, "dockerflow_settings", "--json", env=env)
    assert result.returncode == 0, result.stderr
    rows = {row["name"]: row for row in json.loads(result.stdout)["settings"]}
    assert rows["SECRET_KEY"]["value"] == "********"
    assert rows["SECRET_KEY"]["origin"] == "environment variable DJANGO_SECRET_KEY"
    assert rows["ALLOWED_HOSTS"]["value"] == ["app.example.com"]
    database = rows["DATABASES"]["value"]["default"]
    assert database["PASSWORD"] == "********"
    assert database["HOST"] == "db.internal"
    assert rows["DATABASES"]["env_var"] == "DATABASE_URL"
    assert rows["DOCKERFLOW_HEARTBEAT_TIMEOUT"]["value"] == 2.5
    assert rows["DOCKERFLOW_HEARTBEAT_TIMEOUT"]["source"] == "environment"
    assert rows["DEBUG"]["origin"] == "Prod.DEBUG"
    assert rows["STATIC_ROOT"]["source"] == "default"
    assert SECRET not in result.stdout
    assert "hunter2" not in result.stdout

    table = manage(EXAMPLE, "dockerflow_settings", env=env)
    assert table.returncode == 0, table.stderr
    assert table.stdout.splitlines()[0].split() == ["SETTING", "VARIABLE", "ORIGIN", "VALUE"]
    assert all(len(line) < 250 for line in table.stdout.splitlines())
    assert SECRET not in table.stdout


def test_a_project_that_does_not_use_the_table_is_told_so(env):
    script = (
        "import django; from django.conf import settings; "
        "settings.configure(INSTALLED_APPS=['dockerflow_settings']); django.setup(); "
        "from django.core.management import call_command; call_command('dockerflow_settings')"
    )
    result = subprocess.run(
        [sys.executable, "-W", "error", "-c", script],
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "settings do not use dockerflow_settings" in result.stderr


def run_module_check(env, *args):
    return subprocess.run(
        [sys.executable, "-W", "error", "-m", "dockerflow_settings", "check", *args],
        cwd=EXAMPLE,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_module_check_reports_every_problem_without_loading_settings(env):
    env.update(
        DJANGO_DOCKERFLOW_HEARTBEAT_TIMEOUT="-1",
        DJANGO_LOGGING_USE_JSON="perhaps",
        DATABASE_URL="nosuchscheme://x",
    )
    # Startup itself fails on these, so manage.py never reaches the command...
    startup = manage(EXAMPLE, "check", env=env)
    assert startup.returncode != 0
    # ...and the module entry point still reports all of them, with names and values.
    result = run_module_check(env)
    assert result.returncode == 1
    report = result.stdout + result.stderr
    for name in ("DJANGO_DOCKERFLOW_HEARTBEAT_TIMEOUT", "DJANGO_LOGGING_USE_JSON", "DATABASE_URL"):
        assert name in report
    assert "'perhaps'" in report
    assert "Traceback" not in report


def test_module_check_ok_and_usage_errors(env):
    assert run_module_check(env).returncode == 0
    assert run_module_check(env, "--no-such-option").returncode == 2
