"""A rolling deploy behind a real HAProxy, with and without a drain period.

Two instances of the example (gunicorn through the launcher, 2 workers each, sync or uvicorn)
behind HAProxy, which checks ``/__lbheartbeat__`` every 200 ms (out after 2 failures).
A steady loopback stream of requests goes through HAProxy while one instance gets
``SIGTERM`` and a replacement starts on the same port once it has exited. With a drain
period no request may fail; without one, the failures are counted and reported (the
test's output, the terminal summary and the JUnit report's properties), not required.
"""

from __future__ import annotations

import signal
import subprocess
import time
from dataclasses import dataclass

import pytest

from tests.lifecycle.conftest import DEPLOY_REPORTS
from tests.lifecycle.example_server import GRACEFUL_SECONDS, records, start_example
from tests.lifecycle.haproxy import HAProxy
from tests.lifecycle.traffic import Tally, Traffic
from tests.servers.process import ServerProcess, pick_free_port, port_is_free

pytestmark = [pytest.mark.load, pytest.mark.servers, pytest.mark.slow]

MIN_REQUESTS = 2_000
DRAIN_SECONDS = 2.0
# Requests before the SIGTERM (both instances in rotation) and after the replacement is
# back in rotation, so that both halves of the deploy are under load.
WARM_UP_REQUESTS = 300
AFTER_REQUESTS = 300


@dataclass
class Deploy:
    """When things happened, in seconds since the traffic started."""

    sigterm: float = 0.0
    marked_down: float = 0.0
    exited: float = 0.0
    exit_code: int | None = None
    replacement_up: float = 0.0


def pages_served(server: ServerProcess) -> int:
    return sum(
        1
        for record in records(server)
        if record["Type"] == "request.summary" and record["Fields"].get("path") == "/"
    )


def roll(proxy: HAProxy, traffic: Traffic, old: ServerProcess, restart) -> tuple[Deploy, object]:
    """SIGTERM ``old``; once it has exited, ``restart()`` it on its port; wait for HAProxy."""
    deploy = Deploy()
    old.process.send_signal(signal.SIGTERM)
    deploy.sigterm = traffic.elapsed()
    proxy.wait_for("blue", "DOWN", timeout=DRAIN_SECONDS + GRACEFUL_SECONDS + 10)
    deploy.marked_down = traffic.elapsed()
    try:
        deploy.exit_code = old.process.wait(timeout=DRAIN_SECONDS + GRACEFUL_SECONDS + 10)
    except subprocess.TimeoutExpired:
        old.process.kill()
        raise AssertionError(f"blue ignored SIGTERM\n{old}") from None
    deploy.exited = traffic.elapsed()
    deadline = time.monotonic() + 10
    while not port_is_free(old.port) and time.monotonic() < deadline:
        time.sleep(0.05)
    replacement = restart()
    proxy.wait_for("blue", "UP", timeout=15)
    deploy.replacement_up = traffic.elapsed()
    return deploy, replacement


def report(worker: str, drain: str | None, tally: Tally, deploy: Deploy) -> str:
    outcomes = ", ".join(f"{k}: {v}" for k, v in sorted(tally.outcomes.items()))
    first_failures = ", ".join(f"{t:.2f}s {what}" for t, what in tally.failures[:5])
    period = f"{drain}s" if drain else "off"
    return (
        f"{worker} workers, drain {period}: {tally.total} requests through HAProxy, "
        f"{tally.failed} failed "
        f"({outcomes}); SIGTERM at {deploy.sigterm:.2f}s, HAProxy marked it DOWN at "
        f"{deploy.marked_down:.2f}s, it exited {deploy.exit_code} at {deploy.exited:.2f}s, "
        f"replacement UP at {deploy.replacement_up:.2f}s"
        + (f"; first failures at {first_failures}" if tally.failures else "")
    )


@pytest.mark.parametrize(
    ("worker", "drain"),
    [
        pytest.param("sync", f"{DRAIN_SECONDS:g}", id="sync-drain"),
        pytest.param("sync", None, id="sync-no-drain"),
        # Keep-alive connections from HAProxy to the servers, unlike sync workers.
        pytest.param("uvicorn", f"{DRAIN_SECONDS:g}", id="uvicorn-drain", marks=pytest.mark.asgi),
    ],
)
def test_rolling_deploy_behind_haproxy(
    haproxy_binary, example_site, tmp_path, worker, drain, record_testsuite_property
):
    ports = {"blue": pick_free_port(), "green": pick_free_port()}

    def start(name: str, label: str) -> ServerProcess:
        return start_example(
            example_site,
            port=ports[name],
            logdir=tmp_path,
            name=label,
            drain_seconds=drain,
            worker=worker,
        )

    servers = {name: start(name, name) for name in ports}
    proxy = HAProxy(
        binary=haproxy_binary,
        port=pick_free_port(),
        stats_port=pick_free_port(),
        servers=ports,
        logdir=tmp_path,
    )
    traffic = Traffic(proxy.port, "/", threads=4, max_requests=20_000, max_seconds=90)
    try:
        for name in ports:
            proxy.wait_for(name, "UP", timeout=15)
        traffic.start()
        assert traffic.wait_for(WARM_UP_REQUESTS, timeout=30), traffic.tally
        deploy, servers["blue-2"] = roll(
            proxy, traffic, servers["blue"], lambda: start("blue", "blue-2")
        )
        goal = max(MIN_REQUESTS, traffic.tally.total + AFTER_REQUESTS)
        assert traffic.wait_for(goal, timeout=60), traffic.tally
    finally:
        tally = traffic.stop()
        proxy.stop()
        for server in servers.values():
            server.stop()

    line = report(worker, drain, tally, deploy)
    print(f"\n{line}")
    DEPLOY_REPORTS.append(line)
    # In the JUnit report too (as properties of the test suite: xunit2 has no per-test ones).
    key = f"rolling_deploy_{worker}_" + (f"drain_{drain}s" if drain else "no_drain")
    record_testsuite_property(f"{key}_requests", tally.total)
    record_testsuite_property(f"{key}_failed", tally.failed)
    record_testsuite_property(key, line)

    assert f"{tally.failed} failed" in line
    assert tally.total >= MIN_REQUESTS, line
    assert deploy.exit_code == 0, line
    # Both halves of the deploy carried traffic: the old blue before, its replacement after.
    assert pages_served(servers["blue"]) > 0, line
    assert pages_served(servers["blue-2"]) > 0, line
    assert pages_served(servers["green"]) > 0, line
    if drain:
        assert tally.failed == 0, line
        # The load balancer took the instance out while it was still serving.
        assert deploy.marked_down < deploy.exited - 0.5, line
        assert deploy.exited - deploy.sigterm >= DRAIN_SECONDS, line
