"""python-dockerflow's checks API that exists only for compatibility, in one place.

* A process-wide registry of named checks (``register``, ``register_partial``,
  ``get_checks``, ``clear_checks``). The Django heartbeat does not read it: it runs
  ``DOCKERFLOW_CHECKS``. The registry is for code that runs its own checks with
  ``run_checks(get_checks().items())``.
* ``ChecksResults``, python-dockerflow's name for :class:`~dockerflow.checks.runner.CheckResults`.

Re-exported from ``dockerflow.checks`` (and ``dockerflow.checks.registry``,
python-dockerflow's module path), so existing imports keep working.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any, TypeVar, overload

from .runner import CheckResults

logger = logging.getLogger("dockerflow.checks")

F = TypeVar("F", bound=Callable[..., Any])

#: python-dockerflow's name for :class:`~dockerflow.checks.runner.CheckResults`.
ChecksResults = CheckResults

_registered: dict[str, Callable[..., Any]] = {}


@overload
def register(func: F, name: str | None = None) -> F: ...
@overload
def register(func: None = None, name: str | None = None) -> Callable[[F], F]: ...
def register(func: Callable[..., Any] | None = None, name: str | None = None) -> Any:
    """Register ``func`` as a check called ``name`` (default: its ``__name__``).

    Usable as ``@register``, ``@register()`` or ``@register(name="db")``; returns
    ``func`` unchanged. Registering a name again replaces the earlier check.
    """
    if func is None:
        return functools.partial(register, name=name)
    check_name = func.__name__ if name is None else name
    logger.debug("Register Dockerflow check %s", check_name)
    _registered[check_name] = func
    return func


def register_partial(
    func: Callable[..., Any], *args: Any, name: str | None = None
) -> Callable[..., Any]:
    """Register ``functools.partial(func, *args)`` as a check; returns the partial.

    E.g. ``register_partial(check_redis_connected, client, name="redis")``.
    """
    partial = functools.update_wrapper(functools.partial(func, *args), func)
    return register(partial, name=func.__name__ if name is None else name)


def get_checks() -> dict[str, Callable[..., Any]]:
    """The registered checks, ``{name: callable}`` (the live registry, not a copy)."""
    return _registered


def clear_checks() -> None:
    """Forget every registered check."""
    _registered.clear()
