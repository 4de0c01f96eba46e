"""What ``/__heartbeat__`` runs: exactly ``DOCKERFLOW_CHECKS``, concurrently, bounded in time,
on long-lived check threads (database connections last as ``CONN_MAX_AGE`` says). Callers
arriving during a run share it (async ones waiting on the event loop); each run sends
``heartbeat_passed``/``heartbeat_failed`` and logs its messages once.
"""

from __future__ import annotations

import asyncio
import atexit
import collections
import contextlib
import dataclasses
import functools
import importlib
import inspect
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
from dockerflow.checks.concurrent import CheckThreads
from dockerflow.checks.messages import ERROR, Error
from dockerflow.checks.registry import Check, CheckFn, CheckResults, log_masked_exception

from . import conf
from .signals import heartbeat_failed, heartbeat_passed

#: How many runs of a check may hang at once; past that it is not started (E013 at
#: once): what a check hanging for ever costs, in threads.
MAX_STUCK = 1


@dataclasses.dataclass(frozen=True)
class HeartbeatConfig:
    """The validated heartbeat settings; one object per settings state."""

    checks: tuple[Check, ...]
    timeout: float
    cache_seconds: float
    silenced_check_ids: frozenset[str]


def _resolve(path: str) -> tuple[str | None, CheckFn]:
    """The check's function name (None if it has none) and how to call it."""
    try:
        func = import_string(path)
        problem = None if callable(func) else f"is not callable ({type(func).__name__})"
    except Exception as exc:
        log_masked_exception(f"DOCKERFLOW_CHECKS entry {path} cannot be imported", path)
        reason = f": {exc}" if isinstance(exc, ImportError) else " (traceback logged)"
        problem = f"cannot be imported: {type(exc).__name__}{reason}"
    if problem:
        message = Error(f"Check {path} {problem}", id=health.ERROR_CHECK_NOT_IMPORTABLE)
        return None, lambda: [message]
    try:
        parameters = inspect.signature(func).parameters.values()
    except (TypeError, ValueError):  # some builtins and C callables have no signature
        parameters = []
    name = getattr(func, "__name__", None)
    # Django-style checks take app_configs (python-dockerflow passed None).
    if any(p.name == "app_configs" or p.kind is p.VAR_KEYWORD for p in parameters):
        func = functools.partial(func, app_configs=None)
    return (name if isinstance(name, str) else None), func


def _named_checks(paths: Sequence[str]) -> tuple[Check, ...]:
    # Keyed by the function's name, as python-dockerflow does (dashboards read e.g.
    # "check_database_connected"); by the dotted path when there is no name or two
    # checks share one. A path listed twice runs once.
    resolved = {path: _resolve(path) for path in paths}
    counts = collections.Counter(name for name, _ in resolved.values())
    return tuple(
        (name if name is not None and counts[name] == 1 else path, func)
        for path, (name, func) in resolved.items()
    )


def preload_backends() -> None:
    """Import every database and cache backend (and the Redis client) in this thread: two
    check threads importing redis-py (circular imports) for the first time at once failed
    one of them (import deadlock). What cannot be imported is left to its check."""
    modules = [f"{config['ENGINE']}.base" for config in connections.settings.values()]
    for config in caches.settings.values():
        backend = config.get("BACKEND", "")
        modules.append(backend.rpartition(".")[0])
        if backend.startswith("django_redis."):
            options = config.get("OPTIONS") or {}
            client = options.get("CLIENT_CLASS", "django_redis.client.DefaultClient")
            modules += [client.rpartition(".")[0], "django_redis.pool"]
        if "redis" in backend.lower():  # Django's RedisCache imports redis-py on first use
            modules.append("redis")
    for module in dict.fromkeys(modules):
        with contextlib.suppress(Exception):
            importlib.import_module(module)


@conf.derived
def get_config() -> HeartbeatConfig:
    """The heartbeat settings, validated, with the checks imported (one per settings state)."""
    preload_backends()  # in the caller's thread, before the check threads import them
    return HeartbeatConfig(
        checks=_named_checks(conf.valid("DOCKERFLOW_CHECKS")),
        timeout=conf.valid("DOCKERFLOW_HEARTBEAT_TIMEOUT"),
        cache_seconds=conf.valid("DOCKERFLOW_HEARTBEAT_CACHE_SECONDS"),
        silenced_check_ids=frozenset(conf.valid("SILENCED_SYSTEM_CHECKS")),
    )


def _config_for(checks: Sequence[str] | None, timeout: float | None) -> HeartbeatConfig:
    """The settings' configuration with the caller's ``checks`` and ``timeout``, if given."""
    config = get_config()
    if checks is not None:
        config = dataclasses.replace(config, checks=_named_checks(_argument("checks", checks)))
    if timeout is not None:
        config = dataclasses.replace(config, timeout=_argument("timeout", timeout))
    return config


def _argument(name: str, value: Any) -> Any:
    # The argument stands in for its setting: the same rule, a ValueError naming it.
    setting = "DOCKERFLOW_CHECKS" if name == "checks" else "DOCKERFLOW_HEARTBEAT_TIMEOUT"
    try:
        return conf.validate(setting, value)
    except conf.InvalidSetting as exc:
        raise ValueError(f"{name}={value!r} is not valid; expected {exc}") from None


