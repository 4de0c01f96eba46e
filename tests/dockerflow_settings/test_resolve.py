"""resolve(): defaults in Dev and Prod, precedence and provenance, merges, LOGGING."""

from __future__ import annotations

import copy
import logging
import logging.config
import os
from pathlib import Path

import pytest
from django.utils.module_loading import import_string

from dockerflow.django import conf
from dockerflow_settings import defaults, merging, table
from dockerflow_settings.errors import ConfigurationError
from dockerflow_settings.resolve import (
    Attribute,
    detect_testing,
    project_location,
    resolve,
)

SECRET = "s3cr3t-" + "k" * 50


def run(attributes=None, environ=None, base_dir=Path("/srv/app"), **kwargs):
    kwargs.setdefault("testing", False)
    return resolve(
        attributes or {}, environ=environ or {}, base_dir=base_dir, project="myproject", **kwargs
    )


def prod(**environ):
    return run(environ={"DJANGO_SECRET_KEY": SECRET, **environ})


def dev(**environ):
    return run({"DEBUG": Attribute(True, "Dev.DEBUG")}, environ)


def test_table_entries_carry_what_docs_and_reports_need():
    names = [s.name for s in table.TABLE]
    assert len(names) == len(set(names))
    assert names[:2] == ["BASE_DIR", "DEBUG"]
    for setting in table.TABLE:
        assert setting.help
        assert setting.type
        assert setting.dev_default
        assert setting.prod_default
        assert setting.role in (table.DJANGO, table.OPTION, table.SENTRY, table.SERVER)
        if setting.env_var is not None:
            assert setting.parse is not None
            assert setting.example
            setting.parse(setting.example)  # raises ParseError if the example is wrong
            prefixed = setting.env_var == f"DJANGO_{setting.name}"
            assert (
                prefixed
                or setting.env_var == setting.name
                or setting.env_var
                in (
                    "DATABASE_URL",
                    "CACHE_URL",
                )
            )
    secrets = {s.env_var for s in table.TABLE if s.secret}
    assert secrets == {"DJANGO_SECRET_KEY", "DATABASE_URL", "CACHE_URL", "SENTRY_DSN"}
    servers = {s.name for s in table.TABLE if s.role == table.SERVER}
    assert servers == {"PORT", "WEB_CONCURRENCY", "SERVER_WORKER_CLASS"}
    assert servers.isdisjoint(table.SETTING_NAMES)


