"""The heartbeat under gunicorn against real PostgreSQL and Redis, broken on purpose.

Each scenario asserts the HTTP status, the JSON body, how long the heartbeat took,
and that ``/__lbheartbeat__`` still answered 200 quickly while the heartbeat was
in flight (a load balancer must never see the liveness probe stall because a
backing service did).
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis

from dockerflow import health
from dockerflow.django import heartbeat
from tests.backing_services.conftest import Stack
from tests.backing_services.postgres import ScratchDatabase
from tests.backing_services.probes import Overlap, Response, heartbeat_with_lbheartbeat
from tests.backing_services.processes import GunicornServer

pytestmark = [pytest.mark.services, pytest.mark.servers]

TIMEOUT = 1.0  # DOCKERFLOW_HEARTBEAT_TIMEOUT of every server here
MAX_STUCK = heartbeat.MAX_STUCK
FAILED_BOUND = TIMEOUT + 0.5  # a failing heartbeat answers within this
FAST_FAIL_BOUND = 1.0  # ... and within this when the service refuses outright
LB_BOUND = 0.5  # /__lbheartbeat__ during any fault

CHECKS = "dockerflow.django.checks"
DB_CONNECTED = f"{CHECKS}.check_database_connected"
MIGRATIONS = f"{CHECKS}.check_migrations_applied"
REDIS_CONNECTED = f"{CHECKS}.check_redis_connected"
CACHE_CONNECTED = f"{CHECKS}.check_cache_connected"
DATABASE_CHECKS = [DB_CONNECTED, MIGRATIONS]
REDIS_CHECKS = [REDIS_CONNECTED, CACHE_CONNECTED]


def check_key(path: str) -> str:
    """How the heartbeat body names a check: its function's name, as python-dockerflow does."""
    return path.rsplit(".", 1)[1]


BASE_ENV = {
    "DFS_HEARTBEAT_TIMEOUT": str(TIMEOUT),
    "DFS_HEARTBEAT_DETAILS": "true",
    "DFS_HEARTBEAT_CACHE_SECONDS": "0",
}


def env(checks: list[str], **extra: str) -> dict[str, str]:
    return {**BASE_ENV, "DFS_CHECKS": ",".join(checks), **extra}


def observe(scenario: str, probe: Overlap) -> None:
    # Printed for the report (visible with -s); the assertions are below each call.
    print(
        f"\n[{scenario}] heartbeat {probe.heartbeat.status} in {probe.heartbeat.elapsed:.3f}s; "
        f"lbheartbeat {probe.lbheartbeat.status} in {probe.lbheartbeat.elapsed:.3f}s "
        f"(heartbeat in flight: {probe.heartbeat_in_flight})"
    )


def assert_lbheartbeat_quick(probe: Overlap, *, in_flight: bool) -> None:
    assert probe.lbheartbeat.status == 200
    assert probe.lbheartbeat.elapsed < LB_BOUND
    if in_flight:
        # The heartbeat was still blocked on the fault when the probe was answered.
        assert probe.heartbeat_in_flight


def timed_out_probe(server: GunicornServer, scenario: str) -> Overlap:
    """A heartbeat against a hung service: failed after the whole timeout, not sooner,
    while /__lbheartbeat__ (fired mid-heartbeat) answered at once."""
    probe = heartbeat_with_lbheartbeat(server.port, head_start=0.3)
    observe(scenario, probe)
    failed(probe.heartbeat, bound=FAILED_BOUND)
    assert probe.heartbeat.elapsed >= TIMEOUT - 0.05  # it hung; it did not fail
    assert_lbheartbeat_quick(probe, in_flight=True)
    return probe


def failed(response: Response, *, bound: float) -> dict:
    assert response.status == 500, response.body
    body = response.json()
    assert body["status"] == "error"
    assert response.elapsed < bound
    return body


def messages(body: dict, check: str) -> dict[str, str]:
    return body["details"][check_key(check)]["messages"]


