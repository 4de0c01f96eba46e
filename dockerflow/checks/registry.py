"""Running checks and summarising what they return; python-dockerflow's check registry.

A check is a ``(name, callable)`` pair; the callable takes no arguments and returns an
iterable of messages (ours or Django's: anything with ``level``, ``msg`` and ``id``), or
an awaitable of one. A check that raises becomes an ``ERROR_CHECK_RAISED`` error whose
traceback is logged, never returned. Every message text and logged traceback is masked
(:func:`dockerflow.masking.mask_text`): a check quoting a URL or a driver error echoing
a DSN shows no credentials.

The registry (``register``...) is python-dockerflow's, at its module path, for code that
runs its own checks with ``run_checks(get_checks().items())``. The Django heartbeat does
not read it: it runs ``DOCKERFLOW_CHECKS``.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import logging
import sys
import traceback
from collections.abc import Awaitable, Callable, Collection, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar, overload

from dockerflow import health
from dockerflow.masking import mask_text

from .messages import Error, level_to_text

logger = logging.getLogger("dockerflow.checks")
#: Every (non-silenced) message of a run is logged here once, at its own level, as
#: "<id>: <msg>". The name is python-dockerflow's, which projects' LOGGING configures.
messages_logger = logging.getLogger(__name__)

CheckFn = Callable[[], Any]
Check = tuple[str, CheckFn]
Outcome = tuple[str, Sequence[Any]]
F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class CheckResults:
    """What a run of checks found.

    ``level``: the highest message level (0 when no check said anything).
    ``statuses``: ``{name: level_to_text(level)}`` for every check that ran.
    ``details``: ``{name: {"status": str, "level": int, "messages": {id: msg}}}``
    for every check whose level is above 0.
    """

    details: dict[str, dict[str, Any]]
    statuses: dict[str, str]
    level: int

    def copy(self) -> CheckResults:
        """A copy that can be changed without touching this one (results are shared)."""
        details = {k: {**v, "messages": dict(v["messages"])} for k, v in self.details.items()}
        return CheckResults(details=details, statuses=dict(self.statuses), level=self.level)


#: python-dockerflow's name for :class:`CheckResults`.
ChecksResults = CheckResults


def _as_messages(result: Any) -> list[Any]:
    messages = [] if result is None else list(result)
    for message in messages:
        if not isinstance(getattr(message, "level", None), int) or not hasattr(message, "msg"):
            raise TypeError(
                f"a check must return check messages (with an int .level, .msg and .id); "
                f"got {message!r}"
            )
    return messages


def log_masked_exception(what: str, check: str) -> None:
    """Log ``what`` and the exception being handled, traceback included, masked.

    Not ``exc_info``: formatters render the exception object as it is, secrets and
    all, so the traceback text is masked here and logged in the message instead.
    """
    text = "".join(traceback.format_exception(*sys.exc_info()))
    logger.error("%s\n%s", what, mask_text(text).rstrip(), extra={"check": check})


def raised(name: str) -> list[Any]:
    """Log the exception being handled with its traceback; the message that stands for it."""
    log_masked_exception(f"Check {name} raised an exception", name)
    return [
        Error(f"Check {name} raised an exception (traceback logged)", id=health.ERROR_CHECK_RAISED)
    ]


async def _await(awaitable: Awaitable[Any]) -> Any:
    return await awaitable


def call_check(name: str, func: CheckFn) -> list[Any]:
    """Call one check; awaits what it returns if that is awaitable. Never raises ``Exception``."""
    try:
        result = func()
        if inspect.isawaitable(result):
            try:
                asyncio.get_running_loop()
            except RuntimeError:
                result = asyncio.run(_await(result))
            else:
                # Called from async code: a running loop cannot be blocked on from
                # inside, so the coroutine gets a loop of its own in a helper thread.
                with ThreadPoolExecutor(1, thread_name_prefix="dockerflow-check") as pool:
                    result = pool.submit(asyncio.run, _await(result)).result()
        return _as_messages(result)
    except Exception:
        return raised(name)


async def call_check_async(name: str, func: CheckFn) -> list[Any]:
    """Await a coroutine check, or run a plain one in a thread. Never raises ``Exception``."""
    if not inspect.iscoroutinefunction(func):
        return await asyncio.to_thread(call_check, name, func)
    try:
        return _as_messages(await func())
    except Exception:
        return raised(name)


def build_results(
    outcomes: Iterable[Outcome], silenced_check_ids: Collection[str] = ()
) -> CheckResults:
    """Summarise ``(name, messages)`` pairs and log each message once (masked).

    Silenced ids are dropped first: they are neither counted nor logged. Messages
    sharing an id (one per database alias) are joined, so none hides the others.
    """
    results = CheckResults(details={}, statuses={}, level=0)
    for name, messages in outcomes:
        kept = [m for m in messages if getattr(m, "id", None) not in silenced_check_ids]
        by_id: dict[Any, str] = {}
        for message in kept:
            text = mask_text(str(message.msg))
            messages_logger.log(message.level, "%s: %s", message.id, text, extra={"check": name})
            by_id[message.id] = f"{by_id[message.id]}; {text}" if message.id in by_id else text
        level = max((m.level for m in kept), default=0)
        results.statuses[name] = level_to_text(level)
        if level > 0:
            results.details[name] = {
                "status": level_to_text(level),
                "level": level,
                "messages": by_id,
            }
        results.level = max(results.level, level)
    return results


def run_checks(
    checks: Iterable[Check], silenced_check_ids: Collection[str] | None = None
) -> CheckResults:
    """Run ``checks`` one after another in this thread and summarise them."""
    outcomes = [(name, call_check(name, func)) for name, func in checks]
    return build_results(outcomes, silenced_check_ids or ())


async def run_checks_async(
    checks: Iterable[Check], silenced_check_ids: Collection[str] | None = None
) -> CheckResults:
    """Run ``checks`` concurrently (coroutines awaited, plain functions in threads)."""
    checks = list(checks)
    found = await asyncio.gather(*(call_check_async(name, func) for name, func in checks))
    outcomes = zip([name for name, _ in checks], found, strict=True)
    return build_results(outcomes, silenced_check_ids or ())


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
