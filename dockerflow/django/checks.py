"""Built-in checks for ``DOCKERFLOW_CHECKS`` (python-dockerflow's names, plus caches).

Each takes ``app_configs=None, **kwargs`` like a Django system check and returns
``django.core.checks`` messages with ids from :mod:`dockerflow.health`. Failures are
results, never exceptions; a message names the database or cache alias and never shows
a password or a URL's credentials (:func:`dockerflow.masking.mask_text`).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from typing import Any

from django.core import checks
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections
from django.db import Error as DatabaseError
from django.utils.module_loading import import_string

from dockerflow import health
from dockerflow.masking import mask_text, url_secrets

from . import conf

__all__ = [
    "check_cache_connected",
    "check_database_connected",
    "check_migrations_applied",
    "check_redis_connected",
    "register",
]

_DUMMY_CACHE = "django.core.cache.backends.dummy.DummyCache"


def _error_text(error: BaseException, secrets: Iterable[Any]) -> str:
    # Driver errors may echo a DSN or URL: configured secrets and URL credentials
    # are masked before the text goes into a message.
    return mask_text(f"{type(error).__name__}: {error}", secrets)


def _failure(
    ident: str, what: str, error: BaseException, secrets: Iterable[Any]
) -> list[checks.CheckMessage]:
    return [checks.Error(f"{what}: {_error_text(error, secrets)}", id=ident)]


def _database_secrets(settings_dict: dict[str, Any]) -> list[Any]:
    options = settings_dict.get("OPTIONS") or {}
    return [settings_dict.get("PASSWORD"), options.get("password"), options.get("passfile")]


def _check_database(alias: str) -> list[checks.CheckMessage]:
    if alias not in connections.settings:
        msg = f"Database alias '{alias}' is not configured in DATABASES"
        return [checks.Error(msg, id=health.ERROR_UNKNOWN_DATABASE_ALIAS)]
    secrets = _database_secrets(connections.settings[alias])
    try:
        connection = connections[alias]
        reused = connection.connection is not None
        connection.ensure_connection()
        if reused and not connection.is_usable():
            # A connection kept from an earlier run (CONN_MAX_AGE) that the server
            # has dropped since (restart, idle timeout): the question is whether the
            # database can be reached now, so it is replaced once.
            connection.close()
            connection.ensure_connection()
    except ImproperlyConfigured as exc:
        what = f"Database '{alias}' is misconfigured"
        return _failure(health.ERROR_MISCONFIGURED_DATABASE, what, exc, secrets)
    except DatabaseError as exc:
        what = f"Could not connect to database '{alias}'"
        return _failure(health.ERROR_CANNOT_CONNECT_DATABASE, what, exc, secrets)
    if not connection.is_usable():
        msg = f"Database '{alias}' connection is not usable"
        return [checks.Error(msg, id=health.ERROR_UNUSABLE_DATABASE)]
    return []


def check_database_connected(
    app_configs: Any = None, databases: Iterable[str] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """Connect to every alias in ``DATABASES`` (or to ``databases``) and report each failure.

    E001 cannot connect, E002 connected but not usable, E003 misconfigured, E016
    an alias in ``databases`` that ``DATABASES`` does not have.
    """
    aliases = list(connections.settings) if databases is None else list(databases)
    return [message for alias in aliases for message in _check_database(alias)]


def check_migrations_applied(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Warn (W001) about each migration not applied on the default database.

    Only apps in ``app_configs`` when given. I001 (info) when the database cannot
    be read. A warning, not an error: errors would stop ``migrate`` from running
    when this is registered as a Django system check.
    """
    from django.db.migrations.loader import MigrationLoader

    try:
        loader = MigrationLoader(connections[DEFAULT_DB_ALIAS], ignore_no_migrations=True)
    except (ImproperlyConfigured, DatabaseError):
        msg = f"Can't connect to database '{DEFAULT_DB_ALIAS}' to check migrations"
        return [checks.Info(msg, id=health.INFO_CANT_CHECK_MIGRATIONS)]
    app_labels = {app.label for app in app_configs} if app_configs else loader.migrated_apps
    return [
        checks.Warning(f"Unapplied migration {migration}", id=health.WARNING_UNAPPLIED_MIGRATION)
        for node, migration in loader.graph.nodes.items()
        if migration.app_label in app_labels and node not in loader.applied_migrations
    ]


def _cache_secrets(alias: str) -> list[Any]:
    config = caches.settings.get(alias, {})
    options = config.get("OPTIONS") or {}
    # A LOCATION URL's password, or the pieces of an ambiguous one, may be quoted by
    # the client's URL parser (e.g. as a port that is not a number).
    locations = config.get("LOCATION") or []
    urls = locations.split(",") if isinstance(locations, str) else locations
    found = [secret for url in urls for secret in url_secrets(url)]
    return [options.get("PASSWORD"), options.get("password"), *found]


