"""The one accessor through which the runtime reads Django settings, and their rules.

Nothing is read at import time: :func:`get` and :func:`valid` read on each call; what the
request path needs is computed by a :func:`derived` function, kept until Django sends
``setting_changed``. Each setting has one default (:data:`DEFAULTS`) and one rule
(:data:`VALIDATORS`), which ``dockerflow_settings`` applies to environment variables too.
"""

from __future__ import annotations

import functools
import numbers
import re
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.utils.module_loading import import_string

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
    "DOCKERFLOW_HEARTBEAT_CACHE_SECONDS": 0.0,
    "DOCKERFLOW_HEARTBEAT_DETAILS": None,
    "DOCKERFLOW_REQUEST_ID_HEADER_NAME": "X-Request-ID",
    "DOCKERFLOW_REQUEST_ID_RESPONSE_HEADER": None,  # None: the request-id header name
    "DOCKERFLOW_SUMMARY_LOG_QUERYSTRING": False,
    "DOCKERFLOW_SUMMARY_LOG_PROBES": "all",
    "DOCKERFLOW_SUMMARY_EXTRA_FIELDS": None,
    "DOCKERFLOW_ERROR_ENDPOINT": True,
    "DOCKERFLOW_DRAIN_SECONDS": 0.0,
    "BASE_DIR": None,
    "DEBUG": False,
    "SILENCED_SYSTEM_CHECKS": [],
}

#: The Dockerflow endpoints by view name, each served with or without one trailing slash
#: (``error`` only while DOCKERFLOW_ERROR_ENDPOINT is on). Fixed by the Dockerflow spec,
#: not settings: here because this is the module the settings package already imports.
ENDPOINT_PATHS = {
    "version": "/__version__",
    "heartbeat": "/__heartbeat__",
    "lbheartbeat": "/__lbheartbeat__",
    "error": "/__error__",
}


def endpoint_paths(*names: str) -> frozenset[str]:
    """The paths the endpoints ``names`` answer on, with and without the trailing slash."""
    return frozenset(ENDPOINT_PATHS[name] + end for name in names for end in ("", "/"))


#: Documented upper limits. Past them a value is a typo (``1e10``) rather than a
#: choice, and would overflow ``time.monotonic() + value`` or ``Event.wait(value)``.
MAX_HEARTBEAT_TIMEOUT = 300
MAX_HEARTBEAT_CACHE_SECONDS = 3600
MAX_DRAIN_SECONDS = 300


class InvalidSetting(ValueError):
    """A value breaks its setting's rule; ``str()`` says what was expected."""


# Header names: only ASCII letters, digits and hyphens, though HTTP allows more. nginx and
# Apache drop request headers with other characters, gunicorn and runserver those with "_"
# (ambiguous in the CGI-style environ): a name outside this rule could never arrive.
_HEADER_NAME = re.compile(r"[A-Za-z0-9-]+")
_HEADER_EXPECTED = (
    "an HTTP header name of ASCII letters, digits and hyphens, such as 'X-Request-ID'"
)


def _is_dotted_path(value: Any) -> bool:
    parts = value.split(".") if isinstance(value, str) else []
    return len(parts) >= 2 and all(part.isidentifier() for part in parts)


def _is_header_name(value: Any) -> bool:
    return isinstance(value, str) and _HEADER_NAME.fullmatch(value) is not None


def _rule(expected: str, ok: Callable[[Any], bool], convert: Callable = lambda v: v) -> Callable:
    """A rule: ``convert(value)`` if ``ok(value)``, else InvalidSetting(``expected``)."""

    def rule(value: Any) -> Any:
        if not ok(value):
            raise InvalidSetting(expected)
        return convert(value)

    return rule


_boolean = _rule("True or False", lambda v: isinstance(v, bool))


def _seconds(*, low_allowed: bool, high: float) -> Callable[[Any], float]:
    # Bounds before float(): an int too large for a float would raise OverflowError.
    # NaN fails both comparisons and infinity the upper one.
    return _rule(
        f"a number of seconds {'>=' if low_allowed else '>'} 0 and <= {high:g}",
        lambda v: (
            isinstance(v, numbers.Real)
            and not isinstance(v, bool)
            and (0 <= v <= high if low_allowed else 0 < v <= high)
        ),
        float,
    )


def _strings(*, ordered: bool, expected: str, item_ok: Callable[[str], bool]) -> Callable:
    kinds: tuple[type, ...] = (list, tuple) if ordered else (list, tuple, set, frozenset)
    ok = lambda v: isinstance(v, kinds) and all(isinstance(i, str) and item_ok(i) for i in v)  # noqa: E731
    return _rule(expected, ok, list)


def _callable_or_path(example: str, *, optional: bool = False) -> Callable[[Any], Any]:
    # Syntax only: importing here could import models before the app registry is
    # ready; the code that calls it imports it (and reports failure) when it is needed.
    expected = f"a callable or a dotted path such as {example!r}"
    return _rule(
        f"None, {expected}" if optional else expected,
        lambda v: (optional and v is None) or callable(v) or _is_dotted_path(v),
    )


def _status_code(value: Any) -> int:
    # python-dockerflow handed the setting to HttpResponse, which takes "503" as well:
    # projects that set it from os.environ keep working. HTTPStatus members are ints.
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 400 <= value <= 599:
        raise InvalidSetting("an HTTP error status code from 400 to 599")
    return int(value)


