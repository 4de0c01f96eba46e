"""Running checks and summarising what they return; python-dockerflow's check registry
(for code that runs its own checks: the heartbeat runs ``DOCKERFLOW_CHECKS``).

A check is a ``(name, callable)`` pair; the callable returns messages (anything with
``level``, ``msg`` and ``id``) or an awaitable of them. One that raises is an error
(E011), its traceback logged. Message texts and tracebacks are masked.
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
from typing import Any

from dockerflow import health
from dockerflow.masking import mask_text

from .messages import Error, level_to_text

logger = logging.getLogger("dockerflow.checks")
#: Each (non-silenced) message of a run is logged here once, at its level, as "<id>: <msg>"
#: (python-dockerflow's logger, which projects' LOGGING configures).
messages_logger = logging.getLogger(__name__)

CheckFn = Callable[[], Any]
Check = tuple[str, CheckFn]
Outcome = tuple[str, Sequence[Any]]


@dataclass
class CheckResults:
    """What a run of checks found: ``level``, the highest message level (0: none);
    ``statuses``, ``{name: level_to_text(level)}`` of every check; ``details``,
    ``{name: {"status": str, "level": int, "messages": {id: msg}}}`` of those above 0."""

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
    if not all(isinstance(getattr(m, "level", None), int) and hasattr(m, "msg") for m in messages):
        raise TypeError(f"a check must return messages (an int .level, .msg, .id): {result!r}")
    return messages


def log_masked_exception(what: str, check: str) -> None:
    """Log ``what`` and the exception being handled with its traceback, masked (not as
    ``exc_info``: formatters render an exception as it is, secrets and all)."""
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
    """Summarise ``(name, messages)`` pairs and log each message once (masked). Silenced
    ids are neither counted nor logged; messages sharing an id (one per database alias)
    are joined, so none hides the others."""
    results = CheckResults(details={}, statuses={}, level=0)
    for name, messages in outcomes:
        kept = [m for m in messages if getattr(m, "id", None) not in silenced_check_ids]
        by_id: dict[Any, str] = {}
        for message in kept:
            text = mask_text(str(message.msg))
            messages_logger.log(message.level, "%s: %s", message.id, text, extra={"check": name})
            by_id[message.id] = f"{by_id[message.id]}; {text}" if message.id in by_id else text
        level = max((m.level for m in kept), default=0)
        results.statuses[name] = status = level_to_text(level)
        if level > 0:
            detail = {"status": status, "level": level, "messages": by_id}
            results.details[name] = detail
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


def register(func: Callable[..., Any] | None = None, name: str | None = None) -> Any:
    """Register ``func`` as check ``name`` (default: its ``__name__``), replacing one of that
    name; returns ``func``. Also ``@register``, ``@register()``, ``@register(name="db")``."""
    if func is None:
        return functools.partial(register, name=name)
    check_name = func.__name__ if name is None else name
    logger.debug("Register Dockerflow check %s", check_name)
    _registered[check_name] = func
    return func


def register_partial(
    func: Callable[..., Any], *args: Any, name: str | None = None
) -> Callable[..., Any]:
    """Register ``functools.partial(func, *args)`` as a check; returns the partial."""
    partial = functools.update_wrapper(functools.partial(func, *args), func)
    return register(partial, name=func.__name__ if name is None else name)


def get_checks() -> dict[str, Callable[..., Any]]:
    """The registered checks, ``{name: callable}`` (the live registry, not a copy)."""
    return _registered


def clear_checks() -> None:
    """Forget every registered check."""
    _registered.clear()