def _redis_client(alias: str) -> Any:
    """The redis-py client of cache ``alias``: Django's ``RedisCache`` or django-redis's."""
    cache = caches[alias]
    if isinstance(cache, RedisCache):
        # Django has no public accessor for it; _cache.get_client() is there since 4.0.
        return cache._cache.get_client(write=True)
    from django_redis import get_redis_connection  # NotImplementedError: not django-redis

    return get_redis_connection(alias)


def _ping(client: Any, timeout: float) -> bool:
    # The cache's connections may have no socket timeout (redis-py's default): a Redis
    # that accepts connections but never answers would hold the check, and its thread,
    # for ever. The PING goes on a connection of its own, configured like the cache's
    # but with ``timeout``.
    pool = getattr(client, "connection_pool", None)
    kwargs = getattr(pool, "connection_kwargs", None)
    if not isinstance(kwargs, dict):  # a client with no single pool (a cluster)
        return bool(client.ping())
    timeouts = {"socket_timeout": timeout, "socket_connect_timeout": timeout}
    connection = pool.connection_class(**{**kwargs, **timeouts})
    try:
        connection.send_command("PING")
        return connection.read_response() in (b"PONG", "PONG")
    finally:
        connection.disconnect()


def check_redis_connected(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """PING the Redis behind the ``default`` cache: Django's ``RedisCache`` or django-redis.

    The PING waits at most half ``DOCKERFLOW_HEARTBEAT_TIMEOUT``, so a hung Redis is
    reported in time and the check's thread is free again. E004 cannot connect (refused,
    timed out, or a Redis that dies during the PING), E005 no Redis client (redis-py or
    django-redis not installed, or ``default`` is not a Redis cache), E006
    misconfigured, E007 PING answered but not with PONG.
    """
    try:
        import redis
    except ImportError as exc:
        msg = f"Redis client not available: {exc}"
        return [checks.Error(msg, id=health.ERROR_MISSING_REDIS_CLIENT)]
    secrets = _cache_secrets("default")
    timeout = conf.valid("DOCKERFLOW_HEARTBEAT_TIMEOUT") / 2
    try:
        answered = _ping(_redis_client("default"), timeout)
    except (ImportError, NotImplementedError) as exc:
        what = "Redis client not available for cache 'default'"
        return _failure(health.ERROR_MISSING_REDIS_CLIENT, what, exc, secrets)
    except (ImproperlyConfigured, ValueError) as exc:  # ValueError: a LOCATION URL it can't read
        what = "Redis cache 'default' is misconfigured"
        return _failure(health.ERROR_MISCONFIGURED_REDIS, what, exc, secrets)
    except (redis.RedisError, OSError) as exc:
        what = "Could not connect to Redis (cache 'default')"
        return _failure(health.ERROR_CANNOT_CONNECT_REDIS, what, exc, secrets)
    if not answered:
        return [checks.Error("Redis ping failed", id=health.ERROR_REDIS_PING_FAILED)]
    return []


def _check_cache(alias: str) -> list[checks.CheckMessage]:
    key = f"dockerflow-heartbeat-{uuid.uuid4().hex}"
    value = uuid.uuid4().hex
    try:
        cache = caches[alias]
        # A timeout, so a key left behind by a failed delete expires by itself.
        cache.set(key, value, timeout=60)
        found = cache.get(key)
        cache.delete(key)
    except Exception as exc:  # every backend raises its own errors
        reason = _error_text(exc, _cache_secrets(alias))
    else:
        if found == value:
            return []
        reason = "the value written was not read back"
    msg = f"Cache '{alias}' round trip (set/get/delete) failed: {reason}"
    return [checks.Error(msg, id=health.ERROR_CACHE_ROUND_TRIP)]


def check_cache_connected(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Write, read back and delete a random key in every cache in ``CACHES`` (E015 on failure).

    ``DummyCache`` aliases are skipped: they store nothing by design.
    """
    return [
        message
        for alias, config in caches.settings.items()
        if config.get("BACKEND") != _DUMMY_CACHE
        for message in _check_cache(alias)
    ]


def register() -> list[Callable[..., Any]]:
    """Register the ``DOCKERFLOW_CHECKS`` as Django system checks (tag ``dockerflow``).

    python-dockerflow's function, for projects that want ``manage.py check`` to run them
    too; the heartbeat does not use Django's registry. Returns the checks. Raises
    ``ImproperlyConfigured`` naming an entry that cannot be imported.
    """
    registered = []
    for path in conf.valid("DOCKERFLOW_CHECKS"):
        try:
            check = import_string(path)
        except ImportError as exc:
            raise ImproperlyConfigured(f"DOCKERFLOW_CHECKS entry {path!r}: {exc}") from exc
        checks.register(check, "dockerflow")
        registered.append(check)
    return registered
