"""The one table of settings and environment variables.

Every setting ``dockerflow_settings`` provides is one :class:`Setting` in :data:`TABLE`,
in resolution order (a default may use the settings resolved before it); both front
ends, ``check``, the settings report and the docs' reference read it. A row's variable
is ``DJANGO_`` + its name unless the row names another; a secret row also reads
``<VARIABLE>_FILE``. Runtime rows take their default and rule from
``dockerflow.django.conf``, so the variable and the setting accept the same values.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dockerflow.django import conf
from dockerflow.masking import MASK, mask_databases, mask_url
from dockerflow_settings import defaults, merging, parsing, sentry

#: A Django (or Dockerflow runtime) setting.
DJANGO = "django"
#: Shapes other settings (e.g. LOGGING_USE_JSON); also available as a setting.
OPTION = "option"
#: Read when the settings load, to initialise Sentry; not a Django setting.
SENTRY = "sentry"
#: Read by the server (gunicorn configuration), not a Django setting.
SERVER = "server"


@dataclass(frozen=True)
class Context:
    """What defaults may depend on. ``values`` holds the settings resolved so far."""

    debug: bool
    base_dir: Path
    project: str
    testing: bool
    values: Mapping[str, Any]
    #: The project's settings that are not in the table (e.g. SILENCED_SYSTEM_CHECKS).
    attributes: Mapping[str, Any] = field(default_factory=dict)
    #: The django-configurations class name; None for ``configure()``.
    configuration: str | None = None


def sample(*, debug: bool) -> Context:
    """A development or production context for describing defaults (docs, reports)."""
    return Context(debug, Path("BASE_DIR"), "", False, {})


_DERIVED: Any = object()  # env= not given: DJANGO_ + the setting's name


@dataclass(frozen=True, kw_only=True)
class Setting:
    """One row of the table: everything resolution, reports and docs need."""

    name: str
    #: Type name for the docs: bool, int, float, str, list of str, URL, dotted path...
    type: str
    help: str
    #: The mixin's default: a value, or a function of the :class:`Context` (may raise
    #: ``defaults.Required``).
    default: Any = None
    #: Text -> value; raises parsing.ParseError. None: no variable (a computed setting).
    parse: Callable[[str], Any] | None = None
    env: str | None = _DERIVED
    #: A variable read when ``env`` is unset (REDIS_URL for CACHE_URL).
    fallback_env: str | None = None
    example: str | None = None
    #: The Dev and Prod defaults as the docs show them, where the value is computed.
    describe: tuple[str, str] | None = None
    #: Masked in reports and errors; also read from the file ``<VARIABLE>_FILE`` names.
    secret: bool = False
    role: str = DJANGO
    #: Combines the project's value (or None) with what the mixin adds.
    merge: Callable[[Any, Context], Any] | None = None
    #: Applied to a value that is not fixed by the project (from a variable or default).
    finish: Callable[[Any, Context], Any] | None = None
    #: How a secret value is shown (default: masked whole).
    display: Callable[[Any], Any] | None = None
    #: Checks a value from a variable in its context (e.g. the secret key with DEBUG
    #: off): what was expected when it is not acceptable, else None.
    check_env_value: Callable[[Any, Context], str | None] | None = None

    @property
    def env_var(self) -> str | None:
        if self.env is _DERIVED:
            return f"DJANGO_{self.name}" if self.parse is not None else None
        return self.env

    @property
    def file_env_var(self) -> str | None:
        return f"{self.env_var}_FILE" if self.secret and self.env_var else None

    def default_for(self, ctx: Context) -> Any:
        value = self.default(ctx) if callable(self.default) else self.default
        return copy.deepcopy(value)  # never hand out the table's own list or dict

    def shown(self, value: Any) -> Any:
        """The value as reports may show it."""
        if not self.secret or value is None or value == "":
            return value
        return MASK if self.display is None else self.display(value)

    def shown_text(self, text: str) -> str:
        """A variable's text as error messages may show it (a URL's password masked)."""
        return MASK if self.secret and self.display is None else mask_url(text)

    @property
    def dev_default(self) -> str:
        return self.describe[0] if self.describe else self._default_text(debug=True)

    @property
    def prod_default(self) -> str:
        return self.describe[1] if self.describe else self._default_text(debug=False)

    def _default_text(self, *, debug: bool) -> str:
        try:
            return _describe_value(self.default_for(sample(debug=debug)))
        except defaults.Required:
            return "required"


def _describe_value(value: Any) -> str:
    if value is None:
        return "unset"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (list, tuple)):
        return ", ".join(_describe_value(item) for item in value) or "empty"
    return str(value)


def not_debug(ctx: Context) -> bool:
    return not ctx.debug


def by_debug(dev: Any, prod: Any) -> Callable[[Context], Any]:
    return lambda ctx: dev if ctx.debug else prod


def runtime_rule(name: str, parse: Callable[[str], Any]) -> Callable[[str], Any]:
    """Text -> ``parse`` -> the runtime's own rule for setting ``name`` (conf.validate)."""

    def parse_for_runtime(text: str) -> Any:
        try:
            return conf.validate(name, parse(text))
        except conf.InvalidSetting as exc:
            raise parsing.ParseError(str(exc)) from None

    return parse_for_runtime


