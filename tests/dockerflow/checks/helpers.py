"""Test doubles for hung checks, and a way to make sure no check thread outlives a test."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

from dockerflow.checks.concurrent import THREAD_NAME_PREFIX


class Gate:
    """A check that blocks until released: stands in for a hung check, counts its calls."""

    def __init__(self, result: list[Any] | None = None) -> None:
        self.result = result or []
        self.started = threading.Event()
        self._released = threading.Event()
        self._lock = threading.Lock()
        self.calls = 0

    def __call__(self, *args: Any, **kwargs: Any) -> list[Any]:
        with self._lock:
            self.calls += 1
        self.started.set()
        self._released.wait(10)
        return self.result

    def release(self) -> None:
        self._released.set()


class Counter:
    """A check that answers at once with ``result`` and counts its calls."""

    def __init__(self, result: list[Any] | None = None) -> None:
        self.result = result or []
        self._lock = threading.Lock()
        self.calls = 0

    def __call__(self, *args: Any, **kwargs: Any) -> list[Any]:
        with self._lock:
            self.calls += 1
        return self.result


def check_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith(THREAD_NAME_PREFIX)]


def join_check_threads(*owners: Any, timeout: float = 5.0) -> None:
    """Retire the idle check threads (the heartbeat's and ``owners``') and wait for every
    check thread to end.

    Fails the test if one does not (a check still hung, or a thread that leaked).
    """
    from dockerflow.django.heartbeat import check_threads as heartbeat_threads

    for threads in (heartbeat_threads, *owners):
        threads.retire_idle()
    for thread in check_threads():
        thread.join(timeout)
    alive = [t.name for t in check_threads() if t.is_alive()]
    assert not alive, f"check threads still running: {alive}"


@contextlib.contextmanager
def recorded_heartbeat_signals() -> Iterator[list[tuple[str, Any, int]]]:
    """Record ``(signal, sender, level)`` for each heartbeat signal sent inside the block."""
    from dockerflow.django.signals import heartbeat_failed, heartbeat_passed

    sent: list[tuple[str, Any, int]] = []

    def on_passed(sender: Any, level: int, **kwargs: Any) -> None:
        sent.append(("passed", sender, level))

    def on_failed(sender: Any, level: int, **kwargs: Any) -> None:
        sent.append(("failed", sender, level))

    heartbeat_passed.connect(on_passed)
    heartbeat_failed.connect(on_failed)
    try:
        yield sent
    finally:
        heartbeat_passed.disconnect(on_passed)
        heartbeat_failed.disconnect(on_failed)