def tidy_connections() -> None:
    """Around each check, what Django does around a request: close the database connections
    ``CONN_MAX_AGE`` expired or that are unusable, and the caches."""
    for connection in connections.all(initialized_only=True):
        connection.close_if_unusable_or_obsolete()
    for cache in caches.all(initialized_only=True):
        cache.close()


def close_thread_connections() -> None:
    """Close the connections and caches of a check thread that ends (nothing else would)."""
    for connection in connections.all(initialized_only=True):
        connection.close()
        if connection.connection is not None:
            # SQLite ignores close() on an in-memory database (closing would drop it),
            # but this connection is private to a thread that is ending.
            BaseDatabaseWrapper.close(connection)
    for cache in caches.all(initialized_only=True):
        cache.close()


#: The heartbeat's check threads: each keeps its connections from run to run.
check_threads = CheckThreads(
    between_runs=tidy_connections, on_exit=close_thread_connections, max_stuck=MAX_STUCK
)
# New threads read the new settings (DATABASES, CACHES) from scratch.
setting_changed.connect(
    lambda **kwargs: check_threads.retire_idle(), weak=False, dispatch_uid="dockerflow.heartbeat"
)
# At exit, each idle thread closes its own connections (a daemon thread is just stopped,
# leaving them to the garbage collector: Python 3.13 then warns about unclosed sqlite ones).
atexit.register(check_threads.retire_idle, 2.0)


class _Flight:
    """One run of the checks, which callers with the same configuration share."""

    def __init__(self, config: HeartbeatConfig) -> None:
        self.config = config
        self.done = threading.Event()
        self.finished = 0.0  # time.monotonic() when done
        self.results: CheckResults | None = None
        self.wake_ups: list[Callable[[], None]] = []  # async callers waiting for it

    def fresh(self) -> bool:  # DOCKERFLOW_HEARTBEAT_CACHE_SECONDS
        return time.monotonic() - self.finished < self.config.cache_seconds

    def result(self) -> CheckResults:
        if self.results is None:
            raise RuntimeError("the heartbeat run this call was waiting for failed")
        return self.results.copy()

    async def wait(self) -> None:  # on the event loop: no thread
        loop = asyncio.get_running_loop()
        done = loop.create_future()

        def set_done() -> None:
            if not done.done():  # the caller may have been cancelled meanwhile
                done.set_result(None)

        with _lock:
            if self.done.is_set():
                return
            self.wake_ups.append(functools.partial(loop.call_soon_threadsafe, set_done))
        await done


_lock = threading.Lock()
_current: _Flight | None = None  # the run in progress
_last: _Flight | None = None  # the last run that gave results: the cache


def _enter(config: HeartbeatConfig) -> tuple[_Flight, bool]:
    """The cached run, the run in progress or a new one; whether this caller leads it."""
    global _current
    with _lock:
        if _last is not None and _last.config is config and _last.fresh():
            return _last, False
        if _current is not None:
            return _current, False
        _current = _Flight(config)
        return _current, True


def _fly(flight: _Flight, sender: Any) -> None:
    """Run the checks of ``flight`` and hand the results to everyone waiting for it."""
    global _current, _last
    try:
        config = flight.config
        flight.results = check_threads.run(
            config.checks, timeout=config.timeout, silenced_check_ids=config.silenced_check_ids
        )
        level = flight.results.level
        (heartbeat_passed if level < ERROR else heartbeat_failed).send_robust(sender, level=level)
    finally:
        with _lock:
            _current = None
            flight.finished = time.monotonic()
            if flight.results is not None:
                _last = flight
            flight.done.set()
        for wake_up in flight.wake_ups:
            with contextlib.suppress(RuntimeError):  # that caller's event loop is closed
                wake_up()


def run_heartbeat(
    checks: Sequence[str] | None = None, timeout: float | None = None, *, sender: Any = None
) -> CheckResults:
    """Run ``checks`` (default ``DOCKERFLOW_CHECKS``) within ``timeout`` seconds (default
    ``DOCKERFLOW_HEARTBEAT_TIMEOUT``), or share a run in progress or a cached result (a copy
    each). ``ImproperlyConfigured`` for bad settings, ``ValueError`` for bad arguments."""
    config = _config_for(checks, timeout)
    while True:
        flight, leading = _enter(config)
        _fly(flight, sender) if leading else flight.done.wait()
        if flight.config == config:  # else: one run at a time, ours starts now
            return flight.result()


async def run_heartbeat_async(*, sender: Any = None) -> CheckResults:
    """:func:`run_heartbeat` for async code: only the run takes a thread, callers sharing it
    wait on the event loop. A cancelled caller leaves the run it leads going, for others."""
    config = get_config()
    while True:
        flight, leading = _enter(config)
        await (asyncio.to_thread(_fly, flight, sender) if leading else flight.wait())
        if flight.config == config:
            return flight.result()