def checks_stuck(server: GunicornServer) -> Counter[str]:
    """How many of the worker's threads are inside each built-in check right now (by path)."""
    diag = server.get("/diag/threads/").json()
    # A thread running check X has the frame "dockerflow.django.checks:X" on its stack.
    frames = {f"{CHECKS}:{path.rsplit('.', 1)[1]}": path for path in DATABASE_CHECKS + REDIS_CHECKS}
    stuck: Counter[str] = Counter()
    for thread in diag["threads"]:
        stuck.update({frames[frame] for frame in thread["stack"] if frame in frames})
    return stuck


def healthy_server(
    stack: Stack, redis_url: str, port: int, scenario: str = "healthy"
) -> GunicornServer:
    """PostgreSQL and the shared Redis, persistent health-checked connections in the views."""
    return stack.server(
        scenario,
        port=port,
        env=env(
            DATABASE_CHECKS + REDIS_CHECKS,
            DFS_REDIS_URL=redis_url,
            DFS_CONN_MAX_AGE="60",
            DFS_CONN_HEALTH_CHECKS="true",
        ),
    )


# --- 1. everything up ------------------------------------------------------------------


def test_everything_up_is_ok_from_the_first_heartbeat(stack, database, redis_url, free_port):
    # A server of its own: this is the first heartbeat of a freshly started worker, the
    # one that runs every check (and imports every backend) for the first time.
    server = healthy_server(stack, redis_url, free_port, scenario="everything-up")
    probe = heartbeat_with_lbheartbeat(server.port)
    observe("everything up", probe)

    assert probe.heartbeat.status == 200, probe.heartbeat.body
    assert probe.heartbeat.elapsed < TIMEOUT
    assert probe.heartbeat.json() == {
        "status": "ok",
        "checks": {
            check_key(DB_CONNECTED): "ok",
            check_key(MIGRATIONS): "ok",
            check_key(REDIS_CONNECTED): "ok",
            check_key(CACHE_CONNECTED): "ok",
        },
        "details": {},
    }
    assert_lbheartbeat_quick(probe, in_flight=False)


# --- 2. PostgreSQL refusing connections ------------------------------------------------


def test_database_alias_refusing_connections_fails_fast_and_names_the_alias(
    stack, database, free_port
):
    refusing = stack.closed_port()
    server = stack.server(
        "pg-refusing",
        port=free_port,
        env=env(
            DATABASE_CHECKS,
            DFS_EXTRA_DATABASES=json.dumps(
                {"replica": f"postgres://postgres@127.0.0.1:{refusing}/nothing"}
            ),
        ),
    )
    probe = heartbeat_with_lbheartbeat(server.port)
    observe("pg refusing", probe)

    body = failed(probe.heartbeat, bound=FAST_FAIL_BOUND)
    assert body["checks"][check_key(DB_CONNECTED)] == "error"
    found = messages(body, DB_CONNECTED)
    assert set(found) == {health.ERROR_CANNOT_CONNECT_DATABASE}
    message = found[health.ERROR_CANNOT_CONNECT_DATABASE]
    assert "replica" in message
    assert "default" not in message  # the reachable alias is not blamed
    assert_lbheartbeat_quick(probe, in_flight=False)


# --- 3. PostgreSQL hanging -------------------------------------------------------------


def test_database_hanging_times_out_and_stuck_threads_stay_bounded(stack, database, free_port):
    stalled = stack.silent_listener()
    server = stack.server(
        "pg-hanging",
        port=free_port,
        env=env(
            DATABASE_CHECKS,
            DFS_EXTRA_DATABASES=json.dumps(
                {"stalled": f"postgres://postgres@127.0.0.1:{stalled.port}/nothing"}
            ),
        ),
    )
    body = timed_out_probe(server, "pg hanging").heartbeat.json()
    assert body["checks"][check_key(DB_CONNECTED)] == "error"
    found = messages(body, DB_CONNECTED)
    assert set(found) == {health.ERROR_CHECK_TIMED_OUT}
    assert "check_database_connected" in found[health.ERROR_CHECK_TIMED_OUT]

    durations = []
    for _ in range(10):
        response = server.get("/__heartbeat__")
        durations.append(response.elapsed)
        # The first run's thread is still pinned (MAX_STUCK of them): the check is not
        # started again but reported stuck straight away, without waiting for the timeout.
        again = failed(response, bound=TIMEOUT)
        assert set(messages(again, DB_CONNECTED)) == {health.ERROR_CHECK_STUCK}
    print(f"[pg hanging] 10 more heartbeats: {', '.join(f'{d:.3f}' for d in durations)} s")

    stuck = checks_stuck(server)
    print(f"[pg hanging] threads inside each check after 11 heartbeats: {dict(stuck)}")
    assert 1 <= stuck[DB_CONNECTED] <= MAX_STUCK
    assert all(count <= MAX_STUCK for count in stuck.values())
    assert stalled.accepted, "the check never reached the hanging server"


