"""The one table of settings and environment variables.

Every setting ``dockerflow_settings`` provides is one :class:`Setting` in
:data:`TABLE`, in resolution order (a default may use settings resolved before it).
Both front ends (the ``DockerflowConfiguration`` mixin and ``configure()``), the
operator command, ``validate()`` and the docs' configuration reference read it.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dockerflow_settings import parsing
from dockerflow_settings.masking import mask, mask_databases

#: A Django (or Dockerflow runtime) setting.
DJANGO = "django"
#: Shapes other settings (e.g. LOGGING_USE_JSON); also available as a setting.
OPTION = "option"
#: Read by the server (gunicorn configuration), not a Django setting.
SERVER = "server"

DOCKERFLOW_APP = "dockerflow.django"
STATICFILES_APP = "django.contrib.staticfiles"
WHITENOISE_APP = "whitenoise.runserver_nostatic"
DOCKERFLOW_MIDDLEWARE = "dockerflow.django.middleware.DockerflowMiddleware"
SECURITY_MIDDLEWARE = "django.middleware.security.SecurityMiddleware"
WHITENOISE_MIDDLEWARE = "whitenoise.middleware.WhiteNoiseMiddleware"
XFRAME_MIDDLEWARE = "django.middleware.clickjacking.XFrameOptionsMiddleware"
MANIFEST_STORAGE = "whitenoise.storage.CompressedManifestStaticFilesStorage"
PLAIN_STATIC_STORAGE = "django.contrib.staticfiles.storage.StaticFilesStorage"
DEFAULT_FILE_STORAGE = "django.core.files.storage.FileSystemStorage"
DEFAULT_CHECKS = (
    "dockerflow.django.checks.check_database_connected",
    "dockerflow.django.checks.check_migrations_applied",
)
REDIS_CHECK = "dockerflow.django.checks.check_redis_connected"
#: Django matches SECURE_REDIRECT_EXEMPT against the path without its leading slash.
HEALTH_PATH_PATTERNS = (r"^__heartbeat__/?$", r"^__lbheartbeat__/?$", r"^__version__/?$")
DEV_HOSTS = ("localhost", "127.0.0.1", "[::1]")
HSTS_SECONDS = 31_536_000
TEXT_LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


class Required(Exception):
    """Raised by a default when the setting must be given; ``str()`` says how."""


@dataclass(frozen=True)
class Context:
    """What defaults may depend on. ``values`` holds the settings resolved so far."""

    debug: bool
    base_dir: Path
    project: str
    testing: bool
    values: Mapping[str, Any]
    #: Settings the user set that are not in the table (e.g. CACHES), already resolved.
    attributes: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Setting:
    """One row of the table: everything resolution, reports and docs need."""

    name: str
    #: The variable that overrides it, or None for settings computed from others.
    env_var: str | None
    #: Type name for docs: bool, int, float, str, list of str, URL, dotted path,
    #: dotted path list, path, secret, dict, list.
    type: str
    #: Text -> value; raises parsing.ParseError. None when there is no variable.
    parse: Callable[[str], Any] | None
    #: The mixin's default, from the context; may raise Required.
    default: Callable[[Context], Any]
    dev_default: str
    prod_default: str
    help: str
    example: str | None = None
    secret: bool = False
    role: str = DJANGO
    #: Combines the user's value (or None) with what the mixin adds.
    merge: Callable[[Any, Context], Any] | None = None
    #: A variable naming a file whose (stripped) content is the value.
    file_env_var: str | None = None
    #: How the value is shown in reports (secrets masked).
    display: Callable[[Any], Any] | None = None

    def shown(self, value: Any) -> Any:
        """The value as reports may show it."""
        if self.display is not None:
            return self.display(value)
        return mask(value) if self.secret else value


def _by_debug(dev: Any, prod: Any) -> Callable[[Context], Any]:
    return lambda ctx: dev if ctx.debug else prod


def _constant(value: Any) -> Callable[[Context], Any]:
    return lambda ctx: value


def _not_debug(ctx: Context) -> bool:
    return not ctx.debug


def _secret_key(ctx: Context) -> str:
    if ctx.debug:
        return "dev-insecure-" + secrets.token_urlsafe(48)
    raise Required(
        "required when DEBUG is off: set DJANGO_SECRET_KEY, or DJANGO_SECRET_KEY_FILE to a "
        "file containing it"
    )


def _sqlite(ctx: Context) -> dict[str, Any]:
    return {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(ctx.base_dir / "db.sqlite3"),
        }
    }


def _unique(items: Any) -> list[Any]:
    seen: list[Any] = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return seen


def _is_app(entry: str, app: str) -> bool:
    # "django.contrib.staticfiles" or its AppConfig path "django.contrib.staticfiles.apps.X".
    return entry == app or entry.startswith(app + ".apps.")


def merge_installed_apps(user: Any, ctx: Context) -> list[str]:
    apps = [app for app in _unique(user or []) if app != WHITENOISE_APP]
    if not any(_is_app(app, DOCKERFLOW_APP) for app in apps):
        apps.append(DOCKERFLOW_APP)
    if not any(_is_app(app, STATICFILES_APP) for app in apps):
        apps.append(STATICFILES_APP)
    position = next(i for i, app in enumerate(apps) if _is_app(app, STATICFILES_APP))
    return [*apps[:position], WHITENOISE_APP, *apps[position:]]


def merge_middleware(user: Any, ctx: Context) -> list[str]:
    middleware = [DOCKERFLOW_MIDDLEWARE]
    for entry in _unique(user or []):
        if entry in (DOCKERFLOW_MIDDLEWARE, WHITENOISE_MIDDLEWARE):
            continue
        middleware.append(entry)
        if entry == SECURITY_MIDDLEWARE:
            middleware.append(WHITENOISE_MIDDLEWARE)
    if SECURITY_MIDDLEWARE not in middleware:
        middleware[1:1] = [SECURITY_MIDDLEWARE, WHITENOISE_MIDDLEWARE]
    if XFRAME_MIDDLEWARE not in middleware:
        middleware.append(XFRAME_MIDDLEWARE)
    return middleware


def merge_storages(user: Any, ctx: Context) -> dict[str, Any]:
    storages = dict(user or {})
    manifest = ctx.values.get("STATICFILES_MANIFEST")
    static_backend = MANIFEST_STORAGE if manifest else PLAIN_STATIC_STORAGE
    storages.setdefault("default", {"BACKEND": DEFAULT_FILE_STORAGE})
    storages.setdefault("staticfiles", {"BACKEND": static_backend})
    return storages


def merge_redirect_exempt(user: Any, ctx: Context) -> list[str]:
    return _unique([*(user or []), *HEALTH_PATH_PATTERNS])


def _logging(ctx: Context) -> dict[str, Any]:
    use_json = ctx.values.get("LOGGING_USE_JSON", True)
    level = ctx.values.get("LOGGING_DEFAULT_LEVEL", "INFO")
    logger = {"handlers": ["console"], "level": level, "propagate": False}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {
                "()": "dockerflow.logging.JsonLogFormatter",
                "logger_name": ctx.values.get("LOGGING_LOGGER_NAME", ctx.project),
            },
            "text": {"format": TEXT_LOG_FORMAT},
        },
        "filters": {"request_id": {"()": "dockerflow.logging.RequestIdLogFilter"}},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
                "formatter": "json" if use_json else "text",
                "filters": ["request_id"],
            }
        },
        "loggers": {name: dict(logger) for name in ("request.summary", "dockerflow", "django")},
        "root": {"handlers": ["console"], "level": level},
    }


def _checks(ctx: Context) -> list[str]:
    caches = ctx.attributes.get("CACHES") or {}
    backend = str((caches.get("default") or {}).get("BACKEND", ""))
    redis = [REDIS_CHECK] if backend.startswith("django_redis.") else []
    return [*DEFAULT_CHECKS, *redis]


_SECURE = "on when DEBUG is off"

TABLE: tuple[Setting, ...] = (
    Setting(
        "BASE_DIR", "DJANGO_BASE_DIR", "path", parsing.parse_path,
        lambda ctx: ctx.base_dir,
        "directory containing the settings package", "directory containing the settings package",
        "Project root: where manage.py, version.json and .env live. Read from the real "
        "environment only (the .env file is looked for in it).",
        "/app",
    ),
    Setting(
        "DEBUG", "DJANGO_DEBUG", "bool", parsing.parse_bool, _constant(False),
        "True (set by the Dev class)", "False",
        "Django's debug mode. Many defaults below follow it.", "false",
    ),
    Setting(
        "USE_TZ", "DJANGO_USE_TZ", "bool", parsing.parse_bool, _constant(True), "True", "True",
        "Timezone-aware datetimes (Django 5's default; set so Django 4.2 does not warn).",
        "true",
    ),
    Setting(
        "SECRET_KEY", "DJANGO_SECRET_KEY", "secret", parsing.parse_str, _secret_key,
        "random key per process", "required",
        "Django's secret key. Or set DJANGO_SECRET_KEY_FILE to a file holding it (stripped).",
        "a random string of 50+ characters", secret=True,
        file_env_var="DJANGO_SECRET_KEY_FILE",
    ),
    Setting(
        "ALLOWED_HOSTS", "DJANGO_ALLOWED_HOSTS", "list of str", parsing.parse_list,
        _by_debug(list(DEV_HOSTS), []),
        "localhost, 127.0.0.1, [::1]", "empty (health probes still answer)",
        "Host names the site serves, comma-separated.", "example.com,.example.org",
    ),
    Setting(
        "DATABASES", "DATABASE_URL", "URL", parsing.parse_databases,
        _sqlite, "SQLite at BASE_DIR/db.sqlite3", "SQLite at BASE_DIR/db.sqlite3",
        "DATABASES = {'default': ...} from a database URL (dj-database-url).",
        "postgres://user:password@db:5432/app", display=mask_databases,
    ),
    Setting(
        "STATIC_URL", "DJANGO_STATIC_URL", "str", parsing.parse_str, _constant("/static/"),
        "/static/", "/static/", "URL prefix of static files.", "/static/",
    ),
    Setting(
        "STATIC_ROOT", "DJANGO_STATIC_ROOT", "path", parsing.parse_path,
        lambda ctx: ctx.base_dir / "staticfiles",
        "BASE_DIR/staticfiles", "BASE_DIR/staticfiles",
        "Where collectstatic puts files (served by WhiteNoise).", "/app/staticfiles",
    ),
    Setting(
        "STATICFILES_MANIFEST", "DJANGO_STATICFILES_MANIFEST", "bool", parsing.parse_bool,
        lambda ctx: not ctx.debug and not ctx.testing,
        "False", "True (False while running tests)",
        "Use WhiteNoise's compressed manifest storage for static files. Off with DEBUG and "
        "under the test runner (manage.py test, pytest), where uncollected files would make "
        "{% static %} fail.",
        "true", role=OPTION,
    ),
    Setting(
        "STORAGES", None, "dict", None, _constant(None),
        "default: file system; staticfiles: plain",
        "default: file system; staticfiles: WhiteNoise compressed manifest",
        "The project's STORAGES with 'default' kept (Django's if absent) and 'staticfiles' "
        "following STATICFILES_MANIFEST unless the project sets it.",
        merge=merge_storages,
    ),
    Setting(
        "INSTALLED_APPS", None, "list", None, _constant(None),
        "project's apps + dockerflow.django, whitenoise.runserver_nostatic, staticfiles",
        "project's apps + dockerflow.django, whitenoise.runserver_nostatic, staticfiles",
        "The project's apps in its order, plus dockerflow.django, django.contrib.staticfiles "
        "(if missing) and whitenoise.runserver_nostatic just before it.",
        merge=merge_installed_apps,
    ),
    Setting(
        "MIDDLEWARE", None, "list", None, _constant(None),
        "Dockerflow first, Security + WhiteNoise, project's middleware",
        "Dockerflow first, Security + WhiteNoise, project's middleware",
        "DockerflowMiddleware first (probes answer before host checks and SSL redirects), "
        "SecurityMiddleware (added if missing) with WhiteNoiseMiddleware right after it, the "
        "project's middleware in its order, XFrameOptionsMiddleware if missing.",
        merge=merge_middleware,
    ),
    Setting(
        "LOGGING_USE_JSON", "DJANGO_LOGGING_USE_JSON", "bool", parsing.parse_bool, _not_debug,
        "False (one-line text)", "True (mozlog JSON)",
        "Log mozlog JSON on stdout; otherwise readable one-line text.", "true", role=OPTION,
    ),
    Setting(
        "LOGGING_DEFAULT_LEVEL", "DJANGO_LOGGING_DEFAULT_LEVEL", "str", parsing.parse_log_level,
        _constant("INFO"), "INFO", "INFO",
        "Level of the request.summary, dockerflow, django and root loggers.", "WARNING",
        role=OPTION,
    ),
    Setting(
        "LOGGING_LOGGER_NAME", "DJANGO_LOGGING_LOGGER_NAME", "str", parsing.parse_str,
        lambda ctx: ctx.project, "the project's package name", "the project's package name",
        "The mozlog Logger field of every record.", "myservice", role=OPTION,
    ),
    Setting(
        "LOGGING", None, "dict", None, _logging,
        "text on stdout", "mozlog JSON on stdout",
        "A complete dictConfig: one stdout handler (JSON or text), loggers request.summary, "
        "dockerflow, django and root. A project LOGGING replaces it.",
    ),
    Setting(
        "DOCKERFLOW_CHECKS", "DJANGO_DOCKERFLOW_CHECKS", "dotted path list",
        parsing.parse_dotted_path_list, _checks,
        "database connected, migrations applied (+ Redis with django-redis)",
        "database connected, migrations applied (+ Redis with django-redis)",
        "Checks /__heartbeat__ runs, comma-separated dotted paths, each verified importable.",
        "dockerflow.django.checks.check_database_connected",
    ),
    Setting(
        "DOCKERFLOW_HEARTBEAT_TIMEOUT", "DJANGO_DOCKERFLOW_HEARTBEAT_TIMEOUT", "float",
        parsing.number(0, inclusive=False), _constant(5.0), "5", "5",
        "Seconds each heartbeat check may take.", "2.5",
    ),
    Setting(
        "DOCKERFLOW_HEARTBEAT_CACHE_SECONDS", "DJANGO_DOCKERFLOW_HEARTBEAT_CACHE_SECONDS",
        "float", parsing.number(0, inclusive=True), _constant(0.0), "0 (no cache)", "0 (no cache)",
        "Seconds a heartbeat result is reused.", "1",
    ),
    Setting(
        "DOCKERFLOW_HEARTBEAT_DETAILS", "DJANGO_DOCKERFLOW_HEARTBEAT_DETAILS", "bool",
        parsing.parse_bool, _constant(None), "unset (details follow DEBUG)",
        "unset (details follow DEBUG)",
        "Include check details in /__heartbeat__ responses; unset: only with DEBUG.", "false",
    ),
    Setting(
        "DOCKERFLOW_HEARTBEAT_FAILED_STATUS_CODE",
        "DJANGO_DOCKERFLOW_HEARTBEAT_FAILED_STATUS_CODE", "int", parsing.integer(400, 599),
        _constant(500), "500", "500", "HTTP status of a failed heartbeat.", "503",
    ),
    Setting(
        "DOCKERFLOW_HEARTBEAT_MAX_STUCK", "DJANGO_DOCKERFLOW_HEARTBEAT_MAX_STUCK", "int",
        parsing.integer(1), _constant(1), "1", "1",
        "Runs of one check that may still be running (timed out) before it is not started.",
        "2",
    ),
    Setting(
        "DOCKERFLOW_SUMMARY_LOG_QUERYSTRING", "DJANGO_DOCKERFLOW_SUMMARY_LOG_QUERYSTRING",
        "bool", parsing.parse_bool, _constant(False), "False", "False",
        "Log the query string in request.summary records.", "true",
    ),
    Setting(
        "DOCKERFLOW_ERROR_ENDPOINT", "DJANGO_DOCKERFLOW_ERROR_ENDPOINT", "bool",
        parsing.parse_bool, lambda ctx: ctx.debug, "True", "False",
        "Serve /__error__ (raises, to test error reporting).", "false",
    ),
    Setting(
        "DOCKERFLOW_REQUEST_ID_HEADER_NAME", "DJANGO_DOCKERFLOW_REQUEST_ID_HEADER_NAME", "str",
        parsing.parse_header_name, _constant("X-Request-ID"), "X-Request-ID", "X-Request-ID",
        "Request header carrying the request id.", "X-Amzn-Trace-Id",
    ),
    Setting(
        "DOCKERFLOW_VERSION_CALLBACK", "DJANGO_DOCKERFLOW_VERSION_CALLBACK", "dotted path",
        parsing.parse_dotted_path, _constant("dockerflow.version.get_version"),
        "dockerflow.version.get_version", "dockerflow.version.get_version",
        "Function(BASE_DIR) returning the /__version__ data.", "myapp.version.get_version",
    ),
    Setting(
        "SECURE_REDIRECT_EXEMPT", "DJANGO_SECURE_REDIRECT_EXEMPT", "list of str",
        parsing.parse_regex_list, _constant(None), "the three health paths",
        "the three health paths",
        "Path regexes never redirected to HTTPS; the health paths are always added.",
        r"^healthz/?$", merge=merge_redirect_exempt,
    ),
    Setting(
        "SECURE_SSL_REDIRECT", "DJANGO_SECURE_SSL_REDIRECT", "bool", parsing.parse_bool,
        _not_debug, "False", "True",
        "Redirect HTTP to HTTPS (turn off where TLS ends elsewhere without "
        "DJANGO_SECURE_PROXY_SSL_HEADER).", "off",
    ),
    Setting(
        "SECURE_PROXY_SSL_HEADER", "DJANGO_SECURE_PROXY_SSL_HEADER", "str",
        parsing.parse_proxy_ssl_header, _constant(None), "unset", "unset",
        "Header a trusted proxy sets for HTTPS requests: 'HEADER,value'.",
        "HTTP_X_FORWARDED_PROTO,https",
    ),
    Setting(
        "SECURE_HSTS_SECONDS", "DJANGO_SECURE_HSTS_SECONDS", "int", parsing.integer(0),
        _by_debug(0, HSTS_SECONDS), "0", f"{HSTS_SECONDS} (one year)",
        "Strict-Transport-Security max-age.", "63072000",
    ),
    Setting(
        "SECURE_HSTS_INCLUDE_SUBDOMAINS", "DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", "bool",
        parsing.parse_bool, _not_debug, "False", "True", "HSTS includeSubDomains.", "false",
    ),
    Setting(
        "SECURE_HSTS_PRELOAD", "DJANGO_SECURE_HSTS_PRELOAD", "bool", parsing.parse_bool,
        _not_debug, "False", "True", "HSTS preload.", "false",
    ),
    Setting(
        "SESSION_COOKIE_SECURE", "DJANGO_SESSION_COOKIE_SECURE", "bool", parsing.parse_bool,
        _not_debug, "False", "True", "Send the session cookie over HTTPS only.", "true",
    ),
    Setting(
        "CSRF_COOKIE_SECURE", "DJANGO_CSRF_COOKIE_SECURE", "bool", parsing.parse_bool,
        _not_debug, "False", "True", "Send the CSRF cookie over HTTPS only.", "true",
    ),
    Setting(
        "CSRF_TRUSTED_ORIGINS", "DJANGO_CSRF_TRUSTED_ORIGINS", "list of str",
        parsing.parse_origin_list, _constant([]), "empty", "empty",
        "Origins trusted for unsafe requests, comma-separated, with scheme.",
        "https://example.com",
    ),
    Setting(
        "SECURE_CONTENT_TYPE_NOSNIFF", "DJANGO_SECURE_CONTENT_TYPE_NOSNIFF", "bool",
        parsing.parse_bool, _constant(True), "True", "True",
        "X-Content-Type-Options: nosniff.", "true",
    ),
    Setting(
        "X_FRAME_OPTIONS", "DJANGO_X_FRAME_OPTIONS", "str", parsing.choice("DENY", "SAMEORIGIN"),
        _constant("DENY"), "DENY", "DENY", "X-Frame-Options header value.", "SAMEORIGIN",
    ),
    Setting(
        "PORT", "PORT", "int", parsing.integer(1, 65535), _constant(8000), "8000", "8000",
        "Port the server binds on 0.0.0.0 (read by the server, not a Django setting).", "8080",
        role=SERVER,
    ),
    Setting(
        "WEB_CONCURRENCY", "WEB_CONCURRENCY", "int", parsing.integer(1), _constant(None),
        "2 x CPUs + 1, at most 8", "2 x CPUs + 1, at most 8",
        "Number of server worker processes (read by the server, not a Django setting).", "4",
        role=SERVER,
    ),
)  # fmt: skip

BY_NAME: dict[str, Setting] = {setting.name: setting for setting in TABLE}
#: Names that end up in Django settings (everything but server variables).
SETTING_NAMES: frozenset[str] = frozenset(s.name for s in TABLE if s.role != SERVER)