def test_prod_defaults():
    settings = prod().settings
    assert settings["DEBUG"] is False
    assert settings["SECRET_KEY"] == SECRET
    assert settings["ALLOWED_HOSTS"] == []
    assert settings["BASE_DIR"] == Path("/srv/app")
    assert settings["DATABASES"] == {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": "/srv/app/db.sqlite3",
            # Connections last (the heartbeat's check threads keep theirs as long).
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
        }
    }
    assert settings["CACHES"] == {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    }
    assert settings["STATIC_URL"] == "/static/"
    assert settings["STATIC_ROOT"] == Path("/srv/app/staticfiles")
    assert settings["STORAGES"] == {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    assert "STATICFILES_STORAGE" not in settings
    assert settings["SECURE_SSL_REDIRECT"] is True
    assert settings["SECURE_HSTS_SECONDS"] == 31_536_000
    assert settings["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert settings["SECURE_HSTS_PRELOAD"] is False  # a commitment: opt-in
    assert settings["DOCKERFLOW_SUMMARY_LOG_PROBES"] == "failures"
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["CSRF_COOKIE_SECURE"] is True
    assert settings["SECURE_CONTENT_TYPE_NOSNIFF"] is True
    assert settings["X_FRAME_OPTIONS"] == "DENY"
    assert settings["SECURE_PROXY_SSL_HEADER"] is None
    assert settings["DOCKERFLOW_ERROR_ENDPOINT"] is False
    assert settings["DOCKERFLOW_HEARTBEAT_TIMEOUT"] == 5.0
    assert settings["DOCKERFLOW_HEARTBEAT_CACHE_SECONDS"] == 0
    assert settings["DOCKERFLOW_HEARTBEAT_DETAILS"] is None
    assert settings["DOCKERFLOW_HEARTBEAT_FAILED_STATUS_CODE"] == 500
    assert settings["DOCKERFLOW_SUMMARY_LOG_QUERYSTRING"] is False
    assert settings["DOCKERFLOW_REQUEST_ID_HEADER_NAME"] == "X-Request-ID"
    assert settings["DOCKERFLOW_VERSION_CALLBACK"] == "dockerflow.version.get_version"
    assert settings["DOCKERFLOW_CHECKS"] == conf.DEFAULTS["DOCKERFLOW_CHECKS"]
    assert settings["LOGGING"]["handlers"]["console"]["formatter"] == "json"
    assert "PORT" not in settings
    assert prod().server == {"PORT": 8000, "WEB_CONCURRENCY": None, "SERVER_WORKER_CLASS": "sync"}


def test_dev_defaults():
    resolution = dev()
    settings = resolution.settings
    assert resolution.problems == []
    assert settings["DEBUG"] is True
    assert settings["SECRET_KEY"].startswith("dev-insecure-")
    assert len(settings["SECRET_KEY"]) > 50
    assert settings["SECRET_KEY"] != dev().settings["SECRET_KEY"]  # random per process/run
    assert settings["ALLOWED_HOSTS"] == [".localhost", "127.0.0.1", "[::1]"]
    assert settings["STORAGES"]["staticfiles"]["BACKEND"] == merging.PLAIN_STATIC_STORAGE
    assert settings["SECURE_SSL_REDIRECT"] is False
    assert settings["SECURE_HSTS_SECONDS"] == 0
    assert settings["SESSION_COOKIE_SECURE"] is False
    assert settings["DOCKERFLOW_ERROR_ENDPOINT"] is True
    assert settings["DOCKERFLOW_SUMMARY_LOG_PROBES"] == "all"
    assert settings["DATABASES"]["default"]["CONN_MAX_AGE"] == 0
    assert settings["LOGGING"]["handlers"]["console"]["formatter"] == "text"


def test_every_setting_is_overridable_by_its_variable():
    environ = {s.env_var: s.example for s in table.TABLE if s.env_var and s.example}
    environ["DJANGO_BASE_DIR"] = "/elsewhere"
    environ["DJANGO_DOCKERFLOW_VERSION_CALLBACK"] = "tests.dockerflow_settings.conftest.load"
    resolution = run(environ=environ)
    assert resolution.problems == []
    by_name = {entry.name: entry for entry in resolution.entries}
    for setting in table.TABLE:
        if setting.env_var:
            entry = by_name[setting.name]
            assert entry.source == "environment", setting.name
            assert entry.origin == f"environment variable {setting.env_var}"
    settings = resolution.settings
    assert settings["BASE_DIR"] == Path("/elsewhere")
    assert settings["DEBUG"] is True
    assert settings["SECRET_KEY"] == table.BY_NAME["SECRET_KEY"].example
    assert settings["SECURE_SSL_REDIRECT"] is True
    assert settings["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")
    assert settings["DOCKERFLOW_HEARTBEAT_FAILED_STATUS_CODE"] == 503
    assert settings["DOCKERFLOW_HEARTBEAT_TIMEOUT"] == 2.5
    assert settings["DOCKERFLOW_HEARTBEAT_DETAILS"] is False
    assert settings["DATABASES"]["default"]["HOST"] == "db"
    assert settings["DATABASES"]["default"]["CONN_MAX_AGE"] == 300
    assert settings["CACHES"]["default"] == {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://:password@cache:6379/0",
    }
    assert settings["SECURE_REDIRECT_EXEMPT"][0] == "^healthz/?$"
    assert settings["LOGGING"]["formatters"]["json"]["logger_name"] == "myservice"
    assert settings["LOGGING"]["root"]["level"] == "WARNING"
    assert resolution.server == {
        "PORT": 8080,
        "WEB_CONCURRENCY": 4,
        "SERVER_WORKER_CLASS": "uvicorn",
    }


def test_empty_values_mean_unset():
    resolution = run(environ={"DJANGO_DEBUG": "", "PORT": "", "WEB_CONCURRENCY": " ",
                              "DJANGO_SECRET_KEY": SECRET, "DATABASE_URL": ""})  # fmt: skip
    assert resolution.problems == []
    assert resolution.server_problems == []
    assert resolution.settings["DEBUG"] is False
    assert resolution.server["PORT"] == 8000
    assert resolution.settings["DATABASES"]["default"]["ENGINE"].endswith("sqlite3")


def test_precedence_environment_dotenv_value_default(tmp_path):
    (tmp_path / ".env").write_text(
        "# comment\nDJANGO_ALLOWED_HOSTS=from-dotenv\nDJANGO_STATIC_URL='/dotenv/'\n"
        f'DJANGO_SECRET_KEY="dotenv-secret-{SECRET}"\nDJANGO_X_FRAME_OPTIONS=\n'
    )
    attributes = {
        "ALLOWED_HOSTS": Attribute(
            ["from-value"], "Base.ALLOWED_HOSTS", overridable=True, env_var="DJANGO_ALLOWED_HOSTS"
        ),
        "STATIC_URL": Attribute("/value/", "Base.STATIC_URL", overridable=True,
                                env_var="DJANGO_STATIC_URL"),
        "X_FRAME_OPTIONS": Attribute("SAMEORIGIN", "Base.X_FRAME_OPTIONS", overridable=True,
                                     env_var="DJANGO_X_FRAME_OPTIONS"),
    }  # fmt: skip
    resolution = run(attributes, environ={"DJANGO_ALLOWED_HOSTS": "from-env"}, base_dir=tmp_path)
    entries = {entry.name: entry for entry in resolution.entries}
    assert resolution.settings["ALLOWED_HOSTS"] == ["from-env"]
    assert entries["ALLOWED_HOSTS"].source == "environment"
    assert resolution.settings["STATIC_URL"] == "/dotenv/"
    assert entries["STATIC_URL"].source == ".env"
    assert entries["STATIC_URL"].origin == f"DJANGO_STATIC_URL in {tmp_path / '.env'}"
    assert resolution.settings["SECRET_KEY"] == f"dotenv-secret-{SECRET}"
    assert entries["SECRET_KEY"].value == "********"
    # An empty .env value is unset too: the Value's default applies.
    assert resolution.settings["X_FRAME_OPTIONS"] == "SAMEORIGIN"
    assert entries["X_FRAME_OPTIONS"].source == "class attribute"
    assert entries["DEBUG"].source == "default"
    assert entries["DEBUG"].origin == "mixin default"


def test_plain_attribute_fixes_the_setting():
    resolution = prod(DJANGO_SECURE_SSL_REDIRECT="on", DJANGO_DEBUG="maybe")
    assert resolution.problems  # the bad DJANGO_DEBUG is reported when it is used
    attributes = {
        "SECURE_SSL_REDIRECT": Attribute(False, "Prod.SECURE_SSL_REDIRECT"),
        "DEBUG": Attribute(False, "Prod.DEBUG"),
    }
    resolution = run(
        attributes,
        {"DJANGO_SECURE_SSL_REDIRECT": "on", "DJANGO_DEBUG": "maybe", "DJANGO_SECRET_KEY": SECRET},
    )
    assert resolution.problems == []
    assert resolution.settings["SECURE_SSL_REDIRECT"] is False
    entry = next(e for e in resolution.entries if e.name == "SECURE_SSL_REDIRECT")
    assert entry.origin == (
        "Prod.SECURE_SSL_REDIRECT (fixed: DJANGO_SECURE_SSL_REDIRECT is ignored)"
    )
    assert entry.source == "class attribute"


def test_secret_key_file(tmp_path):
    secret_file = tmp_path / "secret"
    secret_file.write_text(f"{SECRET}\n")
    secret_file.chmod(0o600)
    resolution = run(environ={"DJANGO_SECRET_KEY_FILE": str(secret_file)})
    assert resolution.problems == []
    assert resolution.warnings == []
    assert resolution.settings["SECRET_KEY"] == SECRET
    entry = next(e for e in resolution.entries if e.name == "SECRET_KEY")
    assert entry.origin == (
        f"file {secret_file} (named by environment variable DJANGO_SECRET_KEY_FILE)"
    )
    # Both set is ambiguous: an error naming both.
    both = run(environ={"DJANGO_SECRET_KEY_FILE": str(secret_file), "DJANGO_SECRET_KEY": SECRET})
    [problem] = both.problems
    assert problem.startswith("DJANGO_SECRET_KEY and DJANGO_SECRET_KEY_FILE: one of them")
    assert SECRET not in problem


def test_every_secret_reads_its_file_through_the_guarded_reader(tmp_path):
    url = tmp_path / "database_url"
    url.write_text("postgres://app:hunter2@db:5432/app\n")
    url.chmod(0o644)
    cache = tmp_path / "cache_url"
    cache.write_bytes(b"redis://:hunter2@cache:6379/0\0\n")
    cache.chmod(0o600)
    resolution = prod(DATABASE_URL_FILE=str(url), REDIS_URL_FILE=str(cache))
    assert resolution.problems == []
    assert resolution.settings["DATABASES"]["default"]["PASSWORD"] == "hunter2"
    assert resolution.values["CACHES"]["default"]["LOCATION"].startswith("redis://:hunter2@")
    assert resolution.warnings == [
        f"DATABASE_URL_FILE: {url} is readable by every user on this machine (chmod o-r, or "
        "defaultMode: 0440 on a Kubernetes secret volume)",
        f"REDIS_URL_FILE: {cache} contains a NUL character (a binary file?)",
    ]
    entries = {e.name: e for e in resolution.entries}
    assert "hunter2" not in repr(entries["DATABASES"].value)
    assert "hunter2" not in repr(entries["CACHES"].value)
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    big = tmp_path / "big"
    big.write_bytes(b"x" * (64 * 1024 + 1))
    bad = prod(
        DATABASE_URL_FILE=str(tmp_path),  # a directory
        CACHE_URL_FILE=str(fifo),  # would block a plain open()
        SENTRY_DSN_FILE=str(big),
        DJANGO_SECRET_KEY_FILE="/dev/zero",  # would never end
        DJANGO_SECRET_KEY="",
    )
    shown = {p.variable: p.expected for p in bad.problems}
    assert shown == {
        "DATABASE_URL_FILE": "a readable secret file (is not a regular file)",
        "CACHE_URL_FILE": "a readable secret file (is not a regular file)",
        "SENTRY_DSN_FILE": f"a readable secret file (is larger than {64 * 1024} bytes)",
        "DJANGO_SECRET_KEY_FILE": "a readable secret file (is not a regular file)",
    }


def test_dockerflow_checks_add_the_cache_check():
    caches = {"default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": "redis://"}}
    resolution = run({"CACHES": Attribute(caches, "Base.CACHES")}, {"DJANGO_SECRET_KEY": SECRET})
    checks = conf.DEFAULTS["DOCKERFLOW_CHECKS"]
    assert resolution.settings["DOCKERFLOW_CHECKS"] == [*checks, defaults.REDIS_CHECK]
    for path in resolution.settings["DOCKERFLOW_CHECKS"]:
        assert callable(import_string(path))
    assert prod().settings["DOCKERFLOW_CHECKS"] == checks
    redis = prod(REDIS_URL="rediss://cache:6380/0").settings
    assert redis["DOCKERFLOW_CHECKS"] == [*checks, defaults.REDIS_CHECK]
    assert redis["CACHES"]["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    memcached = prod(CACHE_URL="pymemcache://mc:11211", REDIS_URL="redis://ignored").settings
    assert memcached["CACHES"]["default"]["LOCATION"] == "mc:11211"
    assert memcached["DOCKERFLOW_CHECKS"] == [*checks, defaults.CACHE_CHECK]
    assert prod(CACHE_URL="dummy://").settings["DOCKERFLOW_CHECKS"] == checks


def test_installed_apps_merge():
    ctx = None
    merge = merging.merge_installed_apps
    assert merge(["django.contrib.auth", "myapp"], ctx) == [
        "django.contrib.auth",
        "myapp",
        "dockerflow.django",
        "dockerflow_settings",
        "whitenoise.runserver_nostatic",
        "django.contrib.staticfiles",
    ]
    user = [
        "django.contrib.staticfiles.apps.StaticFilesConfig",
        "whitenoise.runserver_nostatic",
        "a",
        "dockerflow.django.apps.DockerflowConfig",
        "a",
    ]
    assert merge(user, ctx) == [
        "whitenoise.runserver_nostatic",
        "django.contrib.staticfiles.apps.StaticFilesConfig",
        "a",
        "dockerflow.django.apps.DockerflowConfig",
        "dockerflow_settings",
    ]
    assert merge(merge(user, ctx), ctx) == merge(user, ctx)


def test_middleware_merge():
    merge = merging.merge_middleware
    assert merge(["django.middleware.common.CommonMiddleware"], None) == [
        merging.DOCKERFLOW_MIDDLEWARE,
        merging.SECURITY_MIDDLEWARE,
        merging.WHITENOISE_MIDDLEWARE,
        "django.middleware.common.CommonMiddleware",
        merging.XFRAME_MIDDLEWARE,
    ]
    user = [
        "a.First",
        merging.WHITENOISE_MIDDLEWARE,
        merging.SECURITY_MIDDLEWARE,
        "b.Second",
        merging.DOCKERFLOW_MIDDLEWARE,
        merging.XFRAME_MIDDLEWARE,
        "a.First",
    ]
    merged = merge(user, None)
    assert merged == [
        merging.DOCKERFLOW_MIDDLEWARE,
        "a.First",
        merging.SECURITY_MIDDLEWARE,
        merging.WHITENOISE_MIDDLEWARE,
        "b.Second",
        merging.XFRAME_MIDDLEWARE,
    ]
    assert merge(merged, None) == merged
    assert merge(None, None)[:3] == [
        merging.DOCKERFLOW_MIDDLEWARE,
        merging.SECURITY_MIDDLEWARE,
        merging.WHITENOISE_MIDDLEWARE,
    ]


def test_storages_keep_the_projects_default_and_follow_the_manifest_option():
    s3 = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {"bucket_name": "b"}}
    user = {"default": s3}
    frozen = copy.deepcopy(user)
    resolution = run({"STORAGES": Attribute(user, "Base.STORAGES")}, {"DJANGO_SECRET_KEY": SECRET})
    assert user == frozen  # not mutated
    storages = resolution.settings["STORAGES"]
    assert storages["default"] == s3
    assert storages["staticfiles"]["BACKEND"] == merging.MANIFEST_STORAGE
    assert storages is not user
    forced = prod(DJANGO_STATICFILES_MANIFEST="off").settings["STORAGES"]["staticfiles"]
    assert forced["BACKEND"] == merging.PLAIN_STATIC_STORAGE
    forced = dev(DJANGO_STATICFILES_MANIFEST="on").settings["STORAGES"]["staticfiles"]
    assert forced["BACKEND"] == merging.MANIFEST_STORAGE
    own = {"staticfiles": {"BACKEND": "my.Storage"}}
    mine = run({"STORAGES": Attribute(own, "Base.STORAGES")}, {"DJANGO_SECRET_KEY": SECRET})
    assert mine.settings["STORAGES"]["staticfiles"] == {"BACKEND": "my.Storage"}
    assert mine.settings["STORAGES"]["default"]["BACKEND"] == merging.DEFAULT_FILE_STORAGE


def test_test_runs_use_plain_static_storage_unless_forced():
    testing = run(environ={"DJANGO_SECRET_KEY": SECRET}, testing=True).settings
    assert testing["STORAGES"]["staticfiles"]["BACKEND"] == merging.PLAIN_STATIC_STORAGE
    # Under pytest (this process) detection says "testing" when not given.
    detected = resolve({}, environ={"DJANGO_SECRET_KEY": SECRET}, base_dir=Path("/a"), project="p")
    assert detected.settings["STATICFILES_MANIFEST"] is False
    assert detect_testing(["manage.py", "test", "app"]) is True
    assert detect_testing() is True  # pytest is imported here


def test_detect_testing_outside_pytest(monkeypatch):
    import sys

    monkeypatch.delitem(sys.modules, "pytest")
    assert detect_testing(["manage.py", "runserver"]) is False
    assert detect_testing(["manage.py", "test"]) is True


def test_secure_redirect_exempt_matches_health_paths_only():
    import re

    patterns = prod().settings["SECURE_REDIRECT_EXEMPT"]
    for path in ["/__heartbeat__", "/__heartbeat__/", "/__lbheartbeat__", "/__version__/"]:
        # SecurityMiddleware: any(pattern.search(request.path.lstrip("/"))).
        assert any(re.search(p, path.lstrip("/")) for p in patterns), path
    for path in ["/__heartbeat__x", "/x/__version__", "/", "/__error__"]:
        assert not any(re.search(p, path.lstrip("/")) for p in patterns), path
    extended = prod(DJANGO_SECURE_REDIRECT_EXEMPT=r"^healthz$, ^__version__/?$")
    assert extended.settings["SECURE_REDIRECT_EXEMPT"] == [
        r"^healthz$",
        r"^__version__/?$",
        r"^__heartbeat__/?$",
        r"^__lbheartbeat__/?$",
    ]


@pytest.mark.parametrize(("use_json", "formatter"), [("true", "json"), ("off", "text")])
def test_logging_passes_dictconfig(use_json, formatter, capsys):
    config = prod(DJANGO_LOGGING_USE_JSON=use_json).settings["LOGGING"]
    assert config["handlers"]["console"]["formatter"] == formatter
    assert {"request.summary", "dockerflow", "django"} <= set(config["loggers"])
    assert config["root"]["level"] == "INFO"
    # Put every logger back as it was: later tests rely on the test settings' LOGGING.
    loggers = [logging.getLogger(), *(logging.getLogger(name) for name in config["loggers"])]
    saved = [(lg, lg.handlers[:], lg.level, lg.propagate, lg.filters[:]) for lg in loggers]
    try:
        logging.config.dictConfig(copy.deepcopy(config))
        logging.getLogger("dockerflow").info("hello %s", "world")
    finally:
        for logger, handlers, level, propagate, filters in saved:
            logger.handlers[:], logger.level, logger.propagate = handlers, level, propagate
            logger.filters[:] = filters
    out = capsys.readouterr().out
    assert "hello world" in out
    if formatter == "json":
        import json

        record = json.loads(out.strip().splitlines()[-1])
        assert record["Logger"] == "myproject"
        assert record["Fields"]["msg"] == "hello world"
    else:
        assert " INFO dockerflow hello world" in out


def test_logging_holds_plain_values_only():
    def walk(value):
        if isinstance(value, dict):
            for key, item in value.items():
                assert isinstance(key, str)
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        else:
            assert isinstance(value, (str, bool, int)), value

    walk(prod().settings["LOGGING"])


def test_project_location(tmp_path):
    package = tmp_path / "myproject"
    (package / "settings").mkdir(parents=True)
    flat = package / "settings.py"
    assert project_location("myproject.settings", str(flat)) == (tmp_path.resolve(), "myproject")
    nested = package / "settings" / "prod.py"
    assert project_location("myproject.settings.prod", str(nested))[0] == tmp_path.resolve()
    init = package / "settings" / "__init__.py"
    assert project_location("myproject.settings", str(init))[0] == tmp_path.resolve()
    top = tmp_path / "settings.py"
    assert project_location("settings", str(top)) == (tmp_path.resolve(), "settings")
    assert project_location("x.y", None) == (Path.cwd(), "x")


def test_unreadable_dotenv_is_a_problem(tmp_path):
    (tmp_path / ".env").mkdir()
    resolution = run(environ={"DJANGO_SECRET_KEY": SECRET}, base_dir=tmp_path)
    assert len(resolution.problems) == 1
    assert str(tmp_path / ".env") in resolution.problems[0]
    with pytest.raises(ConfigurationError):
        resolution.raise_for_problems()


@pytest.mark.parametrize(
    "key",
    ["Qz7", "Q" * 60, "django-insecure-" + SECRET, SECRET[:49]],
    ids=["short", "one-character", "django-insecure", "49-characters"],
)
def test_weak_secret_keys_are_rejected_in_prod_without_showing_them(key, tmp_path):
    resolution = prod(DJANGO_SECRET_KEY=key)
    [problem] = resolution.problems
    assert problem.variable == "DJANGO_SECRET_KEY"
    assert problem.value == "********"
    assert "security.W009" in problem.expected
    assert key not in str(problem)
    key_file = tmp_path / "key"
    key_file.write_text(key)
    [from_file] = run(environ={"DJANGO_SECRET_KEY_FILE": str(key_file)}).problems
    assert from_file.variable == "DJANGO_SECRET_KEY_FILE"
    assert key not in str(from_file)
    # Dev accepts any key; so does a project that silences Django's own check.
    assert dev(DJANGO_SECRET_KEY=key).problems == []
    silenced = run(extra={"SILENCED_SYSTEM_CHECKS": ["security.W009"]},
                   environ={"DJANGO_SECRET_KEY": key})  # fmt: skip
    assert silenced.problems == []
    assert silenced.settings["SECRET_KEY"] == key


def test_a_plain_attribute_records_each_variable_it_ignores():
    attributes = {"SECRET_KEY": Attribute("k" * 60, "Prod.SECRET_KEY")}
    resolution = run(attributes, {"DJANGO_SECRET_KEY": "x", "DJANGO_SECRET_KEY_FILE": "/nope"})
    assert resolution.problems == []  # a weak or unreadable value that is ignored is no problem
    assert [w.split(" is set")[0] for w in resolution.warnings] == [
        "DJANGO_SECRET_KEY",
        "DJANGO_SECRET_KEY_FILE",
    ]
    assert resolution.warnings[0] == (
        "DJANGO_SECRET_KEY is set (environment variable DJANGO_SECRET_KEY) but ignored: "
        "Prod.SECRET_KEY fixes SECRET_KEY; remove Prod.SECRET_KEY to let the variable set it, "
        "or unset DJANGO_SECRET_KEY"
    )


def test_dev_and_prod_default_texts_are_derived_from_the_defaults():
    rows = table.BY_NAME
    assert (rows["SECURE_HSTS_SECONDS"].dev_default, rows["SECURE_HSTS_SECONDS"].prod_default) == (
        "0",
        "31536000",
    )
    assert rows["DOCKERFLOW_HEARTBEAT_TIMEOUT"].prod_default == "5"  # conf.DEFAULTS' 5.0
    assert rows["ALLOWED_HOSTS"].dev_default == ".localhost, 127.0.0.1, [::1]"
    assert rows["ALLOWED_HOSTS"].prod_default == "empty"
    assert rows["STATIC_ROOT"].prod_default == "BASE_DIR/staticfiles"
    assert rows["SECURE_PROXY_SSL_HEADER"].prod_default == "unset"
    token = table.Setting(
        name="TOKEN",
        type="str",
        default=lambda ctx: "dev-token" if ctx.debug else secret_required(),
        help="A token.",
    )
    assert (token.dev_default, token.prod_default) == ("dev-token", "required")


def secret_required():
    raise defaults.Required("set DJANGO_TOKEN")
