"""Zero-downtime upgrade through the launcher: USR2, a new master serves, the old one leaves.

gunicorn's USR2 forks its master and re-runs the master's command line with the listening
sockets inherited; once the new master's workers serve, ``TERM`` to the old master stops
it and its workers gracefully. Under ``python -m gunicorn`` that command line ran
``gunicorn/__main__.py`` as a script, whose directory (holding ``gunicorn/http``) then hid
the standard library's ``http`` from the new master: its workers died on Django's
``http.cookies`` import, with a plain-text line on stderr.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from pathlib import Path

import pytest

from tests.lifecycle.example_server import (
    GRACEFUL_SECONDS,
    answer_from_every_worker,
    records,
    request_many,
    start_example,
    with_pids,
    worker_pids,
)
from tests.lifecycle.traffic import Traffic
from tests.servers.conftest import ExampleSite
from tests.servers.process import ServerProcess

pytestmark = [pytest.mark.servers, pytest.mark.slow]

WORKERS = 2


def new_master(server: ServerProcess, old: int, timeout: float = 30.0) -> int:
    """The pid of the master that started listening after ``old``, from its log line."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for record in records(server):
            listening = str(record["Fields"].get("msg", "")).startswith("Listening at: ")
            if listening and record["Pid"] != old:
                return record["Pid"]
        time.sleep(0.05)
    raise AssertionError(f"no new master listening {timeout}s after USR2\n{server}")


def logged(server: ServerProcess, pid: int, message: str, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(r["Pid"] == pid and r["Fields"].get("msg") == message for r in records(server)):
            return True
        time.sleep(0.05)
    return False


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rpartition(")")[2].split()[0] != "Z"
    except FileNotFoundError:
        return False


def stop(pid: int, timeout: float = 15.0) -> None:
    """SIGTERM to a master this test did not start directly (its parent was the old one)."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    if alive(pid):
        os.kill(pid, signal.SIGKILL)
        raise AssertionError(f"master {pid} ignored SIGTERM for {timeout}s")


def test_usr2_through_the_launcher_upgrades_without_a_failed_request(
    example_site: ExampleSite, tmp_path: Path, free_port: int
) -> None:
    server = start_example(
        example_site,
        port=free_port,
        logdir=tmp_path,
        name="reexec",
        drain_seconds=None,
        workers=WORKERS,
    )
    old = server.process.pid
    old_workers = worker_pids(server, WORKERS)
    traffic = Traffic(free_port, "/__lbheartbeat__", threads=2).start()
    new = None
    try:
        assert traffic.wait_for(50, timeout=20)
        server.process.send_signal(signal.SIGUSR2)
        new = new_master(server, old)
        new_workers = worker_pids(server, 2 * WORKERS) - old_workers
        assert len(new_workers) == WORKERS, str(server)
        # Both generations share the listening socket: the new workers answer too.
        answers = answer_from_every_worker(server, "/__lbheartbeat__", new_workers)
        assert new_workers <= {a.pid for a in answers}, f"new workers never answered\n{server}"
        assert {a.status for a in answers} == {200}

        server.process.send_signal(signal.SIGTERM)  # the old master's graceful stop
        assert server.process.wait(timeout=GRACEFUL_SECONDS + 10) == 0
        served = traffic.tally.total
        assert traffic.wait_for(served + 50, timeout=20)
        promoted = logged(server, new, "Master has been promoted.")  # its parent is gone
        assert promoted, str(server)
        after = with_pids(server, request_many(free_port, "/__lbheartbeat__", 12))
        assert {a.status for a in after} == {200}
        assert {a.pid for a in after} <= new_workers
    finally:
        tally = traffic.stop()
        if new is not None:
            stop(new)
        server.stop()

    assert tally.total > 100
    assert tally.failed == 0, tally.failures
    lines = server.records()  # every line of both masters and all workers is mozlog
    by_pid = {(r["Pid"], r["Fields"].get("msg")) for r in lines}
    assert (old, "Handling signal: usr2") in by_pid
    assert (old, "Shutting down: Master") in by_pid
    assert (new, "Shutting down: Master") in by_pid
    assert not [r for r in lines if r["Severity"] <= 3], "errors were logged"