# --- 4. unapplied migrations -----------------------------------------------------------


def test_unapplied_migrations_are_a_warning_listing_them(stack, database, free_port):
    server = stack.server(
        "pending-migrations", port=free_port, env=env(DATABASE_CHECKS, DFS_PENDING_APP="true")
    )
    probe = heartbeat_with_lbheartbeat(server.port)
    observe("unapplied migrations", probe)

    assert probe.heartbeat.status == 200, probe.heartbeat.body
    assert probe.heartbeat.elapsed < TIMEOUT
    body = probe.heartbeat.json()
    assert body["status"] == "warning"
    assert body["checks"] == {
        check_key(DB_CONNECTED): "ok",
        check_key(MIGRATIONS): "warning",
    }
    found = messages(body, MIGRATIONS)
    assert set(found) == {health.WARNING_UNAPPLIED_MIGRATION}
    listed = found[health.WARNING_UNAPPLIED_MIGRATION]
    assert "pending.0001_initial" in listed
    assert "pending.0002_pending_note" in listed
    assert_lbheartbeat_quick(probe, in_flight=False)


# --- 5. Redis refusing, hanging, sleeping, dying ---------------------------------------


def redis_failed(probe: Overlap, *, bound: float, expected: dict[str, set[str]]) -> dict:
    """A failed heartbeat in which exactly the Redis checks failed, with the ``expected`` ids."""
    body = failed(probe.heartbeat, bound=bound)
    assert body["checks"] == {
        check_key(DB_CONNECTED): "ok",
        check_key(REDIS_CONNECTED): "error",
        check_key(CACHE_CONNECTED): "error",
    }
    assert {check: set(messages(body, check)) for check in REDIS_CHECKS} == expected
    return body


#: Redis unreachable, as each check words it.
UNREACHABLE = {
    REDIS_CONNECTED: {health.ERROR_CANNOT_CONNECT_REDIS},
    CACHE_CONNECTED: {health.ERROR_CACHE_ROUND_TRIP},
}
#: Redis accepting connections but not answering: the Redis check gives up on its own
#: (at half the heartbeat timeout, E004); the cache check is cut off by the run (E012).
NOT_ANSWERING = {
    REDIS_CONNECTED: {health.ERROR_CANNOT_CONNECT_REDIS},
    CACHE_CONNECTED: {health.ERROR_CHECK_TIMED_OUT},
}


def test_redis_refusing_connections_fails_fast(stack, database, free_port):
    refusing = stack.closed_port()
    server = stack.server(
        "redis-refusing",
        port=free_port,
        env=env(
            DATABASE_CHECKS[:1] + REDIS_CHECKS, DFS_REDIS_URL=f"redis://127.0.0.1:{refusing}/0"
        ),
    )
    probe = heartbeat_with_lbheartbeat(server.port)
    observe("redis refusing", probe)

    body = redis_failed(probe, bound=FAST_FAIL_BOUND, expected=UNREACHABLE)
    for check in REDIS_CHECKS:
        assert "Connection refused" in "".join(messages(body, check).values())
    assert_lbheartbeat_quick(probe, in_flight=False)


