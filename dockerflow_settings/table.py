"""The one table of settings and environment variables.

Every setting ``dockerflow_settings`` provides is one :class:`Setting` in
:data:`TABLE`, in resolution order (a default may use settings resolved before it).
Both front ends (the ``DockerflowConfiguration`` mixin and ``configure()``), the
operator command, ``validate()`` and the docs' configuration reference read it.
Settings the ``dockerflow`` runtime reads take their default and their rule from
``dockerflow.django.conf`` (:func:`runtime_default`, :func:`runtime_rule`).
"""

from __future__ import annotations

import secrets
from typing import Any

from dockerflow.django import conf
from dockerflow_settings import parsing
from dockerflow_settings.context import Context, Required
from dockerflow_settings.django_logging import build_logging
from dockerflow_settings.masking import mask_databases
from dockerflow_settings.merging import (
    merge_installed_apps,
    merge_middleware,
    merge_redirect_exempt,
    merge_storages,
)
from dockerflow_settings.setting import (
    DJANGO,
    OPTION,
    SERVER,
    Setting,
    by_debug,
    constant,
    not_debug,
    runtime_default,
    runtime_rule,
)

__all__ = ["DJANGO", "OPTION", "SERVER", "TABLE", "Context", "Required", "Setting"]

REDIS_CHECK = "dockerflow.django.checks.check_redis_connected"
DEV_HOSTS = ("localhost", "127.0.0.1", "[::1]")
HSTS_SECONDS = 31_536_000
#: Django's own rule for a production secret key (its system check security.W009).
SECRET_KEY_CHECK = "security.W009"
SECRET_KEY_MIN_LENGTH = 50
SECRET_KEY_MIN_UNIQUE = 5
_DJANGO_INSECURE_PREFIX = "django-insecure-"


def _secret_key(ctx: Context) -> str:
    if ctx.debug:
        return "dev-insecure-" + secrets.token_urlsafe(48)
    raise Required(
        "required when DEBUG is off: set DJANGO_SECRET_KEY, or DJANGO_SECRET_KEY_FILE to a "
        "file containing it"
    )


def _strong_secret_key(key: str, ctx: Context) -> str | None:
    silenced = ctx.attributes.get("SILENCED_SYSTEM_CHECKS") or ()
    if ctx.debug or SECRET_KEY_CHECK in silenced:
        return None
    if (
        len(key) >= SECRET_KEY_MIN_LENGTH
        and len(set(key)) >= SECRET_KEY_MIN_UNIQUE
        and not key.startswith(_DJANGO_INSECURE_PREFIX)
    ):
        return None
    return (
        f"a key of {SECRET_KEY_MIN_LENGTH}+ characters with {SECRET_KEY_MIN_UNIQUE}+ different "
        f"ones and no '{_DJANGO_INSECURE_PREFIX}' prefix when DEBUG is off (Django's rule "
        f"{SECRET_KEY_CHECK}): generate one with python -c 'import secrets; "
        f"print(secrets.token_urlsafe(50))', or add '{SECRET_KEY_CHECK}' to "
        "SILENCED_SYSTEM_CHECKS to accept a weak key"
    )


def _sqlite(ctx: Context) -> dict[str, Any]:
    return {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(ctx.base_dir / "db.sqlite3"),
        }
    }


def _checks(ctx: Context) -> list[str]:
    caches = ctx.attributes.get("CACHES") or {}
    backend = str((caches.get("default") or {}).get("BACKEND", ""))
    redis = [REDIS_CHECK] if backend.startswith("django_redis.") else []
    return [*conf.DEFAULTS["DOCKERFLOW_CHECKS"], *redis]


def _same_in_dev_and_prod(text: str) -> tuple[str, str]:
    return (text, text)


