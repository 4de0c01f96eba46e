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
    # HSTS preload is opt-in (a commitment to browsers' lists): Django's deploy check
    # advises it, and that is the only thing it says.
    assert "(security.W021)" in result.stderr
    assert "System check identified 1 issue (0 silenced)." in result.stderr
    assert result.stderr.count("?: (") == 1


def test_bad_environment_exits_with_one_readable_error(project):
    result = run(
        project, "manage.py", "check", DJANGO_CONFIGURATION="Prod", DJANGO_DEBUG="maybe",
        DATABASE_URL="postgres://app:hunter2@db:x/app", PORT="",
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines[0] == "Invalid configuration (3 problems):"
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
    assert sources["SECRET_KEY"] == (
        f"file {secret_file} (named by environment variable DJANGO_SECRET_KEY_FILE)"
    )
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
        "import configurations; configurations.setup()\n"
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
    assert "1 issue" in result.stderr
    assert "(security.W021)" in result.stderr
    plain = dump(project, "-m", "django", DJANGO_SECRET_KEY=SECRET, **environ)
    mixin = dump(project, "manage.py", DJANGO_ALLOWED_HOSTS="x", **PROD)
    assert plain["settings"] == mixin["settings"]
    assert plain["sources"]["INSTALLED_APPS"] == "module global INSTALLED_APPS"


STRONG_KEY = {"DJANGO_SECRET_KEY": SECRET}


def test_check_paths_that_import_models_are_imported_by_the_heartbeat(project):
    # Settings validation checks the syntax only: importing the path while the settings
    # load would raise AppRegistryNotReady and leave manage.py with Django's core commands.
    environ = {"DJANGO_DOCKERFLOW_CHECKS": "myproject.model_checks.check_users"}
    result = run(project, "manage.py", "dockerflow_heartbeat", **environ)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[:5] == ["CHECK", "STATUS", "MESSAGES", "check_users", "ok"]
    result = run(project, "manage.py", "dockerflow_heartbeat", DJANGO_DOCKERFLOW_CHECKS="no.such")
    assert result.returncode == 1  # importable or not is the heartbeat's finding
    assert "dockerflow.health.E014" in result.stdout


def test_version_callback_that_imports_a_model(project):
    code = (
        "from django.test import Client; r = Client().get('/__version__'); "
        "print('STATUS', r.status_code, r.content.decode())"
    )
    callback = {"DJANGO_DOCKERFLOW_VERSION_CALLBACK": "myproject.model_version.get_version"}
    result = run(project, "manage.py", "shell", "-c", code, **callback)
    assert result.returncode == 0, result.stderr
    line = next(line for line in result.stdout.splitlines() if line.startswith("STATUS"))
    assert line == 'STATUS 200 {"version":"1.2.3","model":"auth.User"}'


def test_check_warns_about_a_variable_a_plain_attribute_ignores(project):
    environ = {"DJANGO_CONFIGURATION": "Pinned", "DJANGO_DEBUG": "true", **STRONG_KEY}
    warning = (
        "Warning: DJANGO_DEBUG is set (environment variable DJANGO_DEBUG) but ignored: "
        "Pinned.DEBUG fixes DEBUG; remove Pinned.DEBUG to let the variable set it, or unset "
        "DJANGO_DEBUG"
    )
    module = {"DJANGO_SETTINGS_MODULE": "myproject.settings"}
    for command in (["-m", "dockerflow_settings", "check"],):
        result = run(project, *command, **module, **environ)
        assert (result.returncode, result.stdout) == (0, "No problems found.\n"), result.stderr
        assert result.stderr.splitlines() == [warning]
        quiet = run(project, *command, **module, **{**environ, "DJANGO_DEBUG": ""})
        assert (quiet.returncode, quiet.stderr) == (0, "")


def test_check_rejects_values_the_service_could_not_use(project):
    environ = {
        "DJANGO_SETTINGS_MODULE": "myproject.settings",
        "DJANGO_CONFIGURATION": "Prod",
        "DJANGO_DOCKERFLOW_HEARTBEAT_TIMEOUT": "1e10",
        "DJANGO_SECRET_KEY": "x",
        "DJANGO_ALLOWED_HOSTS": "https://a.example/ b.example",
        "DJANGO_DOCKERFLOW_REQUEST_ID_HEADER_NAME": "X.Trace",
    }
    result = run(project, "-m", "dockerflow_settings", "check", **environ)
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "Invalid configuration (4 problems):"
    assert lines[1].startswith("- DJANGO_SECRET_KEY='********' (from environment variable")
    assert "(Django's rule security.W009)" in lines[1]
    assert lines[2].endswith(
        "(not 'https://a.example/ b.example'); for example a.example,b.example"
    )
    assert lines[3].endswith("expected a number of seconds > 0 and <= 300")
    assert lines[4].endswith("letters, digits and hyphens, such as 'X-Request-ID'")
    # The same service starts with the fixes, and silencing security.W009 accepts the key.
    fixed = {
        **environ,
        "DJANGO_DOCKERFLOW_HEARTBEAT_TIMEOUT": "300",
        "DJANGO_ALLOWED_HOSTS": "a.example,b.example",
        "DJANGO_DOCKERFLOW_REQUEST_ID_HEADER_NAME": "X-Trace",
    }
    result = run(project, "-m", "dockerflow_settings", "check", **fixed)
    assert result.stdout.splitlines()[0] == "Invalid configuration (1 problem):"
    result = run(project, "-m", "dockerflow_settings", "check", **{**fixed, **STRONG_KEY})
    assert (result.returncode, result.stdout) == (0, "No problems found.\n")


def test_the_mixin_starts_sentry_from_the_table(project, tmp_path):
    dsn_file = tmp_path / "dsn"
    dsn_file.write_text("http://public@127.0.0.1:9/1\n")
    dsn_file.chmod(0o600)
    (project / "version.json").write_text('{"version": "v9.8.7", "commit": "abc"}')
    code = (
        "import sentry_sdk; o = sentry_sdk.get_client().options; "
        "print(o['dsn'], o['environment'], o['release'], bool(o['send_default_pii']))"
    )
    try:
        result = run(
            project, "manage.py", "shell", "-c", code, SENTRY_DSN_FILE=str(dsn_file), **PROD
        )
    finally:
        (project / "version.json").unlink()
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].split() == [
        "http://public@127.0.0.1:9/1",
        "prod",
        "v9.8.7",
        "False",
    ]
    bad = run(project, "manage.py", "check", SENTRY_DSN="not a dsn", **PROD)
    assert bad.returncode == 2
    assert "SENTRY_DSN='********' (from environment variable SENTRY_DSN): expected a " in (
        bad.stderr
    )


