"""Draining on SIGTERM: real gunicorn processes (sync and uvicorn workers) serving the example."""

from __future__ import annotations

import contextlib
import signal
import subprocess
import time

import pytest

from tests.lifecycle.example_server import (
    DRAIN_VARIABLE,
    GRACEFUL_SECONDS,
    LAUNCHER,
    answer_from_every_worker,
    drain_records,
    records,
    request_many,
    start_example,
    worker_pids,
)
from tests.servers.process import parse_mozlog, run_quick

pytestmark = [pytest.mark.servers, pytest.mark.slow]

DRAIN_SECONDS = 3.0  # room for the checks below on a busy machine
WORKERS = 3


def wait_for_exit(process: subprocess.Popen[bytes], timeout: float) -> int:
    try:
        return process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
        raise AssertionError(f"still running {timeout}s after SIGTERM") from None


@pytest.mark.parametrize("worker", ["sync", pytest.param("uvicorn", marks=pytest.mark.asgi)])
def test_sigterm_drains_every_worker_then_stops_gracefully(
    example_site, tmp_path, free_port, worker
):
    server = start_example(
        example_site,
        port=free_port,
        logdir=tmp_path,
        name=worker,
        drain_seconds=f"{DRAIN_SECONDS:g}",
        workers=WORKERS,
        worker=worker,
    )
    master = server.process.pid
    pids = worker_pids(server, WORKERS)
    assert len(pids) == WORKERS, str(server)
    # Control: before SIGTERM every worker answers 200, so the check below is one per worker.
    before = answer_from_every_worker(server, "/__lbheartbeat__", pids)
    assert {a.status for a in before} == {200}
    assert {a.pid for a in before} == pids, f"not every worker was reached: {before}"

    server.process.send_signal(signal.SIGTERM)
    sent = time.monotonic()
    deadline = sent + DRAIN_SECONDS / 2
    while not drain_records(server) and time.monotonic() < deadline:
        time.sleep(0.02)
    during = answer_from_every_worker(server, "/__lbheartbeat__", pids)
    pages = request_many(server.port, "/", 6) + request_many(server.port, "/__version__", 3)
    served_while_draining = time.monotonic() - sent

    assert served_while_draining < DRAIN_SECONDS, "the checks must run inside the drain"
    assert {a.status for a in during} == {503}, during
    assert {a.pid for a in during} == pids, "every worker, not one, answers draining"
    assert {a.status for a in pages} == {200}, pages

    code = wait_for_exit(server.process, DRAIN_SECONDS + GRACEFUL_SECONDS + 5)
    stopped_after = time.monotonic() - sent
    assert code == 0, str(server)
    assert DRAIN_SECONDS <= stopped_after < DRAIN_SECONDS + GRACEFUL_SECONDS + 2

    lines = records(server)
    start, end = drain_records(server)
    assert (start["Pid"], start["Severity"], start["Fields"]["event"]) == (master, 6, "start")
    assert start["Fields"]["drain_seconds"] == DRAIN_SECONDS
    assert (end["Pid"], end["Fields"]["event"]) == (master, "end")
    assert end["Fields"]["t"] >= DRAIN_SECONDS * 1000
    # gunicorn's own shutdown began only once the drain was over.
    (handling,) = [r for r in lines if r["Fields"].get("msg") == "Handling signal: term"]
    assert handling["Pid"] == master
    assert lines.index(end) < lines.index(handling)
    assert handling["Timestamp"] - start["Timestamp"] >= DRAIN_SECONDS * 1e9
    # The draining 503s are expected: Django's line for them is INFO, never ERROR.
    django_503 = [r for r in lines if r["Type"] == "django.request"]
    assert django_503, str(server)
    assert {(r["Severity"], r["Fields"]["status_code"]) for r in django_503} == {(6, 503)}


@pytest.mark.parametrize("value", [None, "0"])
def test_no_drain_stops_at_once_as_before(example_site, tmp_path, free_port, value):
    server = start_example(
        example_site, port=free_port, logdir=tmp_path, name="nodrain", drain_seconds=value
    )
    server.process.send_signal(signal.SIGTERM)
    sent = time.monotonic()
    statuses = []
    while server.process.poll() is None and time.monotonic() < sent + GRACEFUL_SECONDS + 5:
        # OSError: the listener is closed, as gunicorn does at once without a drain.
        with contextlib.suppress(OSError):
            statuses += [a.status for a in request_many(server.port, "/__lbheartbeat__", 2, 2)]
    code = wait_for_exit(server.process, 5)
    assert code == 0, str(server)
    assert time.monotonic() - sent < GRACEFUL_SECONDS
    assert 503 not in statuses
    assert drain_records(server) == []


def test_a_bad_drain_value_stops_the_launcher(example_site):
    result = run_quick(
        [*LAUNCHER, "example.wsgi"], {**example_site.env, DRAIN_VARIABLE: "soon"}, timeout=30
    )
    assert result.returncode == 2, result
    (line,) = result.stderr.splitlines()
    record = parse_mozlog(line)
    assert record["Severity"] == 2
    assert record["Fields"]["msg"].startswith(f"{DRAIN_VARIABLE}='soon' is not valid: expected ")
    assert result.stdout == ""
