"""The app config: python-dockerflow's dotted path still works in INSTALLED_APPS."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from django.apps import apps
from django.core import checks

from dockerflow import health
from dockerflow.django.apps import DockerFlowAppConfig, check_settings
from tests.servers.process import run_quick, server_env

ROOT = Path(__file__).resolve().parents[3]


def test_app_is_registered_with_python_dockerflows_label():
    config = apps.get_app_config("dockerflow")
    assert isinstance(config, DockerFlowAppConfig)
    assert config.name == "dockerflow.django"


def test_dockerflow_checks_are_not_django_system_checks(settings):
    settings.DOCKERFLOW_CHECKS = ["tests.dockerflow.django.test_apps.never_run"]
    assert "dockerflow" not in checks.registry.registry.tags_available()
    assert checks.run_checks(include_deployment_checks=False) is not None


def never_run(app_configs=None, **kwargs):  # pragma: no cover - must never be called
    raise AssertionError("manage.py check must not run DOCKERFLOW_CHECKS")


def test_python_dockerflow_app_config_path_in_installed_apps(tmp_path):
    script = textwrap.dedent(
        """
        import django
        from django.conf import settings
        settings.configure(
            INSTALLED_APPS=["dockerflow.django.apps.DockerFlowAppConfig"],
            DATABASES={},
        )
        django.setup()
        from django.apps import apps
        print(apps.get_app_config("dockerflow").name)
        """
    )
    result = subprocess.run(
        [sys.executable, "-W", "error", "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "dockerflow.django"


# The system check of the runtime's settings

NOT_A_CHECK = 42


def imports_a_model(app_configs=None, **kwargs):
    from django.contrib.auth.models import User

    return [] if User else None


def test_check_settings_is_registered_by_the_app():
    assert check_settings in checks.registry.registry.get_checks()


def test_check_settings_passes_on_good_settings(settings):
    settings.DOCKERFLOW_CHECKS = [
        "dockerflow.django.checks.check_database_connected",
        "tests.dockerflow.django.test_apps.imports_a_model",
    ]
    assert check_settings() == []


def test_check_settings_names_each_entry_that_cannot_be_used(settings, tmp_path, monkeypatch):
    (tmp_path / "broken_checks.py").write_text(
        'raise RuntimeError("cannot reach postgres://app:S3cretPw@db.internal/app")\n'
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    settings.DOCKERFLOW_CHECKS = [
        "nope.nothing.here",
        "tests.dockerflow.django.test_apps.NOT_A_CHECK",
        "broken_checks.check",
        "dockerflow.django.checks.check_database_connected",
    ]
    errors = checks.run_checks()  # as manage.py check runs it
    assert [(e.id, e.msg) for e in errors] == [
        (
            health.ERROR_CHECK_NOT_IMPORTABLE,
            "DOCKERFLOW_CHECKS entry 'nope.nothing.here' cannot be imported: "
            "ModuleNotFoundError: No module named 'nope'",
        ),
        (
            health.ERROR_CHECK_NOT_IMPORTABLE,
            "DOCKERFLOW_CHECKS entry 'tests.dockerflow.django.test_apps.NOT_A_CHECK' "
            "is not callable: it is int",
        ),
        (
            health.ERROR_CHECK_NOT_IMPORTABLE,
            "DOCKERFLOW_CHECKS entry 'broken_checks.check' cannot be imported: "
            "RuntimeError: cannot reach postgres://app:********@db.internal/app",
        ),
    ]
    assert all(e.level == checks.ERROR for e in errors)


def test_check_settings_reports_every_invalid_value(settings):
    settings.DOCKERFLOW_CHECKS = "nope.nothing.here"
    settings.DOCKERFLOW_HEARTBEAT_TIMEOUT = 0
    errors = check_settings()
    assert [(e.id, e.msg.split(" is not valid")[0]) for e in errors] == [
        (health.ERROR_INVALID_SETTING, "DOCKERFLOW_CHECKS='nope.nothing.here'"),
        (health.ERROR_INVALID_SETTING, "DOCKERFLOW_HEARTBEAT_TIMEOUT=0"),
    ]
    assert errors[1].msg.endswith("expected a number of seconds > 0 and <= 300")


PROJECT_SETTINGS = """
INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth", "dockerflow.django"]
DATABASES = {}
SECRET_KEY = "tests-only-not-a-secret"
DOCKERFLOW_CHECKS = %r
"""


def test_manage_py_check_reports_a_typo(tmp_path):
    # Issue 23: a typo in DOCKERFLOW_CHECKS passed `manage.py check`.
    def check(paths):
        (tmp_path / "project_settings.py").write_text(PROJECT_SETTINGS % (paths,))
        env = server_env({"PYTHONPATH": f"{tmp_path}{os.pathsep}{ROOT}"})
        command = [sys.executable, "-m", "django", "check", "--settings", "project_settings"]
        return run_quick(command, env, cwd=tmp_path)

    result = check(["nope.nothing.here", "dockerflow.django.checks.check_database_connected"])
    assert result.returncode == 1, result
    assert (
        "?: (dockerflow.health.E014) DOCKERFLOW_CHECKS entry 'nope.nothing.here' cannot be "
        "imported: ModuleNotFoundError: No module named 'nope'" in result.stderr
    ), result.stderr
    assert "1 issue" in result.stderr
    good = check(["dockerflow.django.checks.check_database_connected"])
    assert (good.returncode, good.stdout.strip()) == (
        0,
        "System check identified no issues (0 silenced).",
    )