def test_the_stock_manage_py_shows_the_problem_list(project):
    # manage_cfg.py is configurations.management's execute_from_command_line, as every
    # django-configurations project has it: Django's ManagementUtility must not swallow
    # the error into "AppRegistryNotReady: Models aren't loaded yet".
    for command in (["check"], ["migrate", "--check"], ["dockerflow_settings"]):
        result = run(
            project, "manage_cfg.py", *command, warnings_error=False,
            DJANGO_CONFIGURATION="Prod", DJANGO_DEBUG="maybe", DJANGO_ALLOWED_HOSTS="a:8000",
        )  # fmt: skip
        assert result.returncode != 0, command
        assert "AppRegistryNotReady" not in result.stderr
        assert result.stderr.splitlines() == [
            "Invalid configuration (3 problems):",
            "- DJANGO_DEBUG='maybe' (from environment variable DJANGO_DEBUG): expected a "
            "boolean: true/false, 1/0, yes/no or on/off",
            "- DJANGO_SECRET_KEY: required when DEBUG is off: set DJANGO_SECRET_KEY, or "
            "DJANGO_SECRET_KEY_FILE to a file containing it",
            "- DJANGO_ALLOWED_HOSTS='a:8000' (from environment variable DJANGO_ALLOWED_HOSTS): "
            "expected host names separated by commas, without scheme, port, path or spaces "
            "(not 'a:8000'); for example a",
        ], command


def test_check_names_a_missing_configuration_and_the_classes_found(project):
    result = run(
        project, "-m", "dockerflow_settings", "check",
        DJANGO_SETTINGS_MODULE="myproject.settings",
    )  # fmt: skip
    assert result.returncode == 1, result.stderr
    assert result.stdout.splitlines() == [
        "Invalid configuration (1 problem):",
        "- DJANGO_CONFIGURATION: required: myproject.settings defines django-configurations "
        "classes (Base, Dev, Prod, Test, Pinned); set it to the one to use",
    ]