def flag(name: str, default: Any, help: str, **kwargs: Any) -> Setting:
    """A boolean row."""
    return Setting(name=name, type="bool", parse=parsing.parse_bool, default=default, help=help,
                   example="true", **kwargs)  # fmt: skip


def runtime(name: str, type: str, parse: Callable[[str], Any], help: str, **kwargs: Any) -> Setting:
    """A row of a setting the ``dockerflow`` runtime reads, with the runtime's rule and
    (unless given) its default."""
    if "default" not in kwargs:
        kwargs["default"] = conf.DEFAULTS[name]
    return Setting(name=name, type=type, parse=runtime_rule(name, parse), help=help, **kwargs)


TABLE: tuple[Setting, ...] = (
    # --- the project -------------------------------------------------------------------
    Setting(name="BASE_DIR", type="path", parse=parsing.parse_path,
            default=lambda ctx: ctx.base_dir, example="/app",
            describe=("directory containing the settings package",) * 2,
            help="Project root: where manage.py, version.json and .env live. Read from the "
            "real environment only (the .env file is looked for in it)."),
    flag("DEBUG", False, "Django's debug mode. Many defaults below follow it.",
         describe=("True (set by the Dev class)", "False")),
    flag("USE_TZ", True, "Timezone-aware datetimes (set so Django 4.2 does not warn)."),
    Setting(name="SECRET_KEY", type="str", parse=parsing.parse_str, secret=True,
            default=defaults.secret_key, check_env_value=defaults.strong_secret_key,
            describe=("random key per process", "required"),
            example="\"$(python -c 'import secrets; print(secrets.token_urlsafe(50))')\"",
            help="Django's secret key. With DEBUG off it must follow Django's own rule "
            f"({defaults.SECRET_KEY_CHECK}): at least 50 characters, at least 5 different "
            "ones, no 'django-insecure-' prefix; adding it to SILENCED_SYSTEM_CHECKS accepts "
            "any key."),
    Setting(name="ALLOWED_HOSTS", type="list of str", parse=parsing.parse_host_list,
            default=by_debug([".localhost", "127.0.0.1", "[::1]"], []),
            example="example.com,.example.org",
            help="Host names the site serves, comma-separated: no scheme, port or path "
            "(Django compares them with the Host header without its port). With none, the "
            "health probes still answer."),
    Setting(name="CONN_MAX_AGE", type="int or none", parse=parsing.parse_conn_max_age,
            default=by_debug(0, 60), role=OPTION, example="300",
            help="Seconds a database connection is reused (none: forever), for DATABASES "
            "from DATABASE_URL or the default. The heartbeat's check threads keep theirs "
            "as long, so probes reuse one session instead of opening one each."),
    flag("CONN_HEALTH_CHECKS", not_debug, role=OPTION,
         help="Check a reused database connection before each request (and heartbeat) "
         "uses it, for DATABASES from DATABASE_URL or the default."),
    Setting(name="DATABASES", type="URL", env="DATABASE_URL", parse=parsing.parse_databases,
            default=defaults.sqlite, finish=defaults.connection_options, secret=True,
            display=mask_databases, example="postgres://user:password@db:5432/app",
            describe=("SQLite at BASE_DIR/db.sqlite3",) * 2,
            help="DATABASES = {'default': ...} from a database URL (dj-database-url). A "
            "configuration's own default: DATABASES = values.DatabaseURLValue(URL)."),
    Setting(name="CACHES", type="URL", env="CACHE_URL", fallback_env="REDIS_URL",
            parse=parsing.parse_caches, default=defaults.DJANGO_CACHES, secret=True,
            display=mask_databases, example="redis://:password@cache:6379/0",
            describe=("local memory (Django's default)",) * 2,
            help="CACHES = {'default': ...} from a cache URL: redis://, rediss://, "
            "locmem://, dummy://, pymemcache://, pylibmc://. REDIS_URL is used when CACHE_URL "
            "is unset. The heartbeat then checks the cache by default."),
    Setting(name="STATIC_URL", type="str", parse=parsing.parse_str, default="/static/",
            example="/static/", help="URL prefix of static files."),
    Setting(name="STATIC_ROOT", type="path", parse=parsing.parse_path,
            default=lambda ctx: ctx.base_dir / "staticfiles", example="/app/staticfiles",
            help="Where collectstatic puts files (served by WhiteNoise)."),
    flag("STATICFILES_MANIFEST", lambda ctx: not ctx.debug and not ctx.testing, role=OPTION,
         describe=("False", "True (False while running tests)"),
         help="Use WhiteNoise's compressed manifest storage for static files. Off with DEBUG "
         "and under the test runner, where uncollected files would make {% static %} fail."),
    Setting(name="STORAGES", type="dict", merge=merging.merge_storages,
            describe=("default: file system; staticfiles: plain",
                      "default: file system; staticfiles: WhiteNoise compressed manifest"),
            help="The project's STORAGES (or legacy DEFAULT_FILE_STORAGE/STATICFILES_STORAGE) "
            "with 'default' kept and 'staticfiles' following STATICFILES_MANIFEST unless set."),
    Setting(name="INSTALLED_APPS", type="list", merge=merging.merge_installed_apps,
            describe=("project's apps + dockerflow apps, runserver_nostatic, staticfiles",) * 2,
            help="The project's apps in its order, plus dockerflow.django, "
            "dockerflow_settings, django.contrib.staticfiles (if missing) and "
            "whitenoise.runserver_nostatic just before it."),
    Setting(name="MIDDLEWARE", type="list", merge=merging.merge_middleware,
            describe=("Dockerflow first, Security + WhiteNoise, project's middleware",) * 2,
            help="DockerflowMiddleware first (probes answer before host checks and SSL "
            "redirects), SecurityMiddleware with WhiteNoiseMiddleware right after it, the "
            "project's middleware in its order (a subclass of one of these takes its place), "
            "XFrameOptionsMiddleware if missing."),
    flag("LOGGING_USE_JSON", not_debug, role=OPTION,
         help="Log mozlog JSON on stdout; otherwise readable one-line text."),
    Setting(name="LOGGING_DEFAULT_LEVEL", type="str", parse=parsing.parse_log_level,
            default="INFO", role=OPTION, example="WARNING",
            help="Level of the request.summary, dockerflow, django and root loggers."),
    Setting(name="LOGGING_LOGGER_NAME", type="str", parse=parsing.parse_str, role=OPTION,
            default=lambda ctx: ctx.project, example="myservice",
            describe=("the project's package name",) * 2,
            help="The mozlog Logger field of every record."),
    Setting(name="LOGGING", type="dict", merge=merging.merge_logging,
            describe=("text on stdout", "mozlog JSON on stdout"),
            help="A dictConfig: one stdout handler 'console' (JSON or text) for the "
            "request.summary, dockerflow, django, uvicorn and root loggers. A project's "
            "LOGGING is laid over it: its formatters, filters, handlers and loggers replace "
            "those of the same name, its other keys win."),
    # --- the dockerflow runtime (dockerflow.django.conf) ---------------------------------
    runtime("DOCKERFLOW_CHECKS", "dotted path list", parsing.parse_list,
            default=defaults.checks, example="dockerflow.django.checks.check_database_connected",
            describe=("database connected, migrations applied (+ the cache from a URL)",) * 2,
            help="Checks /__heartbeat__ runs, comma-separated dotted paths. manage.py check "
            "reports one that cannot be imported or is not callable."),
    runtime("DOCKERFLOW_HEARTBEAT_TIMEOUT", "float", parsing.parse_number, example="2.5",
            help="Seconds each heartbeat check may take: more than 0, at most "
            f"{conf.MAX_HEARTBEAT_TIMEOUT}."),
    runtime("DOCKERFLOW_HEARTBEAT_CACHE_SECONDS", "float", parsing.parse_number, example="1",
            help="Seconds a heartbeat result is reused (0: never), at most "
            f"{conf.MAX_HEARTBEAT_CACHE_SECONDS}."),
    runtime("DOCKERFLOW_HEARTBEAT_DETAILS", "bool", parsing.parse_bool, example="false",
            help="Include check details in /__heartbeat__ responses; unset: only with DEBUG."),
    runtime("DOCKERFLOW_HEARTBEAT_FAILED_STATUS_CODE", "int", parsing.integer(), example="503",
            help="HTTP status of a failed heartbeat, 400 to 599."),
    runtime("DOCKERFLOW_SUMMARY_LOG_QUERYSTRING", "bool", parsing.parse_bool, example="true",
            help="Log the query string (secret options masked) in request.summary records."),
    runtime("DOCKERFLOW_SUMMARY_LOG_PROBES", "str", parsing.choice("all", "failures", "none"),
            default=by_debug("all", "failures"), example="none",
            help="Which /__lbheartbeat__ and /__heartbeat__ requests get a request.summary: "
            "all, failures (status 400 or more) or none."),
    runtime("DOCKERFLOW_SUMMARY_EXTRA_FIELDS", "dotted path", parsing.parse_str,
            example="myapp.logging.summary_fields",
            help="Function(request, response) returning a dict of fields to add to each "
            "request.summary (masked and bounded like every field)."),
    runtime("DOCKERFLOW_ERROR_ENDPOINT", "bool", parsing.parse_bool,
            default=lambda ctx: ctx.debug, example="true",
            help="Serve /__error__ (raises, to test error reporting)."),
    runtime("DOCKERFLOW_REQUEST_ID_HEADER_NAME", "HTTP header name", parsing.parse_str,
            example="X-Amzn-Trace-Id",
            help="Request header carrying the request id: ASCII letters, digits and hyphens "
            "(proxies and servers drop headers with other characters)."),
    runtime("DOCKERFLOW_REQUEST_ID_RESPONSE_HEADER", "HTTP header name or off",
            parsing.parse_response_header, example="X-Trace-Id",
            describe=("the request-id header name",) * 2,
            help="Response header that carries the request id back: a header name, "
            "off/false/no/0 for none, on/true/yes/1 or unset for the request-id header."),
    runtime("DOCKERFLOW_DRAIN_SECONDS", "float", parsing.parse_number, example="15",
            help="Seconds /__lbheartbeat__ answers 503 after SIGTERM before the server shuts "
            f"down, so load balancers stop routing to it first (0: no drain), at most "
            f"{conf.MAX_DRAIN_SECONDS}."),
    runtime("DOCKERFLOW_VERSION_CALLBACK", "dotted path", parsing.parse_str,
            example="myapp.version.get_version",
            help="Function(BASE_DIR) returning the /__version__ data; /__version__ imports it."),
    # --- security ----------------------------------------------------------------------
    Setting(name="SECURE_REDIRECT_EXEMPT", type="list of str", parse=parsing.parse_regex_list,
            merge=merging.merge_redirect_exempt, example=r"^healthz/?$",
            describe=("the three health paths",) * 2,
            help="Path regexes never redirected to HTTPS; the health paths are always added."),
    flag("SECURE_SSL_REDIRECT", not_debug,
         help="Redirect HTTP to HTTPS (turn off where TLS ends elsewhere without "
         "DJANGO_SECURE_PROXY_SSL_HEADER)."),
    Setting(name="SECURE_PROXY_SSL_HEADER", type="str", parse=parsing.parse_proxy_ssl_header,
            example="HTTP_X_FORWARDED_PROTO,https",
            help="Header a trusted proxy sets for HTTPS requests: 'HEADER,value'."),
    Setting(name="SECURE_HSTS_SECONDS", type="int", parse=parsing.integer(0),
            default=by_debug(0, 31_536_000), example="63072000",
            help="Strict-Transport-Security max-age (Prod: one year)."),
    flag("SECURE_HSTS_INCLUDE_SUBDOMAINS", not_debug, help="HSTS includeSubDomains."),
    flag("SECURE_HSTS_PRELOAD", False,
         help="HSTS preload: a request to browsers' preload lists, hard to undo, so opt-in."),
    flag("SESSION_COOKIE_SECURE", not_debug, help="Send the session cookie over HTTPS only."),
    flag("CSRF_COOKIE_SECURE", not_debug, help="Send the CSRF cookie over HTTPS only."),
    Setting(name="CSRF_TRUSTED_ORIGINS", type="list of str", parse=parsing.parse_origin_list,
            default=[], example="https://example.com",
            help="Origins trusted for unsafe requests, comma-separated, with scheme."),
    flag("SECURE_CONTENT_TYPE_NOSNIFF", True, help="X-Content-Type-Options: nosniff."),
    Setting(name="X_FRAME_OPTIONS", type="str", parse=parsing.choice("DENY", "SAMEORIGIN"),
            default="DENY", example="SAMEORIGIN", help="X-Frame-Options header value."),
    # --- Sentry (with the sentry extra) -------------------------------------------------
    Setting(name="SENTRY_DSN", type="URL", env="SENTRY_DSN", parse=sentry.parse_dsn,
            secret=True, role=SENTRY, example="https://key@o1.ingest.sentry.io/1",
            help="Sentry's DSN (needs the sentry extra): set, Sentry is initialised with the "
            "Django integration (and Celery's), release from version.json, events tagged "
            "with the request id and masked, probes never traced."),
    Setting(name="SENTRY_ENVIRONMENT", type="str", env="SENTRY_ENVIRONMENT",
            parse=parsing.parse_str, role=SENTRY, default=defaults.sentry_environment,
            describe=("the configuration's name, lower-cased",) * 2, example="stage",
            help="Sentry's environment of every event."),
    Setting(name="SENTRY_TRACES_SAMPLE_RATE", type="float", env="SENTRY_TRACES_SAMPLE_RATE",
            parse=parsing.parse_fraction, default=0.0, role=SENTRY, example="0.1",
            help="Share of requests traced, 0 to 1; probes are never traced."),
    # --- the server ----------------------------------------------------------------------
    Setting(name="PORT", type="int", env="PORT", parse=parsing.integer(1, 65535),
            default=8000, role=SERVER, example="8080",
            help="Port the server binds on 0.0.0.0."),
    Setting(name="WEB_CONCURRENCY", type="int", env="WEB_CONCURRENCY", parse=parsing.integer(1),
            role=SERVER, describe=("2 x CPUs + 1, at most 8",) * 2, example="4",
            help="Number of server worker processes."),
    Setting(name="SERVER_WORKER_CLASS", type="str", parse=parsing.choice("sync", "uvicorn"),
            default="sync", role=SERVER, example="uvicorn",
            help="The gunicorn worker class the launcher uses: sync (WSGI), or uvicorn "
            "(ASGI, myproject.asgi; needs the asgi extra)."),
)  # fmt: skip

BY_NAME: dict[str, Setting] = {setting.name: setting for setting in TABLE}
#: Names that end up in Django settings.
SETTING_NAMES: frozenset[str] = frozenset(s.name for s in TABLE if s.role in (DJANGO, OPTION))


class BadVariable(ValueError):
    """A variable read outside Django (by the server) has a value it cannot use."""


def read_variable(name: str, environ: Mapping[str, str]) -> Any:
    """Row ``name``'s value from ``environ``, parsed by the row; its default when unset.

    For the server (gunicorn), which reads its variables before and without Django:
    its rows' defaults do not depend on DEBUG or the project. Raises :class:`BadVariable`
    naming the variable, its value and what was expected.
    """
    row = BY_NAME[name]
    text = environ.get(row.env_var or "")
    if parsing.is_unset(text):
        return row.default_for(sample(debug=False))
    try:
        return row.parse(text)  # type: ignore[misc]
    except parsing.ParseError as exc:
        raise BadVariable(f"{row.env_var}={text!r} is not valid: expected {exc}") from None
