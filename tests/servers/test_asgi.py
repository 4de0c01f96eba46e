"""The example project served over ASGI by real uvicorn processes.

Two setups, as docs/deployment.rst documents them, and a third:

``uvicorn``
    the plain ``uvicorn`` command with dockerflow_settings' log config, serving
    ``dockerflow_settings.asgi:application`` (settings from the environment);
``gunicorn-uvicorn``
    the gunicorn launcher with ``DJANGO_SERVER_WORKER_CLASS=uvicorn`` serving
    ``example.asgi:application``;
``uvicorn-async-chain``
    the same ``uvicorn`` command serving ``tests.servers.asgi_app``, the example's views
    behind async-capable middleware only. In the first two WhiteNoise's sync-only
    middleware makes Django run the whole chain, DockerflowMiddleware included, in a
    thread; here DockerflowMiddleware runs its async path on the event loop.
"""

from __future__ import annotations

import contextlib
import signal
import socket
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import django
import pytest

from dockerflow.logging.request_id import is_valid_request_id
from dockerflow_settings.uvicorn import LOG_CONFIG_FILE
from tests.servers.conftest import ExampleSite
from tests.servers.process import (
    EXAMPLE_DIR,
    ServerProcess,
    http_get,
    pick_free_port,
    port_is_free,
)
from tests.servers.test_asgi_config import require_asgi_servers

pytestmark = [pytest.mark.servers, pytest.mark.asgi]

HTTPS = {"Host": "localhost", "X-Forwarded-Proto": "https"}
ASYNC_LINE = "greeting sent from an async view"
SYNC_LINE = "greeting page rendered"
HEARTBEAT_TIMEOUT = 2.0
SETUPS = ["uvicorn", "gunicorn-uvicorn", "uvicorn-async-chain"]
APPLICATIONS = {
    "uvicorn": "dockerflow_settings.asgi:application",
    "uvicorn-async-chain": "tests.servers.asgi_app:application",
}


@pytest.fixture(scope="module", autouse=True)
def _asgi_servers_installed() -> None:
    require_asgi_servers()


def command(setup: str, port: int) -> list[str]:
    """The documented command line of ``setup`` (see docs/deployment.rst, ASGI)."""
    if setup in APPLICATIONS:
        return [
            str(Path(sys.executable).with_name("uvicorn")),
            "--host", "0.0.0.0", "--port", str(port),
            "--no-access-log", "--lifespan", "off", "--log-config", str(LOG_CONFIG_FILE),
            APPLICATIONS[setup],
        ]  # fmt: skip
    return [sys.executable, "-m", "dockerflow_settings.gunicorn", "example.asgi:application"]


