"""Bounded loopback load: gunicorn (2 workers x 4 threads) + PostgreSQL, heartbeats mixed in.

Run with ``pytest -m load -s`` (its own tox env, ``load``). The load generator is a
second process (``tests.backing_services.loadgen``); every count is fixed, so the
test stops by itself (well under 90 s on a 2-core machine).
"""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime

import pytest

from tests.backing_services.conftest import Stack
from tests.backing_services.postgres import ScratchDatabase
from tests.backing_services.processes import GunicornServer, project_env
from tests.servers.process import REPO_ROOT

pytestmark = [pytest.mark.load, pytest.mark.services, pytest.mark.servers]

WORKERS = 2
THREADS = 4
APP_REQUESTS = 20_000
CONCURRENCY = 16
HEARTBEATS = 200
HEARTBEAT_THREADS = 4  # heartbeats are fired 4 at a time, 50 times over the run
WINDOW = 1.0  # DOCKERFLOW_HEARTBEAT_CACHE_SECONDS


def summaries_by_path(server: GunicornServer) -> Counter[tuple[str, int]]:
    """``(path, status code)`` of every request.summary the server logged so far.

    Every line it wrote (stdout and stderr) must be one mozlog record.
    """
    return Counter(
        (record["Fields"]["path"], record["Fields"]["code"])
        for record in server.records()
        if record["Type"] == "request.summary"
    )


def test_load_with_heartbeats_mixed_in(
    stack: Stack, database: ScratchDatabase, free_port: int
) -> None:
    server = stack.server(
        "load",
        port=free_port,
        workers=WORKERS,
        threads=THREADS,
        env={
            "DFS_CHECKS": ",".join(
                [
                    "dockerflow.django.checks.check_database_connected",
                    "dockerflow.django.checks.check_migrations_applied",
                    "tests.services_project.checks.count_check_run",
                ]
            ),
            "DFS_HEARTBEAT_TIMEOUT": "5",
            "DFS_HEARTBEAT_CACHE_SECONDS": str(WINDOW),
            "DFS_CONN_MAX_AGE": "60",
            "DFS_CONN_HEALTH_CHECKS": "true",
        },
    )

    before = summaries_by_path(server)  # the readiness probes'
    started = time.monotonic()
    generator = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.backing_services.loadgen",
            f"--port={server.port}",
            "--path=/app/",
            f"--requests={APP_REQUESTS}",
            f"--concurrency={CONCURRENCY}",
            f"--heartbeats={HEARTBEATS}",
            f"--heartbeat-threads={HEARTBEAT_THREADS}",
            "--max-seconds=80",
        ],
        cwd=REPO_ROOT,
        env=project_env({}),
        capture_output=True,
        text=True,
        timeout=120,
    )
    elapsed = time.monotonic() - started
    assert generator.returncode == 0, generator.stderr
    result = json.loads(generator.stdout)
    app, heartbeat = result["app"], result["heartbeat"]
    print(
        f"\n[load] {app['count']} app requests + {heartbeat['count']} heartbeats in "
        f"{result['elapsed']:.1f}s: app {app['per_second']:.0f} req/s, "
        f"p50 {app['p50_ms']:.1f} ms, p99 {app['p99_ms']:.1f} ms, max {app['max_ms']:.1f} ms; "
        f"heartbeat p50 {heartbeat['p50_ms']:.1f} ms, p99 {heartbeat['p99_ms']:.1f} ms, "
        f"slowest {heartbeat['slowest_ms']} ms; statuses app {app['statuses']} "
        f"heartbeat {heartbeat['statuses']}; resent on stale keep-alive: {app['resent']}"
    )
    assert result["failures"] == []
    assert app["statuses"] == {"200": APP_REQUESTS}
    assert heartbeat["statuses"] == {"200": HEARTBEATS}

    # Single-flight + cache: each worker ran the checks at most once per window.
    rows = database.query("SELECT pid, at FROM counter_checkrun ORDER BY at")
    runs_by_pid: dict[int, list[datetime]] = {}
    for pid, at in rows:
        runs_by_pid.setdefault(pid, []).append(at)
    bound = WORKERS * (elapsed / WINDOW + 1)
    gaps = [
        (later - earlier).total_seconds()
        for times in runs_by_pid.values()
        for earlier, later in itertools.pairwise(times)
    ]
    per_worker = [len(times) for times in runs_by_pid.values()]
    print(
        f"[load] check runs seen by PostgreSQL: {len(rows)} (bound {bound:.0f} = {WORKERS} workers"
        f" x ({elapsed:.1f}s / {WINDOW:g}s + 1)); per worker {per_worker};"
        f" smallest gap between one worker's runs {min(gaps, default=0):.3f}s"
    )
    assert 1 <= len(rows) <= bound
    assert len(runs_by_pid) <= WORKERS
    # A worker's next run starts only once its cached result is WINDOW old.
    assert min(gaps, default=WINDOW) >= WINDOW - 0.05

    # Exactly one request.summary line per request, every line valid mozlog.
    server.stop()
    during = summaries_by_path(server) - before
    print(f"[load] request.summary records during the load: {dict(during)}")
    assert during == {("/app/", 200): APP_REQUESTS, ("/__heartbeat__", 200): HEARTBEATS}
