"""A steady, bounded stream of GETs to one loopback port, from a few threads.

Each thread keeps one HTTP/1.1 connection and sends one request after another until
:meth:`Traffic.stop`, ``max_requests`` or ``max_seconds``, whichever comes first.
Nothing is resent: a request that gets anything but a 200, or an error instead of an
answer, is a failure, counted by kind and kept with its time for the report.
"""

from __future__ import annotations

import http.client
import threading
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass
class Tally:
    """What the stream got so far (shared by its threads under ``lock``)."""

    outcomes: Counter[str] = field(default_factory=Counter)
    #: (seconds since the start, outcome) of every failed request.
    failures: list[tuple[float, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def total(self) -> int:
        return sum(self.outcomes.values())

    @property
    def failed(self) -> int:
        return self.total - self.outcomes["200"]


class Traffic:
    """GET ``path`` on ``127.0.0.1:port`` from ``threads`` threads; see the module docstring."""

    def __init__(
        self,
        port: int,
        path: str = "/",
        *,
        headers: Mapping[str, str] | None = None,
        threads: int = 4,
        max_requests: int = 20_000,
        max_seconds: float = 60.0,
        timeout: float = 10.0,
    ) -> None:
        self.port = port
        self.path = path
        self.headers = dict(headers or {})
        self.max_requests = max_requests
        self.max_seconds = max_seconds
        self.timeout = timeout
        self.tally = Tally()
        self._stopping = threading.Event()
        self._started = 0.0
        self._sent = 0
        self._threads = [
            threading.Thread(target=self._client, name=f"traffic-{i}", daemon=True)
            for i in range(threads)
        ]

    def start(self) -> Traffic:
        self._started = time.monotonic()
        for thread in self._threads:
            thread.start()
        return self

    def elapsed(self) -> float:
        return time.monotonic() - self._started

    def wait_for(self, count: int, timeout: float) -> bool:
        """Wait until ``count`` requests were answered (or failed); False on timeout."""
        deadline = time.monotonic() + timeout
        while self.tally.total < count:
            if time.monotonic() > deadline or not self.running():
                return False
            time.sleep(0.02)
        return True

    def running(self) -> bool:
        return any(thread.is_alive() for thread in self._threads)

    def stop(self) -> Tally:
        self._stopping.set()
        for thread in self._threads:
            thread.join(timeout=self.timeout + 5)
        return self.tally

    def _take(self) -> bool:
        with self.tally.lock:
            if self._stopping.is_set() or self._sent >= self.max_requests:
                return False
            if self.elapsed() > self.max_seconds:
                return False
            self._sent += 1
            return True

    def _record(self, outcome: str) -> None:
        with self.tally.lock:
            self.tally.outcomes[outcome] += 1
            if outcome != "200":
                self.tally.failures.append((round(self.elapsed(), 3), outcome))

    def _client(self) -> None:
        connection: http.client.HTTPConnection | None = None
        try:
            while self._take():
                if connection is None:
                    connection = http.client.HTTPConnection(
                        "127.0.0.1", self.port, timeout=self.timeout
                    )
                try:
                    connection.request("GET", self.path, headers=self.headers)
                    response = connection.getresponse()
                    response.read()
                except (OSError, http.client.HTTPException) as exc:
                    self._record(type(exc).__name__)
                    connection.close()
                    connection = None
                    continue
                self._record(str(response.status))
                if response.will_close:
                    connection.close()
                    connection = None
        finally:
            if connection is not None:
                connection.close()