@contextlib.contextmanager
def running(
    setup: str, site: ExampleSite, logdir: Path, extra: dict[str, str] | None = None
) -> Iterator[ServerProcess]:
    """``setup`` serving the example (one worker unless ``extra`` says otherwise), ready;
    stopped (if still running) after."""
    port = pick_free_port()
    env = {
        **site.env,
        "PORT": str(port),
        "WEB_CONCURRENCY": "1",
        "DJANGO_SERVER_WORKER_CLASS": "uvicorn",
        **(extra or {}),
    }
    server = ServerProcess(
        command(setup, port), port=port, env=env, cwd=EXAMPLE_DIR, logdir=logdir, name=setup
    )
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module", params=SETUPS)
def server(
    request: pytest.FixtureRequest,
    example_site: ExampleSite,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[ServerProcess]:
    # gunicorn with two workers: WEB_CONCURRENCY is read as under WSGI.
    extra = {"WEB_CONCURRENCY": "2"} if request.param == "gunicorn-uvicorn" else {}
    logdir = tmp_path_factory.mktemp(request.param)
    with running(request.param, example_site, logdir, extra) as process:
        yield process


def rid() -> str:
    return f"test-{uuid.uuid4().hex}"


def records_with_rid(server: ServerProcess, request_id: str, count: int) -> list[dict[str, Any]]:
    """The records carrying ``request_id`` once ``count`` of them are written (or 5 s)."""
    deadline = time.monotonic() + 5
    while True:
        found = [r for r in server.records() if r["Fields"].get("rid") == request_id]
        if len(found) >= count or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def test_endpoints_and_views(server: ServerProcess, example_site: ExampleSite) -> None:
    assert server.get("/__lbheartbeat__", {"Host": "10.1.2.3"}).json() == {"status": "ok"}
    heartbeat = server.get("/__heartbeat__")
    assert heartbeat.status == 200, heartbeat.body
    assert heartbeat.json()["status"] == "ok"
    assert server.get("/__version__").json() == example_site.version
    page = server.get("/", HTTPS)
    assert page.status == 200
    assert b"Hello from a Dockerflow service" in page.body
    greeting = server.get("/greeting", HTTPS)
    assert greeting.json() == {"greeting": "Hello from a Dockerflow service"}
    for wait in ("2", "-1", "nan", "soon"):
        refused = server.get(f"/greeting?wait={wait}", HTTPS)
        assert refused.status == 400
        assert refused.json() == {"error": f"wait={wait!r}: expected seconds from 0 to 1"}
    # Prod settings apply: plain HTTP is redirected, unknown hosts refused.
    assert server.get("/greeting", {"Host": "localhost"}).status == 301
    assert server.get("/greeting", {**HTTPS, "Host": "evil.example"}).status == 400


@pytest.mark.parametrize(
    ("path", "line"),
    [("/greeting", ASYNC_LINE), ("/", SYNC_LINE), ("/__heartbeat__", None)],
    ids=["async-view", "sync-view", "heartbeat"],
)
def test_one_summary_per_request_with_its_rid(
    server: ServerProcess, path: str, line: str | None
) -> None:
    request_id = rid()
    assert server.get(path, {**HTTPS, "X-Request-ID": request_id}).status == 200
    expected = 1 if line is None else 2
    found = records_with_rid(server, request_id, expected)
    time.sleep(0.2)  # a second summary would have been written by now
    found = records_with_rid(server, request_id, expected)
    assert Counter(r["Type"] for r in found) == Counter(
        ["request.summary"] + ([] if line is None else ["greetings"])
    ), found
    summary = next(r for r in found if r["Type"] == "request.summary")
    assert (summary["Fields"]["path"], summary["Fields"]["code"]) == (path, 200)
    if line is not None:
        assert next(r for r in found if r["Type"] == "greetings")["Fields"]["msg"] == line


def test_a_client_that_goes_away_still_gets_one_summary(server: ServerProcess) -> None:
    # Django >= 5.0 cancels an ASGI request whose client disconnects; under WSGI the
    # view would finish and be logged. Either way the request happened: one summary.
    request_id = rid()
    with socket.create_connection(("127.0.0.1", server.port)) as client:
        client.sendall(
            b"GET /greeting?wait=1 HTTP/1.1\r\nHost: localhost\r\n"
            b"X-Forwarded-Proto: https\r\nX-Request-ID: " + request_id.encode() + b"\r\n\r\n"
        )
        time.sleep(0.3)
    time.sleep(1.2)  # past the view's wait: a completed view would have logged by now
    (summary,) = [
        r for r in records_with_rid(server, request_id, 1) if r["Type"] == "request.summary"
    ]
    assert summary["Fields"]["path"] == "/greeting"
    assert summary["Fields"]["code"] == (None if django.VERSION >= (5, 0) else 200)


def test_concurrent_requests_keep_their_own_ids(server: ServerProcess) -> None:
    # 50 async requests awaiting 0.2 s each and 50 sync ones, all at once: one event
    # loop interleaves them, and every line must carry its own request's id.
    made = {rid(): ("/greeting?wait=0.2" if i % 2 else "/") for i in range(100)}

    def get(item: tuple[str, str]) -> int:
        request_id, path = item
        return http_get(server.port, path, {**HTTPS, "X-Request-ID": request_id}).status

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=100) as pool:
        statuses = list(pool.map(get, made.items()))
    elapsed = time.monotonic() - started
    assert statuses == [200] * 100
    assert elapsed < 5, f"50 x 0.2 s of waiting took {elapsed:.1f} s: not concurrent"

    for request_id in made:
        records_with_rid(server, request_id, 2)
    # A probe and a request without an id after the burst get ids of their own.
    follow_up = {path: server.get(path, HTTPS) for path in ("/__lbheartbeat__", "/greeting")}
    assert all(answer.status == 200 for answer in follow_up.values())
    time.sleep(0.3)

    records = server.records()
    ours = [r for r in records if r["Fields"].get("rid") in made]
    by_rid: dict[str, list[dict[str, Any]]] = {request_id: [] for request_id in made}
    for record in ours:
        by_rid[record["Fields"]["rid"]].append(record)
    for request_id, path in made.items():
        found = by_rid[request_id]
        line = ASYNC_LINE if "greeting" in path else SYNC_LINE
        assert [(r["Type"], r["Fields"].get("msg")) for r in found] == [
            ("greetings", line),
            ("request.summary", None),
        ], (request_id, found)
        assert found[1]["Fields"]["path"] == path.partition("?")[0]
    # The requests were interleaved on one event loop: between some request's own line
    # and its summary, the same process wrote lines of other requests.
    positions: dict[int, int] = {}
    for pid in {r["Pid"] for r in ours}:
        positions.update(
            (id(record), i) for i, record in enumerate(r for r in ours if r["Pid"] == pid)
        )
    assert any(positions[id(found[1])] - positions[id(found[0])] > 1 for found in by_rid.values())
    last = {r["Fields"]["path"]: r for r in records if r["Type"] == "request.summary"}
    for path in ("/__lbheartbeat__", "/greeting"):
        probe_rid = last[path]["Fields"]["rid"]
        assert probe_rid not in made
        assert is_valid_request_id(probe_rid)


