"""A real project driven through manage.py and every entry point, in subprocesses."""

from __future__ import annotations

import json
import os
import secrets
import sys

import pytest

from .project import run, write_project

SECRET = secrets.token_urlsafe(60)
PROD = {"DJANGO_CONFIGURATION": "Prod", "DJANGO_SECRET_KEY": SECRET}
#: More interpreters (other Django versions) to run the -W error checks with, e.g.
#: DOCKERFLOW_SETTINGS_PYTHONS=/tmp/venv-dj42/bin/python:/tmp/venv-dj61/bin/python
PYTHONS = [
    sys.executable,
    *filter(None, os.environ.get("DOCKERFLOW_SETTINGS_PYTHONS", "").split(":")),
]


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    return write_project(tmp_path_factory.mktemp("project"))


def dump(project, *command, options=(), warnings_error=True, **environ):
    result = run(
        project, *command, "dumpsettings", *options, warnings_error=warnings_error, **environ
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("python", PYTHONS)
def test_dev_check_and_prod_deploy_check_with_warnings_as_errors(project, python):
    result = run(project, "manage.py", "check", python=python)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout
    assert result.stderr == ""
    result = run(
        project, "manage.py", "check", "--deploy", python=python,
        DJANGO_ALLOWED_HOSTS="service.example.com", **PROD,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert result.stderr == ""


def test_bad_environment_exits_with_one_readable_error(project):
    result = run(
        project, "manage.py", "check", DJANGO_CONFIGURATION="Prod", DJANGO_DEBUG="maybe",
        DATABASE_URL="postgres://app:hunter2@db:x/app", PORT="",
    )  # fmt: skip
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines[0].endswith("Invalid configuration (3 problems):")
    assert "myproject.settings.Prod" in lines[0]
    assert lines[1].startswith("- DJANGO_DEBUG='maybe' (from environment variable DJANGO_DEBUG)")
    assert lines[2].startswith("- DJANGO_SECRET_KEY: required when DEBUG is off")
    assert lines[3].startswith("- DATABASE_URL='postgres://app:********@db:x/app'")
    assert "hunter2" not in result.stderr


def test_settings_in_the_running_process(project):
    data = dump(project, "manage.py", DJANGO_ALLOWED_HOSTS="a.example", **PROD)
    settings, sources = data["settings"], data["sources"]
    assert settings["BASE_DIR"] == str(project)
    assert settings["DEBUG"] is False
    assert settings["ALLOWED_HOSTS"] == ["a.example"]
    assert settings["DATABASES"]["default"]["NAME"] == str(project / "db.sqlite3")
    assert settings["STORAGES"]["staticfiles"]["BACKEND"] == (
        "whitenoise.storage.CompressedManifestStaticFilesStorage"
    )
    assert settings["LOGGING"]["formatters"]["json"]["logger_name"] == "myproject"
    assert sources["SECRET_KEY"] == "environment variable DJANGO_SECRET_KEY"
    assert sources["INSTALLED_APPS"] == "Base.INSTALLED_APPS"
    assert sources["DEBUG"] == "mixin default"
    # Django's defaults the project never set are not "overridden" (no deprecation noise).
    assert "USE_L10N" not in data["overridden"]
    assert "EMAIL_HOST" not in data["overridden"]
    dev = dump(project, "manage.py")["settings"]
    assert dev["DEBUG"] is True
    assert dev["STORAGES"]["staticfiles"]["BACKEND"] == (
        "django.contrib.staticfiles.storage.StaticFilesStorage"
    )


def test_dotenv_secret_file_and_precedence(project, tmp_path):
    secret_file = tmp_path / "secret_key"
    secret_file.write_text(SECRET + "\n")
    (tmp_path / ".env").write_text(
        "DJANGO_ALLOWED_HOSTS=dotenv.example\nDJANGO_STATIC_URL=/from-dotenv/\nDJANGO_DEBUG=on\n"
    )
    data = dump(
        project, "manage.py", DJANGO_CONFIGURATION="Prod", DJANGO_BASE_DIR=str(tmp_path),
        DJANGO_SECRET_KEY_FILE=str(secret_file), DJANGO_DEBUG="off",
        DJANGO_STATIC_URL="/from-env/",
    )  # fmt: skip
    settings, sources = data["settings"], data["sources"]
    assert settings["SECRET_KEY"] == SECRET
    assert settings["DEBUG"] is False
    assert settings["ALLOWED_HOSTS"] == ["dotenv.example"]
    assert sources["ALLOWED_HOSTS"] == f"DJANGO_ALLOWED_HOSTS in {tmp_path / '.env'}"
    assert settings["STATIC_URL"] == "/from-env/"
    assert sources["SECRET_KEY"] == "file named by environment variable DJANGO_SECRET_KEY_FILE"
    # .env never reaches os.environ
    result = run(
        project, "manage.py", "shell", "-c", "import os; print(os.getenv('DJANGO_STATIC_URL'))",
        DJANGO_BASE_DIR=str(tmp_path), DJANGO_SECRET_KEY_FILE=str(secret_file),
        warnings_error=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "None"


def test_configurations_own_entry_points(project):
    data = dump(
        project, "manage_cfg.py", options=["--configuration=Prod"], warnings_error=False,
        DJANGO_SECRET_KEY=SECRET,
    )  # fmt: skip
    assert data["settings"]["DEBUG"] is False
    script = (
        "import configurations.wsgi as w, configurations.asgi as a, configurations, "
        "django.conf as c\n"
        "configurations.setup()\n"
        "print(callable(w.application), callable(a.application), c.settings.CONFIGURATION)\n"
    )
    result = run(project, "-c", script, warnings_error=False,
                 DJANGO_SETTINGS_MODULE="myproject.settings", **PROD)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True", "myproject.settings.Prod"]


def test_our_entry_points_with_warnings_as_errors(project, tmp_path):
    script = (
        "import dockerflow_settings, dockerflow_settings.wsgi as w, dockerflow_settings.asgi as a\n"
        "dockerflow_settings.setup()\n"
        "from django.conf import settings\n"
        "print(callable(w.application), callable(a.application),"
        " callable(w.get_wsgi_application()), callable(a.get_asgi_application()),"
        " settings.CONFIGURATION)\n"
        "w.no_such_name\n"
    )
    # WhiteNoise warns when STATIC_ROOT does not exist (collectstatic not run yet).
    environ = {"DJANGO_SETTINGS_MODULE": "myproject.settings", "DJANGO_STATIC_ROOT": str(tmp_path)}
    result = run(project, "-c", script, **environ, **PROD)
    assert result.stdout.split() == ["True", "True", "True", "True", "myproject.settings.Prod"]
    assert result.stderr.strip().splitlines()[-1] == (
        "AttributeError: module 'dockerflow_settings.wsgi' has no attribute 'no_such_name'"
    )


def test_collectstatic_writes_manifest_and_brotli_files(project, tmp_path):
    static_root = tmp_path / "static"
    result = run(
        project, "manage.py", "collectstatic", "--noinput", "-v", "0",
        DJANGO_STATIC_ROOT=str(static_root), **PROD,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    manifest = json.loads((static_root / "staticfiles.json").read_text())
    hashed = manifest["paths"]["myproject/app.css"]
    assert hashed != "myproject/app.css"
    assert (static_root / (hashed + ".br")).is_file()
    assert (static_root / (hashed + ".gz")).is_file()


def test_pytest_django_with_dc(project):
    result = run(
        project, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--ds=myproject.settings",
        "--dc=Test", "test_in_project.py", warnings_error=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout


def test_python_m_check(project):
    environ = {"DJANGO_SETTINGS_MODULE": "myproject.settings", "DJANGO_CONFIGURATION": "Prod"}
    result = run(project, "-m", "dockerflow_settings", "check", PORT="http", **environ)
    assert result.returncode == 1, result.stderr
    assert result.stdout.splitlines() == [
        "Invalid configuration (2 problems):",
        "- DJANGO_SECRET_KEY: required when DEBUG is off: set DJANGO_SECRET_KEY, or "
        "DJANGO_SECRET_KEY_FILE to a file containing it",
        "- PORT='http' (from environment variable PORT): expected an integer from 1 to 65535",
    ]
    result = run(project, "-m", "dockerflow_settings", "check", **{**environ, **PROD})
    assert (result.returncode, result.stdout) == (0, "No problems found.\n")
    result = run(project, "-m", "dockerflow_settings", "check", "--nope", **environ)
    assert result.returncode == 2
    assert "usage: python -m dockerflow_settings check" in result.stderr
    result = run(
        project, "-m", "dockerflow_settings", "check",
        DJANGO_SETTINGS_MODULE="myproject.missing", DJANGO_DEBUG="x",
    )  # fmt: skip
    assert result.returncode == 1
    assert "cannot import myproject.missing" in result.stderr
    assert "DJANGO_DEBUG='x'" in result.stdout


def test_plain_settings_module(project):
    environ = {"DJANGO_SETTINGS_MODULE": "myproject.plain_settings", "DJANGO_ALLOWED_HOSTS": "x"}
    result = run(project, "-m", "django", "check", "--deploy", DJANGO_SECRET_KEY=SECRET, **environ)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout
    plain = dump(project, "-m", "django", DJANGO_SECRET_KEY=SECRET, **environ)
    mixin = dump(project, "manage.py", DJANGO_ALLOWED_HOSTS="x", **PROD)
    assert plain["settings"] == mixin["settings"]
    assert plain["sources"]["INSTALLED_APPS"] == "module global INSTALLED_APPS"
