"""The one accessor through which the runtime reads Django settings.

Values are cached (a dict lookup per read instead of Django's ``LazySettings``
machinery, which is slow for *unset* settings) and the cache is dropped whenever
Django sends ``setting_changed`` -- so ``override_settings`` and pytest-django's
``settings`` fixture take effect immediately, and nothing is read at import time.

Derived values (an imported callback, a parsed list of checks, a header name
turned into its ``META`` key) are cached the same way with :func:`derived`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.signals import setting_changed

T = TypeVar("T")

#: Default of every setting the runtime reads. The names and defaults match
#: python-dockerflow where it has the setting.
DEFAULTS: dict[str, Any] = {
    "DOCKERFLOW_CHECKS": [
        "dockerflow.django.checks.check_database_connected",
        "dockerflow.django.checks.check_migrations_applied",
    ],
    "DOCKERFLOW_VERSION_CALLBACK": "dockerflow.version.get_version",
    "DOCKERFLOW_HEARTBEAT_FAILED_STATUS_CODE": 500,
    "DOCKERFLOW_HEARTBEAT_TIMEOUT": 5.0,
    "DOCKERFLOW_HEARTBEAT_CACHE_SECONDS": 0,
    "DOCKERFLOW_HEARTBEAT_DETAILS": None,
    "DOCKERFLOW_HEARTBEAT_MAX_STUCK": 1,
    "DOCKERFLOW_REQUEST_ID_HEADER_NAME": "X-Request-ID",
    "DOCKERFLOW_SUMMARY_LOG_QUERYSTRING": False,
    "DOCKERFLOW_ERROR_ENDPOINT": True,
    "DOCKERFLOW_REQUEST_ID_RESPONSE_HEADER": None,  # None: the request-id header name
    "DOCKERFLOW_DRAIN_SECONDS": 0,
    "BASE_DIR": None,
    "DEBUG": False,
    "SILENCED_SYSTEM_CHECKS": [],
}

_values: dict[str, Any] = {}
_derived: list[Callable[[], Any]] = []


def get(name: str) -> Any:
    """Return setting ``name``, or its runtime default when the project leaves it unset."""
    try:
        return _values[name]
    except KeyError:
        pass
    value = getattr(settings, name, DEFAULTS[name])
    _values[name] = value
    return value


def derived(func: Callable[[], T]) -> Callable[[], T]:
    """Cache a zero-argument function of settings until the next ``setting_changed``."""
    cached = functools.lru_cache(maxsize=1)(func)
    _derived.append(cached)
    return cached


def reset(**kwargs: Any) -> None:
    """Forget every cached value (connected to ``setting_changed``)."""
    _values.clear()
    for func in _derived:
        func.cache_clear()  # type: ignore[attr-defined]


setting_changed.connect(reset, dispatch_uid="dockerflow.django.conf.reset")