def test_every_line_is_mozlog_and_sigterm_stops_cleanly(server: ServerProcess) -> None:
    # Last in this module: it stops the module's server.
    setup = server.stdout_path.stem
    assert server.get("/greeting", {**HTTPS, "X-Request-ID": rid()}).status == 200
    started = time.monotonic()
    code = server.stop(timeout=10)
    assert time.monotonic() - started < 5
    # uvicorn (>= 0.29) re-raises the SIGTERM it handled once it has shut down, so a
    # plain uvicorn ends "killed by SIGTERM" (143 in a shell); gunicorn's master exits 0.
    assert code == (-signal.SIGTERM if setup in APPLICATIONS else 0), server
    assert port_is_free(server.port)

    records = server.records()  # every line of stdout and stderr is mozlog
    assert server.stderr() == ""
    assert not any("Traceback" in line for line in server.output_lines())
    types = Counter(r["Type"] for r in records)
    assert types["uvicorn.access"] == 0
    assert types["uvicorn.error"] > 0
    assert not any("color_message" in r["Fields"] for r in records)
    messages = [r["Fields"].get("msg", "") for r in records]
    assert any(m.startswith("Finished server process") for m in messages)
    assert not any("lifespan" in m for m in messages)
    if setup == "gunicorn-uvicorn":
        assert {r["Logger"] for r in records if r["Type"].startswith("uvicorn.")} == {"gunicorn"}
        assert "Using worker: dockerflow_settings.uvicorn.UvicornWorker" in messages
        assert sum(m.startswith("Booting worker with pid") for m in messages) == 2
        assert f"Listening at: http://0.0.0.0:{server.port} ({server.process.pid})" in messages
        assert messages[-1] == "Shutting down: Master"
    else:
        assert {r["Logger"] for r in records if r["Type"].startswith("uvicorn.")} == {"uvicorn"}
        assert any(f"Uvicorn running on http://0.0.0.0:{server.port}" in m for m in messages)


# --- a heartbeat stuck on a check that hangs --------------------------------------------


@pytest.mark.parametrize("setup", SETUPS)
def test_a_stuck_heartbeat_blocks_neither_the_loop_nor_itself(
    setup: str, example_site: ExampleSite, tmp_path: Path
) -> None:
    extra = {
        "EXAMPLE_HANGING_CHECK": "1",
        "DJANGO_DOCKERFLOW_HEARTBEAT_TIMEOUT": str(HEARTBEAT_TIMEOUT),
    }
    with running(setup, example_site, tmp_path, extra) as hanging_server:
        check_a_stuck_heartbeat(hanging_server)


def check_a_stuck_heartbeat(hanging_server: ServerProcess) -> None:
    heartbeat: dict[str, Any] = {}
    request_id = rid()

    def probe() -> None:
        started = time.monotonic()
        heartbeat["response"] = hanging_server.get("/__heartbeat__", {"X-Request-ID": request_id})
        heartbeat["elapsed"] = time.monotonic() - started

    thread = threading.Thread(target=probe)
    thread.start()
    time.sleep(0.3)  # the heartbeat is now waiting on the hanging check
    lbheartbeats = []
    for _ in range(10):
        assert "elapsed" not in heartbeat
        started = time.monotonic()
        answer = hanging_server.get("/__lbheartbeat__")
        lbheartbeats.append(time.monotonic() - started)
        assert answer.status == 200
        time.sleep(0.05)
    assert max(lbheartbeats) < 0.1, lbheartbeats
    # The async view shares the event loop: it is not held up either.
    started = time.monotonic()
    assert hanging_server.get("/greeting", HTTPS).status == 200
    assert time.monotonic() - started < 0.1
    thread.join(timeout=HEARTBEAT_TIMEOUT + 5)

    assert HEARTBEAT_TIMEOUT - 0.1 <= heartbeat["elapsed"] <= HEARTBEAT_TIMEOUT + 0.5
    answer = heartbeat["response"]
    assert answer.status == 500
    assert answer.json() == {"status": "error"}  # Prod: details are in the log only
    (timed_out,) = [
        r for r in records_with_rid(hanging_server, request_id, 3) if "check" in r["Fields"]
    ]
    assert timed_out["Fields"]["check"] == "check_hangs"
    assert "did not answer within 2 seconds" in timed_out["Fields"]["msg"]
