"""Rows of the table: the project's core Django settings and the logging options.

Part of :data:`dockerflow_settings.table.TABLE`, in resolution order.
"""

from __future__ import annotations

import secrets
from typing import Any

from dockerflow_settings import parsing
from dockerflow_settings.context import Context, Required
from dockerflow_settings.django_logging import build_logging
from dockerflow_settings.masking import mask_databases
from dockerflow_settings.merging import merge_installed_apps, merge_middleware, merge_storages
from dockerflow_settings.setting import (
    OPTION,
    Setting,
    by_debug,
    constant,
    not_debug,
    runtime_default,
    same_in_dev_and_prod,
)

DEV_HOSTS = ("localhost", "127.0.0.1", "[::1]")
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


ROWS: tuple[Setting, ...] = (
    Setting(
        name="BASE_DIR",
        env_var="DJANGO_BASE_DIR",
        type="path",
        parse=parsing.parse_path,
        default=lambda ctx: ctx.base_dir,
        describe=same_in_dev_and_prod("directory containing the settings package"),
        help="Project root: where manage.py, version.json and .env live. Read from the real "
        "environment only (the .env file is looked for in it).",
        example="/app",
    ),
    Setting(
        name="DEBUG",
        env_var="DJANGO_DEBUG",
        type="bool",
        parse=parsing.parse_bool,
        default=runtime_default("DEBUG"),
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
        describe=same_in_dev_and_prod("SQLite at BASE_DIR/db.sqlite3"),
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
        describe=same_in_dev_and_prod(
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
        describe=same_in_dev_and_prod(
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
        describe=same_in_dev_and_prod("the project's package name"),
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
)
