"""manage.py dockerflow_settings: listing and --check, over dockerflow_settings' public API.

The in-process tests stand in for ``dockerflow_settings.report``/``check_environment`` with
small fakes: they test this command's formatting and exit codes, not the table.
"""

from __future__ import annotations

import io
import json
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

import dockerflow_settings

from .conftest import manage


def run(*args, err=None):
    out = io.StringIO()
    try:
        call_command("dockerflow_settings", *args, stdout=out, stderr=err or io.StringIO())
    except CommandError as exc:
        return out.getvalue(), exc
    return out.getvalue(), None


def test_plain_project_is_told_the_table_is_not_used(plain_project):
    for args in ([], ["--check"]):
        result = manage(plain_project, "dockerflow_settings", *args)
        assert result.returncode == 2
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1
        assert "settings do not use dockerflow_settings" in lines[0]


ENTRIES = [
    SimpleNamespace(
        name="SECRET_KEY",
        env_var="SECRET_KEY",
        value="********",
        source="environment",
        origin="environment variable SECRET_KEY",
    ),
    SimpleNamespace(
        name="DATABASES",
        env_var="DATABASE_URL",
        value={"default": {"NAME": "app", "PASSWORD": "********"}},
        source=".env",
        origin=".env line 2",
    ),
    SimpleNamespace(name="DEBUG", env_var=None, value=False, source="default", origin=None),
]


@pytest.fixture
def fake_api(monkeypatch):
    calls = {}

    def check_environment(environ, *, base_dir, configuration):
        calls["check_environment"] = (base_dir, configuration)
        return SimpleNamespace(
            problems=list(calls.get("problems", [])), ignored=list(calls.get("ignored", []))
        )

    monkeypatch.setattr(dockerflow_settings, "report", lambda: ENTRIES, raising=False)
    monkeypatch.setattr(dockerflow_settings, "check_environment", check_environment)
    return calls


def test_table_and_json(fake_api):
    out, error = run()
    assert error is None
    lines = out.splitlines()
    assert lines[0].split() == ["SETTING", "VARIABLE", "ORIGIN", "VALUE"]
    assert lines[1].split() == [
        "SECRET_KEY",
        "SECRET_KEY",
        "environment",
        "variable",
        "SECRET_KEY",
        "********",
    ]
    assert lines[2].endswith('{"default": {"NAME": "app", "PASSWORD": "********"}}')
    assert lines[3].split() == ["DEBUG", "false"]

    out, error = run("--json")
    assert json.loads(out)["settings"][1] == {
        "name": "DATABASES",
        "env_var": "DATABASE_URL",
        "value": {"default": {"NAME": "app", "PASSWORD": "********"}},
        "source": ".env",
        "origin": ".env line 2",
    }


def test_check(fake_api, settings, monkeypatch, tmp_path):
    settings.BASE_DIR = tmp_path
    monkeypatch.setenv("DJANGO_CONFIGURATION", "Prod")
    out, error = run("--check")
    assert (out.strip(), error) == ("No problems found.", None)
    assert fake_api["check_environment"] == (tmp_path, "Prod")

    fake_api["problems"] = ["DATABASE_URL: not a URL", "PORT='' is empty"]
    out, error = run("--check")
    assert out.splitlines() == ["- DATABASE_URL: not a URL", "- PORT='' is empty"]
    assert (error.returncode, str(error)) == (1, "2 setting problems found")
    out, error = run("--check", "--json")
    assert json.loads(out) == {"valid": False, "problems": fake_api["problems"], "ignored": []}
    fake_api["problems"] = ["one"]
    assert str(run("--check")[1]) == "1 setting problem found"


def test_check_warns_about_ignored_variables(fake_api):
    fake_api["ignored"] = ["DJANGO_DEBUG is set (environment variable DJANGO_DEBUG) but ignored"]
    err = io.StringIO()
    out, error = run("--check", err=err)
    assert (out.strip(), error) == ("No problems found.", None)
    assert err.getvalue().splitlines() == [f"Warning: {fake_api['ignored'][0]}"]
    out, error = run("--check", "--json")
    assert json.loads(out)["ignored"] == fake_api["ignored"]


def test_settings_not_built_by_the_table(monkeypatch):
    monkeypatch.setattr(dockerflow_settings, "report", lambda: None, raising=False)
    _, error = run("--check")
    assert error.returncode == 2
    assert "do not use dockerflow_settings" in str(error)


def test_missing_api_is_named(monkeypatch):
    monkeypatch.delattr(dockerflow_settings, "report", raising=False)
    _, error = run()
    assert error.returncode == 2
    assert str(error) == (
        "the installed dockerflow_settings does not provide report(), which this command needs"
    )
