"""Built-in checks for ``DOCKERFLOW_CHECKS`` (python-dockerflow's names, plus caches). Each
takes ``app_configs=None, **kwargs`` like a Django system check and returns Django's check
messages with :mod:`dockerflow.health` ids, never an exception; a message names the
database or cache alias and never shows a password or a URL's credentials.
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

_DUMMY_CACHE = "django.core.cache.backends.dummy.DummyCache"


def _failure(ident: str, what: str, error: BaseException, secrets: Iterable[Any] = ()) -> list:
    # Driver errors may echo a DSN or URL: configured secrets and URL credentials are
    # masked before the text goes into a message.
    text = mask_text(f"{type(error).__name__}: {error}", secrets)
    return [checks.Error(f"{what}: {text}", id=ident)]


def _check_database(alias: str) -> list[checks.CheckMessage]:
    if alias not in connections.settings:
        msg = f"Database alias '{alias}' is not configured in DATABASES"
        return [checks.Error(msg, id=health.ERROR_UNKNOWN_DATABASE_ALIAS)]
    config = connections.settings[alias]
    options = config.get("OPTIONS") or {}
    secrets = [config.get("PASSWORD"), options.get("password"), options.get("passfile")]
    try:
        connection = connections[alias]
        reused = connection.connection is not None
        connection.ensure_connection()
        if reused and not connection.is_usable():
            # Kept from an earlier run (CONN_MAX_AGE) and dropped by the server since
            # (restart, idle timeout): the question is whether the database can be
            # reached now, so it is replaced once.
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
    """Connect to every alias in ``DATABASES`` (or to ``databases``) and report each failure:
    E001 cannot connect, E002 not usable, E003 misconfigured, E016 an unknown alias."""
    aliases = list(connections.settings) if databases is None else list(databases)
    return [message for alias in aliases for message in _check_database(alias)]


def check_migrations_applied(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Warn (W001) about each migration (of ``app_configs``, if given) not applied on the
    default database; I001 (info) when it cannot be read. A warning: as a Django system
    check, an error would stop ``migrate`` from running."""
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


def _ping(alias: str, timeout: float) -> bool:
    cache = caches[alias]
    if isinstance(cache, RedisCache):
        # Django has no public accessor for it; _cache.get_client() is there since 4.0.
        client = cache._cache.get_client(write=True)
    else:
        from django_redis import get_redis_connection  # NotImplementedError: not django-redis

        client = get_redis_connection(alias)
    # The cache's connections may have no socket timeout (redis-py's default): a Redis
    # that accepts connections but never answers would hold the check, and its thread,
    # for ever. The PING goes on a connection of its own, like the cache's but bounded.
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
    """PING the Redis of the ``default`` cache (Django's ``RedisCache`` or django-redis),
    waiting at most half ``DOCKERFLOW_HEARTBEAT_TIMEOUT``: a hung Redis is reported in time
    and leaves no thread stuck. E004 cannot connect (refused, timed out, died during the
    PING...), E005 no Redis client (not installed, or not a Redis cache), E006 misconfigured,
    E007 PING answered but not with PONG."""
    secrets = _cache_secrets("default")
    try:
        answered = _ping("default", conf.valid("DOCKERFLOW_HEARTBEAT_TIMEOUT") / 2)
    except (ImportError, NotImplementedError) as exc:
        what = "Redis client not available for cache 'default'"
        return _failure(health.ERROR_MISSING_REDIS_CLIENT, what, exc, secrets)
    except (ImproperlyConfigured, ValueError) as exc:  # ValueError: a LOCATION URL it can't read
        what = "Redis cache 'default' is misconfigured"
        return _failure(health.ERROR_MISCONFIGURED_REDIS, what, exc, secrets)
    except Exception as exc:  # redis-py's errors, OSError, what a hung-up server causes
        what = "Could not connect to Redis (cache 'default')"
        return _failure(health.ERROR_CANNOT_CONNECT_REDIS, what, exc, secrets)
    if not answered:
        return [checks.Error("Redis ping failed", id=health.ERROR_REDIS_PING_FAILED)]
    return []


def _check_cache(alias: str) -> list[checks.CheckMessage]:
    key, value = f"dockerflow-heartbeat-{uuid.uuid4().hex}", uuid.uuid4().hex
    what = f"Cache '{alias}' round trip (set/get/delete) failed"
    try:
        cache = caches[alias]
        cache.set(key, value, timeout=60)  # a key a failed delete leaves behind expires
        found = cache.get(key)
        cache.delete(key)
    except Exception as exc:  # every backend raises its own errors
        return _failure(health.ERROR_CACHE_ROUND_TRIP, what, exc, _cache_secrets(alias))
    if found == value:
        return []
    text = f"{what}: the value written was not read back"
    return [checks.Error(text, id=health.ERROR_CACHE_ROUND_TRIP)]


def check_cache_connected(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Write, read back and delete a random key in every cache in ``CACHES`` (E015 on
    failure); ``DummyCache`` aliases, which store nothing, are skipped."""
    return [
        message
        for alias, config in caches.settings.items()
        if config.get("BACKEND") != _DUMMY_CACHE
        for message in _check_cache(alias)
    ]


def register() -> list[Callable[..., Any]]:
    """Register the ``DOCKERFLOW_CHECKS`` as Django system checks (tag ``dockerflow``), as
    python-dockerflow did, so ``manage.py check`` runs them too; returns them. Raises
    ``ImproperlyConfigured`` naming an entry that cannot be imported."""
    registered = []
    for path in conf.valid("DOCKERFLOW_CHECKS"):
        try:
            check = import_string(path)
        except ImportError as exc:
            raise ImproperlyConfigured(f"DOCKERFLOW_CHECKS entry {path!r}: {exc}") from exc
        checks.register(check, "dockerflow")
        registered.append(check)
    return registered
