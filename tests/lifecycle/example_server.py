"""The example project under gunicorn through the launcher, and what its log says happened."""

from __future__ import annotations

import itertools
import sys
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.servers.conftest import ExampleSite
from tests.servers.process import ServerProcess, http_get, parse_mozlog

LAUNCHER = [sys.executable, "-m", "dockerflow_settings.gunicorn"]
DRAIN_VARIABLE = "DJANGO_DOCKERFLOW_DRAIN_SECONDS"
#: As behind a load balancer that ends TLS: the example redirects plain HTTP otherwise.
HTTPS = {"X-Forwarded-Proto": "https"}
#: gunicorn's --graceful-timeout in these tests.
GRACEFUL_SECONDS = 3
#: The application gunicorn serves for each DJANGO_SERVER_WORKER_CLASS.
APPLICATIONS = {"sync": "example.wsgi", "uvicorn": "example.asgi:application"}

_request_numbers = itertools.count()


#: Every server start_example() started, for conftest's teardown to stop the ones a failed
#: test left running (their workers would otherwise outlive the test run).
STARTED: list[ServerProcess] = []


def start_example(
    site: ExampleSite,
    *,
    port: int,
    logdir: Path,
    name: str,
    drain_seconds: str | None,
    workers: int = 2,
    worker: str = "sync",
) -> ServerProcess:
    """``python -m dockerflow_settings.gunicorn`` on ``127.0.0.1:port``, ready to serve."""
    command = [
        *LAUNCHER,
        "--bind",
        f"127.0.0.1:{port}",
        "--graceful-timeout",
        str(GRACEFUL_SECONDS),
        APPLICATIONS[worker],
    ]
    env = {**site.env, "WEB_CONCURRENCY": str(workers), "DJANGO_SERVER_WORKER_CLASS": worker}
    if drain_seconds is not None:
        env[DRAIN_VARIABLE] = drain_seconds
    server = ServerProcess(command, port=port, env=env, logdir=logdir, name=name)
    STARTED.append(server)
    try:
        server.wait_ready()
    except BaseException:
        server.stop()
        raise
    return server


def records(server: ServerProcess) -> list[dict[str, Any]]:
    """The server's JSON lines as mozlog records (each one checked)."""
    lines = server.output_lines(whole_only=True)  # masters outlive the one started
    return [parse_mozlog(line) for line in lines if line.startswith("{")]


def worker_pids(server: ServerProcess, count: int, timeout: float = 20.0) -> set[int]:
    """Pids of the ``count`` workers gunicorn booted, from its "Booting worker" lines."""
    prefix = "Booting worker with pid: "
    deadline = time.monotonic() + timeout
    while True:
        pids = {
            int(record["Fields"]["msg"].removeprefix(prefix))
            for record in records(server)
            if str(record["Fields"].get("msg", "")).startswith(prefix)
        }
        if len(pids) >= count or time.monotonic() > deadline:
            return pids
        time.sleep(0.05)


def drain_records(server: ServerProcess) -> list[dict[str, Any]]:
    return [record for record in records(server) if record["Type"] == "dockerflow.drain"]


@dataclass(frozen=True)
class Answer:
    """One request: what the client got, and which worker process answered it."""

    rid: str
    status: int
    pid: int | None = None


def request_many(port: int, path: str, count: int, concurrency: int = 6) -> list[Answer]:
    """``count`` GETs of ``path``, ``concurrency`` at a time, each with its own request id."""

    def one(_: int) -> Answer:
        rid = f"drain-test-{next(_request_numbers)}"
        return Answer(rid, http_get(port, path, {**HTTPS, "X-Request-ID": rid}, timeout=5).status)

    with ThreadPoolExecutor(concurrency) as pool:
        return list(pool.map(one, range(count)))


def with_pids(server: ServerProcess, answers: Iterable[Answer]) -> list[Answer]:
    """``answers`` with the pid of the worker whose ``request.summary`` carries each id."""
    pid_by_rid = {
        record["Fields"].get("rid"): record["Pid"]
        for record in records(server)
        if record["Type"] == "request.summary"
    }
    return [Answer(a.rid, a.status, pid_by_rid.get(a.rid)) for a in answers]


def answer_from_every_worker(
    server: ServerProcess, path: str, pids: set[int], rounds: int = 20
) -> list[Answer]:
    """Request ``path`` in bursts until every worker in ``pids`` answered (or ``rounds`` ran)."""
    answers: list[Answer] = []
    for _ in range(rounds):
        answers += request_many(server.port, path, 12)
        answers = with_pids(server, answers)
        if pids <= {a.pid for a in answers}:
            break
    return answers
