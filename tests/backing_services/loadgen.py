"""A small, bounded HTTP load generator (stdlib only), run as its own process.

``python -m tests.backing_services.loadgen --port 8000 --requests 20000 --concurrency 16
--heartbeats 200 --heartbeat-threads 4`` sends exactly ``--requests`` GETs of
``--path`` over ``--concurrency`` keep-alive connections, and ``--heartbeats``
GETs of ``/__heartbeat__`` from ``--heartbeat-threads`` threads, fired together
at evenly spaced points of the main load (each on a fresh connection, as a load
balancer's probe is). It prints one JSON summary on stdout and stops by itself:
every count is fixed and every socket has a timeout.
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import sys
import threading
import time
from collections import Counter
from collections.abc import Sequence
from typing import Any

# Errors that mean a kept-alive connection was closed by the server before it read
# our request; the request is then resent once on a new connection.
_STALE = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)


class Tally:
    """Statuses and latencies of one kind of request, shared by threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.statuses: Counter[str] = Counter()
        self.latencies: list[float] = []
        self.resent = 0

    def add(self, status: str, latency: float) -> None:
        with self._lock:
            self.statuses[status] += 1
            self.latencies.append(latency)

    def count_resent(self) -> None:
        with self._lock:
            self.resent += 1

    def summary(self, elapsed: float) -> dict[str, Any]:
        ordered = sorted(self.latencies)
        return {
            "count": len(ordered),
            "statuses": dict(self.statuses),
            "resent": self.resent,
            "per_second": len(ordered) / elapsed if elapsed else 0.0,
            "p50_ms": _percentile(ordered, 50) * 1000,
            "p99_ms": _percentile(ordered, 99) * 1000,
            "max_ms": (ordered[-1] if ordered else 0.0) * 1000,
            "slowest_ms": [round(latency * 1000, 1) for latency in ordered[-5:]],
            "mean_ms": (statistics.fmean(ordered) if ordered else 0.0) * 1000,
        }


def _percentile(ordered: Sequence[float], pct: float) -> float:
    if not ordered:
        return 0.0
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))
    return ordered[index]


class KeepAliveClient:
    """One persistent HTTP/1.1 connection."""

    def __init__(self, port: int, timeout: float) -> None:
        self.port = port
        self.timeout = timeout
        self.conn: http.client.HTTPConnection | None = None

    def get(self, path: str, tally: Tally) -> None:
        for attempt in range(2):
            reused = self.conn is not None
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            started = time.perf_counter()
            try:
                self.conn.request("GET", path)
                response = self.conn.getresponse()
                response.read()
            except _STALE:
                self.close()
                if not reused or attempt:
                    raise
                tally.count_resent()
                continue
            tally.add(str(response.status), time.perf_counter() - started)
            if response.will_close:
                self.close()
            return

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def run(
    *,
    port: int,
    path: str,
    requests: int,
    concurrency: int,
    heartbeats: int,
    heartbeat_threads: int,
    timeout: float,
    max_seconds: float,
) -> dict[str, Any]:
    app, heartbeat = Tally(), Tally()
    lock = threading.Lock()
    state = {"next": 0, "done": 0, "workers_left": concurrency}
    failures: list[str] = []
    deadline = time.monotonic() + max_seconds

    def take() -> bool:
        with lock:
            if state["next"] >= requests or time.monotonic() > deadline:
                return False
            state["next"] += 1
            return True

    def app_worker() -> None:
        client = KeepAliveClient(port, timeout)
        try:
            while take():
                try:
                    client.get(path, app)
                except (OSError, http.client.HTTPException) as exc:
                    client.close()
                    app.add(type(exc).__name__, 0.0)
                with lock:
                    state["done"] += 1
        finally:
            client.close()
            with lock:
                state["workers_left"] -= 1

    rounds = heartbeats // heartbeat_threads

    def heartbeat_worker() -> None:
        for k in range(rounds):
            # Round k fires when (k+1)/(rounds+1) of the main load is done, so the
            # probes are spread over the whole run and all threads fire together.
            threshold = (k + 1) * requests // (rounds + 1)
            while state["done"] < threshold and state["workers_left"]:
                time.sleep(0.002)
            client = KeepAliveClient(port, timeout)
            try:
                client.get("/__heartbeat__", heartbeat)
            except (OSError, http.client.HTTPException) as exc:
                heartbeat.add(type(exc).__name__, 0.0)
            finally:
                client.close()

    def guarded(target: Any) -> Any:
        def body() -> None:
            try:
                target()
            except BaseException as exc:  # reported in the summary, never swallowed
                failures.append(f"{type(exc).__name__}: {exc}")

        return body

    threads = [
        threading.Thread(target=guarded(app_worker), name=f"app-{i}") for i in range(concurrency)
    ] + [
        threading.Thread(target=guarded(heartbeat_worker), name=f"heartbeat-{i}")
        for i in range(heartbeat_threads)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return {
        "elapsed": elapsed,
        "app": app.summary(elapsed),
        "heartbeat": heartbeat.summary(elapsed),
        "failures": failures,
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--path", default="/app/")
    parser.add_argument("--requests", type=int, default=20000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--heartbeats", type=int, default=200)
    parser.add_argument("--heartbeat-threads", type=int, default=4)
    parser.add_argument("--timeout", type=float, default=10.0, help="per socket operation")
    parser.add_argument(
        "--max-seconds", type=float, default=120.0, help="stop starting requests after this"
    )
    args = parser.parse_args(argv)
    if args.heartbeats % args.heartbeat_threads:
        parser.error("--heartbeats must be a multiple of --heartbeat-threads")
    summary = run(
        port=args.port,
        path=args.path,
        requests=args.requests,
        concurrency=args.concurrency,
        heartbeats=args.heartbeats,
        heartbeat_threads=args.heartbeat_threads,
        timeout=args.timeout,
        max_seconds=args.max_seconds,
    )
    json.dump(summary, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
