"""The computed defaults and context checks of the table's rows: functions of the
resolution context, each returning a new object."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

from dockerflow.django import conf

if TYPE_CHECKING:
    from dockerflow_settings.table import Context

#: Django's own rule for a production secret key (its system check security.W009).
SECRET_KEY_CHECK = "security.W009"
SECRET_KEY_MIN_LENGTH = 50
SECRET_KEY_MIN_UNIQUE = 5
_DJANGO_INSECURE_PREFIX = "django-insecure-"

#: Django's default CACHES (global_settings), written out when no cache URL is set.
DJANGO_CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
_REDIS_BACKENDS = ("django.core.cache.backends.redis.", "django_redis.")
_UNCHECKED_BACKENDS = (
    "django.core.cache.backends.locmem.",
    "django.core.cache.backends.dummy.",
)
REDIS_CHECK = "dockerflow.django.checks.check_redis_connected"
CACHE_CHECK = "dockerflow.django.checks.check_cache_connected"


class Required(Exception):
    """Raised by a default when the setting must be given; ``str()`` says how."""


def secret_key(ctx: Context) -> str:
    if ctx.debug:
        return "dev-insecure-" + secrets.token_urlsafe(48)
    raise Required(
        "required when DEBUG is off: set DJANGO_SECRET_KEY, or DJANGO_SECRET_KEY_FILE to a "
        "file containing it"
    )


def strong_secret_key(key: str, ctx: Context) -> str | None:
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


def sqlite(ctx: Context) -> dict[str, Any]:
    return {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(ctx.base_dir / "db.sqlite3"),
        }
    }


def connection_options(databases: Any, ctx: Context) -> Any:
    """CONN_MAX_AGE and CONN_HEALTH_CHECKS on each database the mixin configured (the
    URL's own settings, which dj-database-url never sets from a query, are kept)."""
    if not isinstance(databases, dict):
        return databases
    options = {
        "CONN_MAX_AGE": ctx.values.get("CONN_MAX_AGE", 0),
        "CONN_HEALTH_CHECKS": ctx.values.get("CONN_HEALTH_CHECKS", False),
    }
    return {
        alias: {**config, **options} if isinstance(config, dict) else config
        for alias, config in databases.items()
    }


def checks(ctx: Context) -> list[str]:
    """The runtime's default checks, and the default cache's when it is a real one."""
    found = list(conf.DEFAULTS["DOCKERFLOW_CHECKS"])
    caches = ctx.values.get("CACHES") or {}
    backend = str((caches.get("default") or {}).get("BACKEND", ""))
    if backend.startswith(_REDIS_BACKENDS):
        found.append(REDIS_CHECK)
    elif backend and not backend.startswith(_UNCHECKED_BACKENDS):
        found.append(CACHE_CHECK)
    return found


def sentry_environment(ctx: Context) -> str:
    if ctx.configuration:
        return ctx.configuration.lower()
    return "development" if ctx.debug else "production"
