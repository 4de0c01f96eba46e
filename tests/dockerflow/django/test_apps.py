"""The app config: python-dockerflow's dotted path still works in INSTALLED_APPS."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from django.apps import apps
from django.core import checks

from dockerflow.django.apps import DockerFlowAppConfig

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