def test_redis_hanging_times_out_and_stuck_threads_stay_bounded(stack, database, free_port):
    stalled = stack.silent_listener()
    server = stack.server(
        "redis-hanging",
        port=free_port,
        env=env(
            DATABASE_CHECKS[:1] + REDIS_CHECKS, DFS_REDIS_URL=f"redis://127.0.0.1:{stalled.port}/0"
        ),
    )
    first = timed_out_probe(server, "redis hanging")
    body = redis_failed(first, bound=FAILED_BOUND, expected=NOT_ANSWERING)
    assert "Timeout" in messages(body, REDIS_CONNECTED)[health.ERROR_CANNOT_CONNECT_REDIS]

    # The Redis check is started again each time (its thread is free); the cache check,
    # still stuck, is not.
    again_expected = {**NOT_ANSWERING, CACHE_CONNECTED: {health.ERROR_CHECK_STUCK}}
    for _ in range(5):
        again = heartbeat_with_lbheartbeat(server.port)
        redis_failed(again, bound=TIMEOUT, expected=again_expected)
    stuck = checks_stuck(server)
    print(f"[redis hanging] threads inside each check after 6 heartbeats: {dict(stuck)}")
    assert stuck[REDIS_CONNECTED] == 0
    assert 1 <= stuck[CACHE_CONNECTED] <= MAX_STUCK


def _debug_sleep(url: str, seconds: float, errors: list[BaseException]) -> None:
    client = redis.Redis.from_url(url, socket_timeout=seconds + 5)
    try:
        client.execute_command("DEBUG", "SLEEP", seconds)
    except redis.ConnectionError as exc:  # the server was killed while sleeping
        errors.append(exc)
    finally:
        client.close()


def test_redis_busy_longer_than_the_timeout_fails_then_recovers(stack, database, free_port):
    private = stack.redis_server(stack.free_port())
    server = stack.server(
        "redis-sleeping",
        port=free_port,
        env=env(DATABASE_CHECKS[:1] + REDIS_CHECKS, DFS_REDIS_URL=private.url),
    )
    assert server.get("/__heartbeat__").status == 200  # pool warmed up, Redis answering

    errors: list[BaseException] = []
    sleeper = threading.Thread(target=_debug_sleep, args=(private.url, 2.5, errors))
    sleeper.start()
    time.sleep(0.2)  # DEBUG SLEEP has the server blocked now
    probe = timed_out_probe(server, "redis DEBUG SLEEP 2.5")
    redis_failed(probe, bound=FAILED_BOUND, expected=NOT_ANSWERING)

    sleeper.join(timeout=10)
    assert not errors
    # The stuck check threads end as soon as Redis answers them; the next run is clean.
    time.sleep(0.2)
    recovered = server.get("/__heartbeat__")
    print(f"[redis DEBUG SLEEP] after the sleep: {recovered.status} in {recovered.elapsed:.3f}s")
    assert recovered.status == 200, recovered.body
    assert recovered.json()["status"] == "ok"


def test_redis_dying_mid_check_fails_then_recovers_after_restart(stack, database, free_port):
    private = stack.redis_server(stack.free_port())
    server = stack.server(
        "redis-dying",
        port=free_port,
        env=env(DATABASE_CHECKS[:1] + REDIS_CHECKS, DFS_REDIS_URL=private.url),
    )
    assert server.get("/__heartbeat__").status == 200

    errors: list[BaseException] = []
    sleeper = threading.Thread(target=_debug_sleep, args=(private.url, 5, errors))
    sleeper.start()
    time.sleep(0.2)
    killer = threading.Timer(0.3, private.kill)  # the checks are blocked on it by then
    killer.start()
    probe = heartbeat_with_lbheartbeat(server.port, head_start=0.1)
    killer.join()
    sleeper.join(timeout=10)
    observe("redis killed mid-check", probe)
    # The checks see the connection drop: they fail at once, not at the timeout.
    redis_failed(probe, bound=TIMEOUT, expected=UNREACHABLE)
    assert_lbheartbeat_quick(probe, in_flight=True)
    assert errors, "DEBUG SLEEP should have been cut short by the kill"

    private.start()
    recovered = server.get("/__heartbeat__")
    print(f"[redis killed] after restart: {recovered.status} in {recovered.elapsed:.3f}s")
    assert recovered.status == 200, recovered.body
    assert recovered.json()["status"] == "ok"


