"""The heartbeat keeps its database sessions, as ``CONN_MAX_AGE`` says, on real PostgreSQL.

Its checks run on long-lived check threads that keep their connections between
runs, so a probe no longer opens (and closes) a new session per alias every time.
Sessions are counted by PostgreSQL itself (``pg_stat_database.sessions`` of a
private database, ``pg_stat_activity`` by ``application_name``).
"""

from __future__ import annotations

import http.client
import json
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from dockerflow.django.checks import check_database_connected
from tests.backing_services.conftest import Stack
from tests.backing_services.postgres import ScratchDatabase
from tests.backing_services.processes import project_env
from tests.servers.process import REPO_ROOT

pytestmark = [pytest.mark.services]

CHECKS = "dockerflow.django.checks"
DATABASE_CHECKS = f"{CHECKS}.check_database_connected,{CHECKS}.check_migrations_applied"
HEARTBEATS = 100
#: Each of the two database checks keeps one connection to ``default`` on its thread.
SESSIONS_PER_ALIAS = 2

RUN_HEARTBEATS = """
import json, sys, time
import django
import psycopg

django.setup()
from django.conf import settings
from dockerflow.django.heartbeat import check_threads, run_heartbeat

count, pause = int(sys.argv[1]), float(sys.argv[2])
levels = []
for _ in range(count):
    levels.append(run_heartbeat().level)
time.sleep(pause)  # a retired check thread finishes meanwhile
name = settings.DATABASES["default"]["OPTIONS"]["application_name"]
with psycopg.connect(sys.argv[3], autocommit=True) as conn:
    query = "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s"
    [(still_open,)] = conn.execute(query, (name,)).fetchall()
print(json.dumps({"levels": levels, "open": still_open}))
"""


def run_heartbeats(
    stack: Stack,
    database: ScratchDatabase,
    scenario: str,
    *,
    count: int,
    env: dict[str, str],
    pause: float = 0.0,
) -> dict:
    """``run_heartbeat()`` ``count`` times in a fresh process of the services project."""
    result = subprocess.run(
        [sys.executable, "-c", RUN_HEARTBEATS, str(count), str(pause), database.admin_url],
        cwd=REPO_ROOT,
        env=project_env(
            {
                "DFS_DATABASE_URL": database.url,
                "DFS_APPLICATION_NAME": stack.application_name(scenario),
                "DFS_HEARTBEAT_TIMEOUT": "5",
                **env,
            }
        ),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def database_heartbeats(stack, database, *, count: int, conn_max_age: int) -> tuple[dict, int]:
    """Run the database checks ``count`` times; what the process saw, and sessions opened."""
    before = database.sessions_opened()
    env = {"DFS_CHECKS": DATABASE_CHECKS, "DFS_CONN_MAX_AGE": str(conn_max_age)}
    found = run_heartbeats(stack, database, f"max-age-{conn_max_age}", count=count, env=env)
    opened = database.sessions_opened() - before
    print(f"\n[CONN_MAX_AGE={conn_max_age}] {count} heartbeats opened {opened} sessions")
    assert found["levels"] == [0] * count
    return found, opened


def test_persistent_connections_last_across_heartbeats(stack, database):
    found, opened = database_heartbeats(stack, database, count=HEARTBEATS, conn_max_age=60)
    assert opened <= SESSIONS_PER_ALIAS
    assert found["open"] == SESSIONS_PER_ALIAS  # held by the check threads for the next run


def test_without_conn_max_age_each_run_closes_its_connections(stack, database):
    found, opened = database_heartbeats(stack, database, count=20, conn_max_age=0)
    assert opened == 20 * SESSIONS_PER_ALIAS  # a new one per check per run...
    assert found["open"] == 0  # ... closed after each run


def slow_database_check(app_configs=None, **kwargs):
    """Connects (a persistent connection), then outlives the heartbeat's timeout."""
    messages = check_database_connected(databases=["default"])
    time.sleep(1.5)
    return messages


def test_a_retired_check_threads_connection_is_closed_when_it_finishes(stack, database):
    found = run_heartbeats(
        stack,
        database,
        "retired",
        count=1,
        pause=2.5,
        env={
            "DFS_CHECKS": f"{__name__}.slow_database_check",
            "DFS_CONN_MAX_AGE": "60",
            "DFS_HEARTBEAT_TIMEOUT": "0.5",
        },
    )
    assert found["levels"] == [40]  # timed out: E012
    assert found["open"] == 0  # CONN_MAX_AGE=60, yet closed: its thread was retired


def probe_with_foreign_host(port: int) -> tuple[int, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", "/__heartbeat__", headers={"Host": "attacker.example"})
        response = conn.getresponse()
        return response.status, json.loads(response.read())
    finally:
        conn.close()


@pytest.mark.servers
def test_a_storm_of_probes_through_gunicorn_opens_a_bounded_number_of_sessions(
    stack, database, free_port
):
    workers = 2
    server = stack.server(
        "storm",
        port=free_port,
        workers=workers,
        env={
            "DFS_CHECKS": DATABASE_CHECKS,
            "DFS_CONN_MAX_AGE": "60",
            "DFS_CONN_HEALTH_CHECKS": "true",
            "DFS_HEARTBEAT_TIMEOUT": "5",
            "DFS_HEARTBEAT_CACHE_SECONDS": "0",
            "DFS_HEARTBEAT_DETAILS": "true",
        },
    )
    before = database.sessions_opened()
    started = time.monotonic()
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: probe_with_foreign_host(server.port), range(200)))
    elapsed = time.monotonic() - started
    opened = database.sessions_opened() - before
    print(f"\n[storm] 200 probes in {elapsed:.1f}s opened {opened} sessions ({workers} workers)")
    assert Counter((status, body["status"]) for status, body in answers) == {(200, "ok"): 200}
    assert opened <= SESSIONS_PER_ALIAS * workers
    assert len(database.backends(stack.application_name("storm"))) <= SESSIONS_PER_ALIAS * workers