def _header_name(value: Any) -> str:
    if value is None:  # python-dockerflow's "use the default"
        return DEFAULTS["DOCKERFLOW_REQUEST_ID_HEADER_NAME"]
    return _rule(_HEADER_EXPECTED, _is_header_name)(value)


#: The rule of each setting: returns the normalised value or raises InvalidSetting.
VALIDATORS: dict[str, Callable[[Any], Any]] = {
    # Syntax only, for the reason given in _callable_or_path: the heartbeat imports
    # each check and reports one it cannot import (dockerflow.health.E014).
    "DOCKERFLOW_CHECKS": _strings(
        ordered=True,
        expected="a list of dotted paths such as "
        "'dockerflow.django.checks.check_database_connected'",
        item_ok=_is_dotted_path,
    ),
    "DOCKERFLOW_VERSION_CALLBACK": _callable_or_path("dockerflow.version.get_version"),
    "DOCKERFLOW_HEARTBEAT_FAILED_STATUS_CODE": _status_code,
    "DOCKERFLOW_HEARTBEAT_TIMEOUT": _seconds(low_allowed=False, high=MAX_HEARTBEAT_TIMEOUT),
    "DOCKERFLOW_HEARTBEAT_CACHE_SECONDS": _seconds(
        low_allowed=True, high=MAX_HEARTBEAT_CACHE_SECONDS
    ),
    "DOCKERFLOW_HEARTBEAT_DETAILS": _rule(
        "True, False or None (None: details only with DEBUG)",
        lambda v: v is None or isinstance(v, bool),
    ),
    "DOCKERFLOW_REQUEST_ID_HEADER_NAME": _header_name,
    "DOCKERFLOW_REQUEST_ID_RESPONSE_HEADER": _rule(
        f"None (send the request-id header), '' (send none) or {_HEADER_EXPECTED}",
        lambda v: v is None or v == "" or _is_header_name(v),
    ),
    "DOCKERFLOW_SUMMARY_LOG_QUERYSTRING": _boolean,
    # Which /__heartbeat__ and /__lbheartbeat__ requests get a request.summary line:
    # every one, those answered >= 400, none.
    "DOCKERFLOW_SUMMARY_LOG_PROBES": _rule(
        "one of 'all', 'failures', 'none'",
        lambda v: isinstance(v, str) and v in ("all", "failures", "none"),
    ),
    "DOCKERFLOW_SUMMARY_EXTRA_FIELDS": _callable_or_path(
        "myproject.logging.summary_fields", optional=True
    ),
    "DOCKERFLOW_ERROR_ENDPOINT": _boolean,
    "DOCKERFLOW_DRAIN_SECONDS": _seconds(low_allowed=True, high=MAX_DRAIN_SECONDS),
    "SILENCED_SYSTEM_CHECKS": _strings(
        ordered=False, expected="a list of check ids such as 'security.W009'", item_ok=bool
    ),
}


def get(name: str) -> Any:
    """Return setting ``name``, or its runtime default when the project leaves it unset."""
    return getattr(settings, name, DEFAULTS[name])


def validate(name: str, value: Any) -> Any:
    """``value`` normalised by the rule of setting ``name`` (as is without one: ``DEBUG``,
    which Django reads as truthy); raises :class:`InvalidSetting`."""
    validator = VALIDATORS.get(name)
    return value if validator is None else validator(value)


def valid(name: str) -> Any:
    """:func:`get` checked by :func:`validate`: ``ImproperlyConfigured`` names the setting,
    its value and what was expected."""
    value = get(name)
    try:
        return validate(name, value)
    except InvalidSetting as exc:
        raise ImproperlyConfigured(f"{name}={value!r} is not valid; expected {exc}") from None


def imported(name: str) -> Callable[..., Any] | None:
    """Setting ``name`` (a callable, a dotted path to one, or None) as a callable or None;
    ``ImproperlyConfigured`` naming it when the path cannot be imported or is no callable."""
    spec = valid(name)
    try:
        func = import_string(spec) if isinstance(spec, str) else spec
    except ImportError as exc:
        raise ImproperlyConfigured(f"{name}={spec!r} cannot be imported ({exc})") from exc
    if func is not None and not callable(func):
        raise ImproperlyConfigured(f"{name}={spec!r} is not callable")
    return func


def derived(func: Callable[[], T]) -> Callable[[], T]:
    """Cache a zero-argument function of settings until Django sends ``setting_changed``:
    computed once per settings state even when threads ask at once, so callers may compare
    it by identity (the heartbeat shares a run only with callers holding the same config)."""
    # Reentrant, so a setting_changed sent while func() runs cannot deadlock forget().
    lock = threading.RLock()
    computed: list[T] = []  # the value for the current settings state, once computed

    @functools.wraps(func)
    def cached() -> T:
        try:
            return computed[0]
        except IndexError:
            with lock:  # threads that miss together queue here and take the first one's
                if not computed:
                    computed.append(func())
                return computed[0]

    def forget(**kwargs: Any) -> None:
        with lock:
            computed.clear()

    setting_changed.connect(forget, weak=False)
    return cached
