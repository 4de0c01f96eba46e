"""Running checks and summarising what they return.

A check is a ``(name, callable)`` pair; the callable takes no arguments and
returns an iterable of messages (ours or Django's: anything with ``level``,
``msg`` and ``id``), or an awaitable of one. A check that raises becomes an
``ERROR_CHECK_RAISED`` error whose traceback is logged, never returned.

Every message text and logged traceback goes through :func:`dockerflow.masking.mask_text`
first: a check quoting a URL or a driver error echoing a DSN shows no credentials.
"""

from __future__ import annotations

import asyncio
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
#: Every (non-silenced) message of a run is logged here once, at its own level, as
#: "<id>: <msg>". The name is python-dockerflow's (its registry module logged them),
#: which projects' LOGGING already configures.
messages_logger = logging.getLogger("dockerflow.checks.registry")

CheckFn = Callable[[], Any]
Check = tuple[str, CheckFn]
Outcome = tuple[str, Sequence[Any]]


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
        """A copy that can be changed without touching this one (results are shared and cached)."""
        return CheckResults(
            details={
                name: {**detail, "messages": dict(detail["messages"])}
                for name, detail in self.details.items()
            },
            statuses=dict(self.statuses),
            level=self.level,
        )


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


def _wait_for(awaitable: Awaitable[Any]) -> Any:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(_await(awaitable))
    # Called from async code: the running loop cannot be blocked on from inside,
    # so the coroutine gets a loop of its own in a helper thread.
    with ThreadPoolExecutor(1, thread_name_prefix="dockerflow-check") as pool:
        return pool.submit(asyncio.run, _await(awaitable)).result()


def call_check(name: str, func: CheckFn) -> list[Any]:
    """Call one check; awaits what it returns if that is awaitable. Never raises ``Exception``."""
    try:
        result = func()
        if inspect.isawaitable(result):
            result = _wait_for(result)
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


def _by_id(texts: list[tuple[Any, str]]) -> dict[Any, str]:
    # Messages sharing an id (e.g. one per database alias) are joined rather than
    # letting the last one hide the others.
    by_id: dict[Any, str] = {}
    for ident, text in texts:
        by_id[ident] = f"{by_id[ident]}; {text}" if ident in by_id else text
    return by_id


def build_results(
    outcomes: Iterable[Outcome], silenced_check_ids: Collection[str] = ()
) -> CheckResults:
    """Summarise ``(name, messages)`` pairs and log each message once (masked).

    Silenced ids are dropped first: they are neither counted nor logged.
    """
    details: dict[str, dict[str, Any]] = {}
    statuses: dict[str, str] = {}
    max_level = 0
    for name, messages in outcomes:
        kept = [m for m in messages if getattr(m, "id", None) not in silenced_check_ids]
        texts = [(m.id, mask_text(str(m.msg))) for m in kept]
        for message, (ident, text) in zip(kept, texts, strict=True):
            messages_logger.log(message.level, "%s: %s", ident, text, extra={"check": name})
        level = max((m.level for m in kept), default=0)
        statuses[name] = level_to_text(level)
        if level > 0:
            details[name] = {
                "status": statuses[name],
                "level": level,
                "messages": _by_id(texts),
            }
        max_level = max(max_level, level)
    return CheckResults(details=details, statuses=statuses, level=max_level)


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
    return build_results(
        zip([name for name, _ in checks], found, strict=True), silenced_check_ids or ()
    )
