"""A startproject-style project using dockerflow_settings, for subprocess tests."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from dockerflow_settings.table import TABLE

COMMON = """\
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "myproject",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
ROOT_URLCONF = "myproject.urls"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": []},
    }
]
"""
INDENTED = textwrap.indent(COMMON, "    ").rstrip()

MANAGE = """\
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "myproject.settings")
os.environ.setdefault("DJANGO_CONFIGURATION", "Dev")
from {module} import execute_from_command_line

execute_from_command_line(sys.argv)
"""

SETTINGS = f"""\
from configurations import Configuration, values

from dockerflow_settings import DockerflowConfiguration


class Base(DockerflowConfiguration, Configuration):
{INDENTED}


class Dev(Base):
    DEBUG = values.BooleanValue(True)


class Prod(Base):
    pass


class Test(Base):
    SECRET_KEY = "tests-only-" + "t" * 50


class Pinned(Base):
    DEBUG = False  # a plain value: DJANGO_DEBUG cannot change it
"""

#: Importing a model needs the app registry: fine when the heartbeat or /__version__
#: imports these, AppRegistryNotReady if settings validation imported them.
MODEL_CHECKS = """\
from django.contrib.auth.models import User


def check_users(app_configs=None, **kwargs):
    return []
"""

MODEL_VERSION = """\
from django.contrib.auth.models import User


def get_version(root):
    return {"version": "1.2.3", "model": User._meta.label}
"""

PLAIN_SETTINGS = f"""\
import dockerflow_settings

{COMMON}
APPLIED = dockerflow_settings.configure(globals())
"""

DUMP_COMMAND = """\
import json

from django.conf import settings
from django.core.management.base import BaseCommand

import dockerflow_settings
from dockerflow_settings.table import SETTING_NAMES


class Command(BaseCommand):
    def handle(self, *args, **options):
        entries = dockerflow_settings.report() or []
        data = {
            "settings": {name: getattr(settings, name) for name in sorted(SETTING_NAMES)},
            "sources": {entry.name: entry.origin for entry in entries},
            "overridden": sorted(
                name for name in dir(settings) if name.isupper() and settings.is_overridden(name)
            ),
        }
        self.stdout.write(json.dumps(data, default=str))
"""

PYTEST_TEST = """\
from django.conf import settings


def test_settings():
    assert settings.CONFIGURATION == "myproject.settings.Test"
    assert settings.DOCKERFLOW_CHECKS
    assert settings.STORAGES["staticfiles"]["BACKEND"].endswith("StaticFilesStorage")
    assert "Manifest" not in settings.STORAGES["staticfiles"]["BACKEND"]
"""

VARIABLES = {v for s in TABLE for v in (s.env_var, s.file_env_var) if v}


def write_project(root: Path) -> Path:
    package = root / "myproject"
    (package / "management" / "commands").mkdir(parents=True)
    (package / "static" / "myproject").mkdir(parents=True)
    (root / "manage.py").write_text(MANAGE.format(module="dockerflow_settings.management"))
    (root / "manage_cfg.py").write_text(MANAGE.format(module="configurations.management"))
    (package / "__init__.py").write_text("")
    (package / "settings.py").write_text(SETTINGS)
    (package / "plain_settings.py").write_text(PLAIN_SETTINGS)
    (package / "urls.py").write_text("urlpatterns = []\n")
    (package / "model_checks.py").write_text(MODEL_CHECKS)
    (package / "model_version.py").write_text(MODEL_VERSION)
    for init in ("management", "management/commands"):
        (package / init / "__init__.py").write_text("")
    (package / "management" / "commands" / "dumpsettings.py").write_text(DUMP_COMMAND)
    css = "".join(f".rule-{i} {{ color: #{i:06x}; margin: {i}px; }}\n" for i in range(200))
    (package / "static" / "myproject" / "app.css").write_text(css)
    (root / "test_in_project.py").write_text(PYTEST_TEST)
    return root


def clean_environ(**extra: str) -> dict[str, str]:
    environ = {
        name: value
        for name, value in os.environ.items()
        if name not in VARIABLES and not name.startswith(("DJANGO_", "PYTEST_"))
    }
    environ.update(_coverage_environ())
    environ.update(extra)
    return environ


def _coverage_environ() -> dict[str, str]:
    """Measure subprocesses too when this run is measured (pytest-cov combines the
    parallel data files next to its own; the venv's coverage .pth starts them)."""
    try:
        import coverage
    except ImportError:  # pragma: no cover - coverage is a test requirement
        return {}
    current = coverage.Coverage.current()
    if current is None or not current.config.config_file:
        return {}
    return {
        "COVERAGE_PROCESS_START": current.config.config_file,
        "COVERAGE_FILE": os.path.abspath(current.config.data_file),
    }


def run(
    root: Path,
    *args: str,
    python: str = sys.executable,
    warnings_error: bool = True,
    timeout: float = 60,
    **environ: str,
) -> subprocess.CompletedProcess[str]:
    flags = ["-W", "error"] if warnings_error else []
    return subprocess.run(
        [python, *flags, *args],
        cwd=root,
        env=clean_environ(**environ),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
