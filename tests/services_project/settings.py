"""Plain settings for the backing-service tests, driven by ``DFS_*`` environment variables.

Deliberately a hand-written settings.py (no settings mixin): it is what the
runtime sees in a python-dockerflow project.

``DFS_DATABASE_URL``          PostgreSQL URL of the ``default`` alias (required).
``DFS_EXTRA_DATABASES``       JSON object ``{"alias": "url", ...}`` of further aliases.
``DFS_APPLICATION_NAME``      ``application_name`` of every connection (find them in
                              ``pg_stat_activity``).
``DFS_CONN_MAX_AGE``          seconds (default 0); ``DFS_CONN_HEALTH_CHECKS`` boolean.
``DFS_DB_CONNECT_TIMEOUT``    libpq ``connect_timeout`` of the ``default`` alias.
``DFS_REDIS_URL``             makes the ``default`` cache django-redis at that URL.
``DFS_REDIS_SOCKET_TIMEOUT``  optional socket (connect and read) timeout of that cache.
``DFS_PENDING_APP``           boolean: install an app whose migrations are never applied.
``DFS_CHECKS``                comma-separated dotted paths -> ``DOCKERFLOW_CHECKS``.
``DFS_HEARTBEAT_TIMEOUT``, ``DFS_HEARTBEAT_CACHE_SECONDS``,
``DFS_HEARTBEAT_DETAILS``     the ``DOCKERFLOW_HEARTBEAT_*`` setting of the same suffix.
"""

from __future__ import annotations

import json
import os

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in _TRUE | _FALSE:
        return raw in _TRUE
    raise ImproperlyConfigured(f"{name}={raw!r}: expected one of {sorted(_TRUE | _FALSE)}")


def _number(name: str, kind: type[int] | type[float]) -> int | float | None:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return None
    try:
        return kind(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r}: expected a {kind.__name__}") from None


def _database(url: str, *, connect_timeout: int | None = None) -> dict:
    config = dj_database_url.parse(
        url,
        conn_max_age=int(_number("DFS_CONN_MAX_AGE", int) or 0),
        conn_health_checks=_bool("DFS_CONN_HEALTH_CHECKS", False),
    )
    options = config.setdefault("OPTIONS", {})
    options["application_name"] = APPLICATION_NAME
    if connect_timeout is not None:
        options["connect_timeout"] = connect_timeout
    return config


SECRET_KEY = "services-project-tests-only-" + "x" * 40
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
USE_TZ = True
ROOT_URLCONF = "tests.services_project.urls"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "dockerflow.django",
    "tests.services_project.counter",
]
if _bool("DFS_PENDING_APP", False):
    INSTALLED_APPS.append("tests.services_project.pending")

MIDDLEWARE = ["dockerflow.django.middleware.DockerflowMiddleware"]

APPLICATION_NAME = os.environ.get("DFS_APPLICATION_NAME", "dfs-services-project")
if "DFS_DATABASE_URL" not in os.environ:
    raise ImproperlyConfigured("DFS_DATABASE_URL is not set: expected a postgres:// URL")
DATABASES = {
    "default": _database(
        os.environ["DFS_DATABASE_URL"],
        connect_timeout=_number("DFS_DB_CONNECT_TIMEOUT", int),
    )
}
try:
    _extra = json.loads(os.environ.get("DFS_EXTRA_DATABASES", "") or "{}")
except json.JSONDecodeError as exc:
    raise ImproperlyConfigured(
        f"DFS_EXTRA_DATABASES is not JSON ({exc}): expected {{'alias': 'url', ...}}"
    ) from None
for _alias, _url in _extra.items():
    DATABASES[_alias] = _database(_url)

if os.environ.get("DFS_REDIS_URL"):
    _socket_timeout = _number("DFS_REDIS_SOCKET_TIMEOUT", float)
    _redis_options: dict = {}
    if _socket_timeout is not None:
        _redis_options = {
            "SOCKET_CONNECT_TIMEOUT": _socket_timeout,
            "SOCKET_TIMEOUT": _socket_timeout,
        }
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": os.environ["DFS_REDIS_URL"],
            "OPTIONS": _redis_options,
        }
    }

if os.environ.get("DFS_CHECKS"):
    DOCKERFLOW_CHECKS = [p.strip() for p in os.environ["DFS_CHECKS"].split(",") if p.strip()]
_timeout = _number("DFS_HEARTBEAT_TIMEOUT", float)
if _timeout is not None:
    DOCKERFLOW_HEARTBEAT_TIMEOUT = _timeout
_cache_seconds = _number("DFS_HEARTBEAT_CACHE_SECONDS", float)
if _cache_seconds is not None:
    DOCKERFLOW_HEARTBEAT_CACHE_SECONDS = _cache_seconds
if os.environ.get("DFS_HEARTBEAT_DETAILS"):
    DOCKERFLOW_HEARTBEAT_DETAILS = _bool("DFS_HEARTBEAT_DETAILS", False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "dockerflow.logging.JsonLogFormatter", "logger_name": "services-project"},
    },
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "json",
        },
    },
    "loggers": {
        "request.summary": {"handlers": ["stdout"], "level": "INFO", "propagate": False},
        "dockerflow": {"handlers": ["stdout"], "level": "INFO", "propagate": False},
    },
}
