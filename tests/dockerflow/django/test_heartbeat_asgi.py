"""``/__heartbeat__`` on the async path, against a real uvicorn and a check that hangs.

``tests.servers.asgi_app`` has only async-capable middleware, so DockerflowMiddleware
runs its async path on the event loop. Hundreds of probes at once share one run and are
all answered at the timeout. Probes wait on the event loop, not in a thread: when their
clients give up (a Kubernetes probe's ``timeoutSeconds`` is often shorter than the
heartbeat timeout) the threads of their requests end at once. Before, each abandoned
probe kept a thread blocked until the run ended.

Django's ASGI handler itself keeps one (idle) thread per request in flight, for its
thread-sensitive code (``request_started``'s receivers): probes still connected hold
those, whatever the view does.
"""

from __future__ import annotations

import asyncio
import os
import socket
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import django
import pytest

from dockerflow_settings.uvicorn import LOG_CONFIG_FILE
from tests.servers.conftest import example_env
from tests.servers.process import EXAMPLE_DIR, ServerProcess, http_get, pick_free_port
from tests.servers.test_asgi_config import require_asgi_servers

pytestmark = [pytest.mark.servers, pytest.mark.asgi, pytest.mark.slow]

PROBES = 300
TIMEOUT = 3.0
#: How late past the timeout a probe may be answered on a busy 2-core machine.
MARGIN = 2.0
#: Threads the run may add (its check thread, the thread that waits for it) and a few
#: requests' threads not yet ended.
EXTRA_THREADS = 10
REQUEST = b"GET /__heartbeat__ HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"


def uvicorn(tmp_path: Path, app: str) -> Iterator[ServerProcess]:
    """uvicorn serving ``app`` with the example's hanging check, ready."""
    require_asgi_servers()
    port = pick_free_port()
    env = example_env(
        tmp_path,
        {"EXAMPLE_HANGING_CHECK": "1", "DJANGO_DOCKERFLOW_HEARTBEAT_TIMEOUT": str(TIMEOUT)},
    )
    (tmp_path / "staticfiles").mkdir(exist_ok=True)
    command = [
        str(Path(sys.executable).with_name("uvicorn")),
        "--port", str(port), "--no-access-log", "--lifespan", "off",
        "--log-config", str(LOG_CONFIG_FILE), "--backlog", str(2 * PROBES), app,
    ]  # fmt: skip
    process = ServerProcess(command, port=port, env=env, cwd=EXAMPLE_DIR, logdir=tmp_path)
    try:
        process.wait_ready()
        yield process
    finally:
        process.stop()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    """The async-chain app (no sync-only middleware) on Django's own ASGI handler."""
    yield from uvicorn(tmp_path, "tests.servers.asgi_app:application")


def thread_count(server: ServerProcess) -> int:
    return len(os.listdir(f"/proc/{server.process.pid}/task"))


async def probe(port: int) -> tuple[int, float]:
    """``GET /__heartbeat__`` on a connection of its own: (status, seconds to answer)."""
    started = time.monotonic()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(REQUEST)
    await writer.drain()
    answer = await reader.read()
    elapsed = time.monotonic() - started
    writer.close()
    await writer.wait_closed()
    return int(answer.split(b" ", 2)[1]), elapsed


async def probe_all(port: int) -> list[tuple[int, float]]:
    return await asyncio.gather(*(probe(port) for _ in range(PROBES)))


def test_concurrent_probes_share_one_run_and_are_answered_at_the_timeout(server):
    answers = asyncio.run(probe_all(server.port))
    assert [status for status, _ in answers] == [500] * PROBES, server
    slowest = max(elapsed for _, elapsed in answers)
    assert slowest <= TIMEOUT + MARGIN, f"a probe took {slowest:.2f} s"
    time.sleep(0.2)
    timed_out = [
        r for r in server.records() if "did not answer within" in r["Fields"].get("msg", "")
    ]
    assert len(timed_out) == 1, timed_out  # one run (its messages are logged once)


@pytest.mark.skipif(
    django.VERSION < (5, 0),
    reason="Django 4.2's ASGI handler never cancels a request whose client is gone (5.0 does); "
    "probes_first holds no thread there either (the test below)",
)
def test_probes_whose_clients_give_up_hold_no_thread(server):
    before = thread_count(server)
    clients = []
    try:
        for _ in range(PROBES):
            client = socket.create_connection(("127.0.0.1", server.port))
            client.sendall(REQUEST)
            clients.append(client)
        time.sleep(0.5)  # every probe is now waiting for the run in progress
    finally:
        for client in clients:
            client.close()
    deadline = time.monotonic() + 1.0  # well before the run ends (TIMEOUT)
    while thread_count(server) > before + EXTRA_THREADS and time.monotonic() < deadline:
        time.sleep(0.05)
    assert thread_count(server) <= before + EXTRA_THREADS, (thread_count(server), before)
    started = time.monotonic()
    assert http_get(server.port, "/__lbheartbeat__").status == 200
    assert time.monotonic() - started < 0.5


@pytest.fixture
def example_server(tmp_path: Path) -> Iterator[ServerProcess]:
    """The example (its chain has sync-only WhiteNoise) through ``dockerflow_settings.asgi``,
    which answers the probes first."""
    yield from uvicorn(tmp_path, "example.asgi:application")


def test_waiting_probes_hold_no_thread_when_answered_before_djangos_handler(example_server):
    before = thread_count(example_server)
    peak = before

    async def watch_threads(done: asyncio.Event) -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, thread_count(example_server))
            await asyncio.sleep(0.05)

    async def probe_and_watch() -> list[tuple[int, float]]:
        done = asyncio.Event()
        watcher = asyncio.create_task(watch_threads(done))
        try:
            return await probe_all(example_server.port)
        finally:
            done.set()
            await watcher

    answers = asyncio.run(probe_and_watch())
    assert [status for status, _ in answers] == [500] * PROBES, example_server
    assert max(elapsed for _, elapsed in answers) <= TIMEOUT + MARGIN
    # 300 probes waited for one run the whole timeout: the run's threads, not one each.
    assert peak <= before + EXTRA_THREADS, (peak, before)
    summaries = [
        r
        for r in example_server.records()
        if r["Type"] == "request.summary" and r["Fields"]["path"] == "/__heartbeat__"
    ]
    assert len(summaries) == PROBES  # the same request.summary lines (a failing probe)