def test_a_typo_in_the_checks_fails_check_not_the_first_heartbeat(project):
    environ = {
        "DJANGO_SETTINGS_MODULE": "myproject.settings",
        "DJANGO_CONFIGURATION": "Prod",
        "DJANGO_DOCKERFLOW_CHECKS": "myproject.model_checks.check_users,nope.nothing.here",
        **STRONG_KEY,
    }
    result = run(project, "-m", "dockerflow_settings", "check", **environ)
    assert result.returncode == 1, result.stderr
    assert result.stdout.splitlines() == [
        "Invalid configuration (1 problem):",
        "- dockerflow.health.E014: DOCKERFLOW_CHECKS entry 'nope.nothing.here' cannot be "
        "imported: ModuleNotFoundError: No module named 'nope'",
    ]
    # Importing the model-importing check after the app registry is ready works.
    fine = {**environ, "DJANGO_DOCKERFLOW_CHECKS": "myproject.model_checks.check_users"}
    result = run(project, "-m", "dockerflow_settings", "check", **fine)
    assert (result.returncode, result.stdout) == (0, "No problems found.\n"), result.stderr
    result = run(project, "manage.py", "check", **environ)
    assert result.returncode == 1
    assert "(dockerflow.health.E014) DOCKERFLOW_CHECKS entry 'nope.nothing.here'" in result.stderr


STOCK_ENTRY_POINTS = [
    "import configurations.wsgi",
    "import configurations.asgi",
    "import configurations; configurations.setup()",
]


@pytest.mark.parametrize("code", STOCK_ENTRY_POINTS)
def test_the_stock_entry_points_show_the_problem_list(project, code):
    result = run(
        project, "-c", code, warnings_error=False, DJANGO_SETTINGS_MODULE="myproject.settings",
        DJANGO_CONFIGURATION="Prod", DJANGO_DEBUG="maybe",
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "Invalid configuration (2 problems):",
        "- DJANGO_DEBUG='maybe' (from environment variable DJANGO_DEBUG): expected a "
        "boolean: true/false, 1/0, yes/no or on/off",
        "- DJANGO_SECRET_KEY: required when DEBUG is off: set DJANGO_SECRET_KEY, or "
        "DJANGO_SECRET_KEY_FILE to a file containing it",
    ]


def test_a_middleware_entry_that_cannot_be_imported_is_reported(project):
    (project / "myproject" / "typo_settings.py").write_text(
        "import dockerflow_settings\n"
        "from myproject.plain_settings import *  # noqa: F403\n"
        "MIDDLEWARE = [*MIDDLEWARE, 'myproject.middleware.Nope']  # noqa: F405\n"
        "dockerflow_settings.configure(globals())\n"
    )
    environ = {"DJANGO_SETTINGS_MODULE": "myproject.typo_settings", **STRONG_KEY}
    result = run(project, "-m", "dockerflow_settings", "check", **environ)
    assert result.returncode == 1, result.stderr
    assert result.stdout.splitlines()[1:] == [
        "- dockerflow_settings.E002: MIDDLEWARE entry 'myproject.middleware.Nope' cannot be "
        "imported: ModuleNotFoundError: No module named 'myproject.middleware'"
    ]
    result = run(project, "-m", "django", "check", **environ)
    assert "(dockerflow_settings.E002) MIDDLEWARE entry 'myproject.middleware.Nope'" in (
        result.stderr
    )


def test_check_reports_a_plain_module_s_bad_value_and_imports_it_once(project):
    (project / "myproject" / "loud_settings.py").write_text(
        "import sys\n"
        "from myproject.plain_settings import *  # noqa: F403\n"
        "sys.stderr.write('loud_settings imported\\n')\n"
    )
    result = run(
        project, "-m", "dockerflow_settings", "check",
        DJANGO_SETTINGS_MODULE="myproject.loud_settings", DJANGO_DEBUG="maybe", **STRONG_KEY,
    )  # fmt: skip
    assert result.returncode == 1, result.stderr
    assert result.stdout.splitlines() == [
        "Invalid configuration (1 problem):",
        "- DJANGO_DEBUG='maybe' (from environment variable DJANGO_DEBUG): expected a "
        "boolean: true/false, 1/0, yes/no or on/off",
    ]
    assert "cannot import" not in result.stderr
    result = run(
        project, "-m", "dockerflow_settings", "check",
        DJANGO_SETTINGS_MODULE="myproject.loud_settings", DJANGO_ALLOWED_HOSTS="x", **STRONG_KEY,
    )  # fmt: skip
    assert (result.returncode, result.stdout) == (0, "No problems found.\n"), result.stderr
    assert result.stderr.count("loud_settings imported") == 1