TABLE: tuple[Setting, ...] = (
    Setting(
        name="BASE_DIR",
        env_var="DJANGO_BASE_DIR",
        type="path",
        parse=parsing.parse_path,
        default=lambda ctx: ctx.base_dir,
        describe=_same_in_dev_and_prod("directory containing the settings package"),
        help="Project root: where manage.py, version.json and .env live. Read from the real "
        "environment only (the .env file is looked for in it).",
        example="/app",
    ),
    Setting(
        name="DEBUG",
        env_var="DJANGO_DEBUG",
        type="bool",
        parse=parsing.parse_bool,
        default=constant(False),
        # Dev *is* a class that sets DEBUG on; the mixin's own default is False.
        describe=("True (set by the Dev class)", "False"),
        help="Django's debug mode. Many defaults below follow it.",
        example="false",
    ),
    Setting(
        name="USE_TZ",
        env_var="DJANGO_USE_TZ",
        type="bool",
        parse=parsing.parse_bool,
        default=constant(True),
        help="Timezone-aware datetimes (Django 5's default; set so Django 4.2 does not warn).",
        example="true",
    ),
    Setting(
        name="SECRET_KEY",
        env_var="DJANGO_SECRET_KEY",
        file_env_var="DJANGO_SECRET_KEY_FILE",
        type="secret",
        parse=parsing.parse_str,
        default=_secret_key,
        describe=("random key per process", "required"),
        check_env_value=_strong_secret_key,
        help="Django's secret key. Or set DJANGO_SECRET_KEY_FILE to a file holding it "
        "(stripped). With DEBUG off it must follow Django's own rule (security.W009): at "
        "least 50 characters, at least 5 different ones, no 'django-insecure-' prefix; "
        "adding 'security.W009' to the project's SILENCED_SYSTEM_CHECKS accepts any key.",
        example="\"$(python -c 'import secrets; print(secrets.token_urlsafe(50))')\"",
        secret=True,
    ),
    Setting(
        name="ALLOWED_HOSTS",
        env_var="DJANGO_ALLOWED_HOSTS",
        type="list of str",
        parse=parsing.parse_host_list,
        default=by_debug(list(DEV_HOSTS), []),
        help="Host names the site serves, comma-separated, without scheme or path. With "
        "none, the health probes still answer.",
        example="example.com,.example.org",
    ),
    Setting(
        name="DATABASES",
        env_var="DATABASE_URL",
        type="URL",
        parse=parsing.parse_databases,
        default=_sqlite,
        describe=_same_in_dev_and_prod("SQLite at BASE_DIR/db.sqlite3"),
        help="DATABASES = {'default': ...} from a database URL (dj-database-url).",
        example="postgres://user:password@db:5432/app",
        display=mask_databases,
    ),
    Setting(
        name="STATIC_URL",
        env_var="DJANGO_STATIC_URL",
        type="str",
        parse=parsing.parse_str,
        default=constant("/static/"),
        help="URL prefix of static files.",
        example="/static/",
    ),
    Setting(
        name="STATIC_ROOT",
        env_var="DJANGO_STATIC_ROOT",
        type="path",
        parse=parsing.parse_path,
        default=lambda ctx: ctx.base_dir / "staticfiles",
        help="Where collectstatic puts files (served by WhiteNoise).",
        example="/app/staticfiles",
    ),
    Setting(
        name="STATICFILES_MANIFEST",
        env_var="DJANGO_STATICFILES_MANIFEST",
        type="bool",
        parse=parsing.parse_bool,
        default=lambda ctx: not ctx.debug and not ctx.testing,
        describe=("False", "True (False while running tests)"),
        help="Use WhiteNoise's compressed manifest storage for static files. Off with DEBUG "
        "and under the test runner (manage.py test, pytest), where uncollected files would "
        "make {% static %} fail.",
        example="true",
        role=OPTION,
    ),
    Setting(
        name="STORAGES",
        type="dict",
        default=constant(None),
        merge=merge_storages,
        describe=(
            "default: file system; staticfiles: plain",
            "default: file system; staticfiles: WhiteNoise compressed manifest",
        ),
        help="The project's STORAGES with 'default' kept (Django's if absent) and "
        "'staticfiles' following STATICFILES_MANIFEST unless the project sets it.",
    ),
    Setting(
        name="INSTALLED_APPS",
        type="list",
        default=constant(None),
        merge=merge_installed_apps,
        describe=_same_in_dev_and_prod(
            "project's apps + dockerflow.django, whitenoise.runserver_nostatic, staticfiles"
        ),
        help="The project's apps in its order, plus dockerflow.django, "
        "django.contrib.staticfiles (if missing) and whitenoise.runserver_nostatic just "
        "before it.",
    ),
    Setting(
        name="MIDDLEWARE",
        type="list",
        default=constant(None),
        merge=merge_middleware,
        describe=_same_in_dev_and_prod(
            "Dockerflow first, Security + WhiteNoise, project's middleware"
        ),
        help="DockerflowMiddleware first (probes answer before host checks and SSL "
        "redirects), SecurityMiddleware (added if missing) with WhiteNoiseMiddleware right "
        "after it, the project's middleware in its order, XFrameOptionsMiddleware if missing.",
    ),
    Setting(
        name="LOGGING_USE_JSON",
        env_var="DJANGO_LOGGING_USE_JSON",
        type="bool",
        parse=parsing.parse_bool,
        default=not_debug,
        help="Log mozlog JSON on stdout; otherwise readable one-line text.",
        example="true",
        role=OPTION,
    ),
    Setting(
        name="LOGGING_DEFAULT_LEVEL",
        env_var="DJANGO_LOGGING_DEFAULT_LEVEL",
        type="str",
        parse=parsing.parse_log_level,
        default=constant("INFO"),
        help="Level of the request.summary, dockerflow, django and root loggers.",
        example="WARNING",
        role=OPTION,
    ),
    Setting(
        name="LOGGING_LOGGER_NAME",
        env_var="DJANGO_LOGGING_LOGGER_NAME",
        type="str",
        parse=parsing.parse_str,
        default=lambda ctx: ctx.project,
        describe=_same_in_dev_and_prod("the project's package name"),
        help="The mozlog Logger field of every record.",
        example="myservice",
        role=OPTION,
    ),
    Setting(
        name="LOGGING",
        type="dict",
        default=build_logging,
        describe=("text on stdout", "mozlog JSON on stdout"),
        help="A complete dictConfig: one stdout handler (JSON or text), loggers "
        "request.summary, dockerflow, django and root. A project LOGGING replaces it.",
    ),
    Setting(
        name="DOCKERFLOW_CHECKS",
        env_var="DJANGO_DOCKERFLOW_CHECKS",
        type="dotted path list",
        parse=runtime_rule("DOCKERFLOW_CHECKS", parsing.parse_list),
        default=_checks,
        describe=_same_in_dev_and_prod(
            "database connected, migrations applied (+ Redis with django-redis)"
        ),
        help="Checks /__heartbeat__ runs, comma-separated dotted paths. Only their syntax "
        "is checked here; the heartbeat imports them (error dockerflow.health.E014 for one "
        "that cannot be imported).",
        example="dockerflow.django.checks.check_database_connected",
    ),
    Setting(
        name="DOCKERFLOW_HEARTBEAT_TIMEOUT",
        env_var="DJANGO_DOCKERFLOW_HEARTBEAT_TIMEOUT",
        type="float",
        parse=runtime_rule("DOCKERFLOW_HEARTBEAT_TIMEOUT", parsing.parse_number),
        default=runtime_default("DOCKERFLOW_HEARTBEAT_TIMEOUT"),
        help=f"Seconds each heartbeat check may take: more than 0, at most "
        f"{conf.MAX_HEARTBEAT_TIMEOUT}.",
        example="2.5",
    ),
    Setting(
        name="DOCKERFLOW_HEARTBEAT_CACHE_SECONDS",
        env_var="DJANGO_DOCKERFLOW_HEARTBEAT_CACHE_SECONDS",
        type="float",
        parse=runtime_rule("DOCKERFLOW_HEARTBEAT_CACHE_SECONDS", parsing.parse_number),
        default=runtime_default("DOCKERFLOW_HEARTBEAT_CACHE_SECONDS"),
        help=f"Seconds a heartbeat result is reused (0: never), at most "
        f"{conf.MAX_HEARTBEAT_CACHE_SECONDS}.",
        example="1",
    ),
    Setting(
        name="DOCKERFLOW_HEARTBEAT_DETAILS",
        env_var="DJANGO_DOCKERFLOW_HEARTBEAT_DETAILS",
        type="bool",
        parse=runtime_rule(
            "DOCKERFLOW_HEARTBEAT_DETAILS", parsing.parse_bool, explain_bad_text_by="grammar"
        ),
        default=runtime_default("DOCKERFLOW_HEARTBEAT_DETAILS"),
        help="Include check details in /__heartbeat__ responses; unset: only with DEBUG.",
        example="false",
    ),
    Setting(
        name="DOCKERFLOW_HEARTBEAT_FAILED_STATUS_CODE",
        env_var="DJANGO_DOCKERFLOW_HEARTBEAT_FAILED_STATUS_CODE",
        type="int",
        parse=runtime_rule("DOCKERFLOW_HEARTBEAT_FAILED_STATUS_CODE", parsing.integer()),
        default=runtime_default("DOCKERFLOW_HEARTBEAT_FAILED_STATUS_CODE"),
        help="HTTP status of a failed heartbeat, 400 to 599.",
        example="503",
    ),
    Setting(
        name="DOCKERFLOW_HEARTBEAT_MAX_STUCK",
        env_var="DJANGO_DOCKERFLOW_HEARTBEAT_MAX_STUCK",
        type="int",
        parse=runtime_rule("DOCKERFLOW_HEARTBEAT_MAX_STUCK", parsing.integer()),
        default=runtime_default("DOCKERFLOW_HEARTBEAT_MAX_STUCK"),
        help="Runs of one check that may still be running (timed out) before it is not "
        f"started, 1 to {conf.MAX_HEARTBEAT_STUCK}.",
        example="2",
    ),
    Setting(
        name="DOCKERFLOW_SUMMARY_LOG_QUERYSTRING",
        env_var="DJANGO_DOCKERFLOW_SUMMARY_LOG_QUERYSTRING",
        type="bool",
        parse=runtime_rule(
            "DOCKERFLOW_SUMMARY_LOG_QUERYSTRING", parsing.parse_bool, explain_bad_text_by="grammar"
        ),
        default=runtime_default("DOCKERFLOW_SUMMARY_LOG_QUERYSTRING"),
        help="Log the query string in request.summary records.",
        example="true",
    ),
    Setting(
        name="DOCKERFLOW_ERROR_ENDPOINT",
        env_var="DJANGO_DOCKERFLOW_ERROR_ENDPOINT",
        type="bool",
        parse=runtime_rule(
            "DOCKERFLOW_ERROR_ENDPOINT", parsing.parse_bool, explain_bad_text_by="grammar"
        ),
        # Unlike the runtime's default (True, as python-dockerflow), off in production.
        default=lambda ctx: ctx.debug,
        help="Serve /__error__ (raises, to test error reporting).",
        example="false",
    ),
    Setting(
        name="DOCKERFLOW_REQUEST_ID_HEADER_NAME",
        env_var="DJANGO_DOCKERFLOW_REQUEST_ID_HEADER_NAME",
        type="HTTP header name",
        parse=runtime_rule("DOCKERFLOW_REQUEST_ID_HEADER_NAME", parsing.parse_str),
        default=runtime_default("DOCKERFLOW_REQUEST_ID_HEADER_NAME"),
        help="Request header carrying the request id: ASCII letters, digits and hyphens "
        "(servers drop or rename headers with other characters).",
        example="X-Amzn-Trace-Id",
    ),
    Setting(
        name="DOCKERFLOW_REQUEST_ID_RESPONSE_HEADER",
        env_var="DJANGO_DOCKERFLOW_REQUEST_ID_RESPONSE_HEADER",
        type="HTTP header name or off",
        parse=runtime_rule("DOCKERFLOW_REQUEST_ID_RESPONSE_HEADER", parsing.parse_response_header),
        default=runtime_default("DOCKERFLOW_REQUEST_ID_RESPONSE_HEADER"),
        describe=_same_in_dev_and_prod("the request-id header name"),
        help="Response header that carries the request id back: a header name (same rule "
        "as DJANGO_DOCKERFLOW_REQUEST_ID_HEADER_NAME), off/false/no/0 for none, "
        "on/true/yes/1 or unset for the request-id header name.",
        example="X-Request-ID",
    ),
    Setting(
        name="DOCKERFLOW_DRAIN_SECONDS",
        env_var="DJANGO_DOCKERFLOW_DRAIN_SECONDS",
        type="float",
        parse=runtime_rule("DOCKERFLOW_DRAIN_SECONDS", parsing.parse_number),
        default=runtime_default("DOCKERFLOW_DRAIN_SECONDS"),
        help="Seconds /__lbheartbeat__ answers 503 after SIGTERM before the server shuts "
        f"down, so load balancers stop routing to it first (0: no drain), at most "
        f"{conf.MAX_DRAIN_SECONDS}.",
        example="15",
    ),
    Setting(
        name="DOCKERFLOW_VERSION_CALLBACK",
        env_var="DJANGO_DOCKERFLOW_VERSION_CALLBACK",
        type="dotted path",
        parse=runtime_rule("DOCKERFLOW_VERSION_CALLBACK", parsing.parse_str),
        default=runtime_default("DOCKERFLOW_VERSION_CALLBACK"),
        help="Function(BASE_DIR) returning the /__version__ data. Only its syntax is checked "
        "here; /__version__ imports it.",
        example="myapp.version.get_version",
    ),
    Setting(
        name="SECURE_REDIRECT_EXEMPT",
        env_var="DJANGO_SECURE_REDIRECT_EXEMPT",
        type="list of str",
        parse=parsing.parse_regex_list,
        default=constant(None),
        merge=merge_redirect_exempt,
        describe=_same_in_dev_and_prod("the three health paths"),
        help="Path regexes never redirected to HTTPS; the health paths are always added.",
        example=r"^healthz/?$",
    ),
    Setting(
        name="SECURE_SSL_REDIRECT",
        env_var="DJANGO_SECURE_SSL_REDIRECT",
        type="bool",
        parse=parsing.parse_bool,
        default=not_debug,
        help="Redirect HTTP to HTTPS (turn off where TLS ends elsewhere without "
        "DJANGO_SECURE_PROXY_SSL_HEADER).",
        example="off",
    ),
    Setting(
        name="SECURE_PROXY_SSL_HEADER",
        env_var="DJANGO_SECURE_PROXY_SSL_HEADER",
        type="str",
        parse=parsing.parse_proxy_ssl_header,
        default=constant(None),
        help="Header a trusted proxy sets for HTTPS requests: 'HEADER,value'.",
        example="HTTP_X_FORWARDED_PROTO,https",
    ),
    Setting(
        name="SECURE_HSTS_SECONDS",
        env_var="DJANGO_SECURE_HSTS_SECONDS",
        type="int",
        parse=parsing.integer(0),
        default=by_debug(0, HSTS_SECONDS),
        help="Strict-Transport-Security max-age (Prod: one year).",
        example="63072000",
    ),
    Setting(
        name="SECURE_HSTS_INCLUDE_SUBDOMAINS",
        env_var="DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS",
        type="bool",
        parse=parsing.parse_bool,
        default=not_debug,
        help="HSTS includeSubDomains.",
        example="false",
    ),
    Setting(
        name="SECURE_HSTS_PRELOAD",
        env_var="DJANGO_SECURE_HSTS_PRELOAD",
        type="bool",
        parse=parsing.parse_bool,
        default=not_debug,
        help="HSTS preload.",
        example="false",
    ),
    Setting(
        name="SESSION_COOKIE_SECURE",
        env_var="DJANGO_SESSION_COOKIE_SECURE",
        type="bool",
        parse=parsing.parse_bool,
        default=not_debug,
        help="Send the session cookie over HTTPS only.",
        example="true",
    ),
    Setting(
        name="CSRF_COOKIE_SECURE",
        env_var="DJANGO_CSRF_COOKIE_SECURE",
        type="bool",
        parse=parsing.parse_bool,
        default=not_debug,
        help="Send the CSRF cookie over HTTPS only.",
        example="true",
    ),
    Setting(
        name="CSRF_TRUSTED_ORIGINS",
        env_var="DJANGO_CSRF_TRUSTED_ORIGINS",
        type="list of str",
        parse=parsing.parse_origin_list,
        default=constant([]),
        help="Origins trusted for unsafe requests, comma-separated, with scheme.",
        example="https://example.com",
    ),
    Setting(
        name="SECURE_CONTENT_TYPE_NOSNIFF",
        env_var="DJANGO_SECURE_CONTENT_TYPE_NOSNIFF",
        type="bool",
        parse=parsing.parse_bool,
        default=constant(True),
        help="X-Content-Type-Options: nosniff.",
        example="true",
    ),
    Setting(
        name="X_FRAME_OPTIONS",
        env_var="DJANGO_X_FRAME_OPTIONS",
        type="str",
        parse=parsing.choice("DENY", "SAMEORIGIN"),
        default=constant("DENY"),
        help="X-Frame-Options header value.",
        example="SAMEORIGIN",
    ),
    Setting(
        name="PORT",
        env_var="PORT",
        type="int",
        parse=parsing.integer(1, 65535),
        default=constant(8000),
        help="Port the server binds on 0.0.0.0 (read by the server, not a Django setting).",
        example="8080",
        role=SERVER,
    ),
    Setting(
        name="WEB_CONCURRENCY",
        env_var="WEB_CONCURRENCY",
        type="int",
        parse=parsing.integer(1),
        default=constant(None),
        describe=_same_in_dev_and_prod("2 x CPUs + 1, at most 8"),
        help="Number of server worker processes (read by the server, not a Django setting).",
        example="4",
        role=SERVER,
    ),
    Setting(
        name="SERVER_WORKER_CLASS",
        env_var="DJANGO_SERVER_WORKER_CLASS",
        type="str",
        parse=parsing.choice("sync", "uvicorn"),
        default=constant("sync"),
        help="The gunicorn worker class the launcher uses: sync, or uvicorn "
        "(uvicorn_worker.UvicornWorker, ASGI; needs the asgi extra).",
        example="uvicorn",
        role=SERVER,
    ),
)

BY_NAME: dict[str, Setting] = {setting.name: setting for setting in TABLE}
#: Names that end up in Django settings (everything but server variables).
SETTING_NAMES: frozenset[str] = frozenset(s.name for s in TABLE if s.role != SERVER)
