"""What ``/__heartbeat__`` runs: exactly ``DOCKERFLOW_CHECKS``, concurrently, bounded in time.

* Settings are read at call time through :mod:`dockerflow.django.conf` (``conf.valid``),
  so ``override_settings`` applies at once; bad values raise ``ImproperlyConfigured``
  naming the setting. A check's own failure never raises: a check that raises,
  times out, is stuck or cannot be imported is an error in the result.
* Checks run on the heartbeat's long-lived check threads (``check_threads``,
  see :mod:`dockerflow.checks.concurrent`), so their database connections last as
  long as ``CONN_MAX_AGE`` says instead of one new session per alias per probe.
* Single-flight: callers that arrive while a run is in progress wait for it and
  share its result. ``DOCKERFLOW_HEARTBEAT_CACHE_SECONDS`` also serves the last
  result for that long (until a setting changes).
* Each run (not each caller) sends ``heartbeat_passed``/``heartbeat_failed`` and
  logs each non-silenced message once (logger ``dockerflow.checks.registry``).
"""

from __future__ import annotations

import collections
import dataclasses
import functools
import importlib
import inspect
import logging
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from django.core.cache import caches
from django.core.signals import setting_changed
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils.module_loading import import_string

from dockerflow import health
from dockerflow.checks import ERROR, CheckResults, Error
from dockerflow.checks.concurrent import CheckThreads
from dockerflow.checks.runner import Check, CheckFn, log_masked_exception

from . import conf
from .signals import heartbeat_failed, heartbeat_passed

logger = logging.getLogger("dockerflow.checks")


@dataclasses.dataclass(frozen=True)
class HeartbeatConfig:
    """The validated heartbeat settings; one object per settings state."""

    checks: tuple[Check, ...]
    timeout: float
    cache_seconds: float
    max_stuck: int
    silenced_check_ids: frozenset[str]


def _not_importable(path: str, exc: Exception) -> Callable[[], list[Any]]:
    reason = f": {exc}" if isinstance(exc, ImportError) else " (traceback logged)"
    message = Error(
        f"Check {path} cannot be imported: {type(exc).__name__}{reason}",
        id=health.ERROR_CHECK_NOT_IMPORTABLE,
    )
    return lambda: [message]


def _with_django_arguments(func: Callable[..., Any]) -> Callable[[], Any]:
    # Django-style checks take ``app_configs`` (python-dockerflow called them with
    # app_configs=None); plain zero-argument callables are called as they are.
    try:
        parameters = inspect.signature(func).parameters.values()
    except (TypeError, ValueError):  # some builtins and C callables have no signature
        return func
    if any(p.name == "app_configs" or p.kind is p.VAR_KEYWORD for p in parameters):
        return functools.partial(func, app_configs=None)
    return func


def _resolve(path: str) -> tuple[str | None, CheckFn]:
    """The check's function name (None if it has none) and how to call it."""
    try:
        func = import_string(path)
    except Exception as exc:
        log_masked_exception(f"DOCKERFLOW_CHECKS entry {path} cannot be imported", path)
        return None, _not_importable(path, exc)
    name = getattr(func, "__name__", None)
    return (name if isinstance(name, str) else None), _with_django_arguments(func)


def _named_checks(paths: tuple[str, ...]) -> tuple[Check, ...]:
    # Results are keyed by the function's name, as python-dockerflow does (its
    # users' dashboards read e.g. "check_database_connected"); the dotted path
    # when there is no name or two checks share one.
    resolved = {path: _resolve(path) for path in paths}  # a path listed twice runs once
    counts = collections.Counter(name for name, _ in resolved.values())
    return tuple(
        (name if name is not None and counts[name] == 1 else path, func)
        for path, (name, func) in resolved.items()
    )


_DJANGO_REDIS_CLIENT = "django_redis.client.DefaultClient"


def _backend_modules() -> list[str]:
    modules = [f"{config['ENGINE']}.base" for config in connections.settings.values()]
    for config in caches.settings.values():
        backend = config.get("BACKEND", "")
        modules.append(backend.rpartition(".")[0])
        if backend.startswith("django_redis."):
            client = (config.get("OPTIONS") or {}).get("CLIENT_CLASS", _DJANGO_REDIS_CLIENT)
            modules += [client.rpartition(".")[0], "django_redis.pool", "redis"]
    return modules


def preload_backends() -> None:
    """Import every database and cache backend (and the Redis client) in this thread.

    Checks run at the same time in several threads. Two threads importing a package
    with circular imports (redis-py has them) for the first time can fail one of
    them with an import deadlock error, so a new worker's first heartbeat failed.
    The heartbeat calls this in the caller's thread first. A backend that cannot
    be imported is left for its check to report.
    """
    for module in dict.fromkeys(_backend_modules()):
        try:
            importlib.import_module(module)
        except Exception:  # reported by the check that uses it, as a result
            continue