# --- 6. PostgreSQL restarted under the app ---------------------------------------------


def fire(server: GunicornServer, path: str, count: int, concurrency: int) -> list[Response]:
    with ThreadPoolExecutor(concurrency) as pool:
        return list(pool.map(lambda _: server.get(path), range(count)))


def test_app_recovers_when_postgres_drops_its_connections(
    stack: Stack, database: ScratchDatabase, redis_url, free_port
):
    server = healthy_server(stack, redis_url, free_port)
    app_name = stack.application_name("healthy")
    assert server.get("/__heartbeat__").status == 200  # healthy before the restart
    warm = fire(server, "/app/", 16, server.threads)
    assert all(r.status == 200 for r in warm)
    before = database.backends(app_name)
    assert before, "the views should hold persistent connections (CONN_MAX_AGE)"

    terminated = database.terminate(app_name)
    assert set(before) <= set(terminated)
    deadline = time.monotonic() + 5
    while set(database.backends(app_name)) & set(terminated) and time.monotonic() < deadline:
        time.sleep(0.05)

    # The check threads' persistent connections died too: check_database_connected
    # replaces its dead one, and CONN_HEALTH_CHECKS makes the migrations check's
    # connection reconnect on first use. Ok straight away, no failed heartbeat at all.
    probe = heartbeat_with_lbheartbeat(server.port)
    observe("pg backends terminated", probe)
    assert probe.heartbeat.status == 200, probe.heartbeat.body
    assert probe.heartbeat.json()["status"] == "ok"
    assert_lbheartbeat_quick(probe, in_flight=False)

    # CONN_HEALTH_CHECKS: each view thread notices its dead connection and reconnects,
    # so not one request fails.
    after = fire(server, "/app/", 16, server.threads)
    assert [r.status for r in after] == [200] * len(after)
    new_backends = {r.json()["backend_pid"] for r in after}
    assert not new_backends & set(terminated)


# --- 7. no connection leaks ------------------------------------------------------------


def test_heartbeats_leak_no_database_connections(
    stack: Stack, database: ScratchDatabase, redis_url, free_port
):
    server = healthy_server(stack, redis_url, free_port)
    app_name = stack.application_name("healthy")
    # Each database check keeps one persistent connection on its check thread
    # (CONN_MAX_AGE), on top of the view threads' persistent ones.
    database_checks_per_run = len(DATABASE_CHECKS)
    sessions_before = database.sessions_opened()
    peak = 0
    sampling = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not sampling.is_set():
            peak = max(peak, len(database.backends(app_name)))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, name="pg_stat_activity-sampler")
    sampler.start()
    started = time.monotonic()
    try:
        sequential = [server.get("/__heartbeat__") for _ in range(299)]
        probe = heartbeat_with_lbheartbeat(server.port)
        concurrent = fire(server, "/__heartbeat__", 200, 8)
    finally:
        sampling.set()
        sampler.join()
    elapsed = time.monotonic() - started
    heartbeats = [*sequential, probe.heartbeat, *concurrent]
    assert Counter((r.status, r.json()["status"]) for r in heartbeats) == {(200, "ok"): 500}
    assert_lbheartbeat_quick(probe, in_flight=False)

    held = database.backends(app_name)
    opened = database.sessions_opened() - sessions_before
    print(
        f"[no leaks] 500 heartbeats in {elapsed:.1f}s; "
        f"connections at peak {peak}, after {len(held)}; {opened} sessions opened"
    )
    worker_threads = server.workers * server.threads
    check_connections = server.workers * database_checks_per_run
    assert len(held) <= worker_threads + check_connections
    assert peak <= worker_threads + check_connections
    # The check threads' connections are reused: at most one new session per check
    # per worker (none when an earlier test left them open), not one per heartbeat.
    assert opened <= check_connections