@conf.derived
def get_config() -> HeartbeatConfig:
    """The heartbeat settings, validated and with the checks imported (cached per settings state).

    Raises ``ImproperlyConfigured`` for a bad value, naming the setting.
    """
    # In the caller's thread, before the check threads import them: see preload_backends.
    preload_backends()
    return HeartbeatConfig(
        checks=_named_checks(tuple(conf.valid("DOCKERFLOW_CHECKS"))),
        timeout=conf.valid("DOCKERFLOW_HEARTBEAT_TIMEOUT"),
        cache_seconds=conf.valid("DOCKERFLOW_HEARTBEAT_CACHE_SECONDS"),
        max_stuck=1,  # until the heartbeat's own constant lands (wt-heartbeat)
        silenced_check_ids=frozenset(conf.valid("SILENCED_SYSTEM_CHECKS")),
    )


def _config_for(checks: Sequence[str] | None, timeout: float | None) -> HeartbeatConfig:
    """The settings' configuration with the caller's ``checks`` and ``timeout``, if given."""
    config = get_config()
    if checks is not None:
        paths = _argument("checks", "DOCKERFLOW_CHECKS", checks)
        config = dataclasses.replace(config, checks=_named_checks(tuple(paths)))
    if timeout is not None:
        seconds = _argument("timeout", "DOCKERFLOW_HEARTBEAT_TIMEOUT", timeout)
        config = dataclasses.replace(config, timeout=seconds)
    return config


def _argument(name: str, setting: str, value: Any) -> Any:
    # The argument stands in for the setting: the same rule, a ValueError naming it.
    try:
        return conf.validate(setting, value)
    except conf.InvalidSetting as exc:
        raise ValueError(f"{name}={value!r} is not valid; expected {exc}") from None


def tidy_connections() -> None:
    """What Django does around a request, run in a check thread before and after each check.

    Drops each database connection that ``CONN_MAX_AGE`` has expired, that had
    errors and is no longer usable, or whose autocommit was left changed; closes
    the caches as ``request_finished`` does. Other connections are kept for the
    next run, and ``CONN_HEALTH_CHECKS`` checks them on their next use.
    """
    for connection in connections.all(initialized_only=True):
        connection.close_if_unusable_or_obsolete()
    for cache in caches.all(initialized_only=True):
        cache.close()


def close_thread_connections() -> None:
    """Close this thread's database connections and caches (a check thread that ends).

    Django keeps them per thread; nothing else would close the ones a check opened.
    """
    for connection in connections.all(initialized_only=True):
        connection.close()
        if connection.connection is not None:
            # SQLite ignores close() on an in-memory database (closing would drop
            # it), but this connection is private to a thread that is ending.
            BaseDatabaseWrapper.close(connection)
    for cache in caches.all(initialized_only=True):
        cache.close()


#: The heartbeat's check threads: each keeps its connections from run to run.
check_threads = CheckThreads(between_runs=tidy_connections, on_exit=close_thread_connections)


def _retire_idle_check_threads(**kwargs: Any) -> None:
    # New threads read the new settings (DATABASES, CACHES) from scratch.
    check_threads.retire_idle()


setting_changed.connect(_retire_idle_check_threads, dispatch_uid="dockerflow.heartbeat.threads")


class _Flight:
    """One run in progress, which later callers with the same configuration wait for."""

    def __init__(self, config: HeartbeatConfig) -> None:
        self.config = config
        self.done = threading.Event()
        self.results: CheckResults | None = None


_lock = threading.Lock()
_current: _Flight | None = None
_last: tuple[HeartbeatConfig, float, CheckResults] | None = None  # config, finished, results


def _cached(config: HeartbeatConfig) -> CheckResults | None:
    if _last is None or config.cache_seconds <= 0:
        return None
    last_config, finished, results = _last
    if last_config is config and time.monotonic() - finished < config.cache_seconds:
        return results
    return None


def _run(config: HeartbeatConfig, sender: Any) -> CheckResults:
    results = check_threads.run(
        config.checks,
        timeout=config.timeout,
        max_stuck=config.max_stuck,
        silenced_check_ids=config.silenced_check_ids,
    )
    signal = heartbeat_passed if results.level < ERROR else heartbeat_failed
    signal.send_robust(sender=sender, level=results.level)
    return results


def run_heartbeat(
    checks: Sequence[str] | None = None,
    timeout: float | None = None,
    *,
    sender: Any = None,
) -> CheckResults:
    """Run ``checks`` (dotted paths; default ``DOCKERFLOW_CHECKS``) or share a run in
    progress, or a cached result.

    Each check gets ``timeout`` seconds (default ``DOCKERFLOW_HEARTBEAT_TIMEOUT``), and
    so does the whole run. Each caller gets its own copy of the results. Raises
    ``ImproperlyConfigured`` for bad settings, ``ValueError`` for bad arguments.
    """
    global _current, _last
    config = _config_for(checks, timeout)
    while True:
        with _lock:
            cached = _cached(config)
            if cached is not None:
                return cached.copy()
            flight = _current
            if flight is None:
                flight = _current = _Flight(config)
                break
        flight.done.wait()
        if flight.config == config:
            if flight.results is None:
                raise RuntimeError("the heartbeat run this call was waiting for failed")
            return flight.results.copy()
        # A run of other checks: ours starts when it is over (one run at a time).
    try:
        flight.results = _run(config, sender)
    finally:
        with _lock:
            _current = None
            if flight.results is not None:
                _last = (config, time.monotonic(), flight.results)
        flight.done.set()
    return flight.results.copy()
