"""``check_redis_connected`` on Django's own ``RedisCache`` and on django-redis.

Against the real Redis, a closed port, and small servers on loopback that play a Redis
which dies, hangs or answers the PING wrongly (what a real Redis cannot be made to do).
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator

import pytest
from django.core import checks as django_checks
from django.test import override_settings

from dockerflow import health
from dockerflow.django import checks
from dockerflow.django.heartbeat import run_heartbeat
from tests.dockerflow.checks.helpers import join_check_threads

PASSWORD = "hunter2-not-for-logs"
DJANGO_REDIS = "django_redis.cache.RedisCache"
DJANGOS_OWN = "django.core.cache.backends.redis.RedisCache"
BACKENDS = [DJANGO_REDIS, DJANGOS_OWN]
REDIS_CHECK = "dockerflow.django.checks.check_redis_connected"


def redis_cache(location: str, backend: str = DJANGO_REDIS, **options: object) -> dict:
    """``CACHES`` with a ``default`` Redis cache and no socket timeout (the default)."""
    return {"default": {"BACKEND": backend, "LOCATION": location, "OPTIONS": options}}


def whole_commands(buffer: bytes) -> tuple[list[bytes], bytes]:
    """The names of the whole RESP commands (arrays of bulk strings) ``buffer`` starts
    with, and what is left of it."""
    names = []
    while True:
        rest = buffer
        try:
            header, rest = rest.split(b"\r\n", 1)
            words = []
            for _ in range(int(header[1:])):
                size, rest = rest.split(b"\r\n", 1)
                if len(rest) < int(size[1:]) + 2:
                    raise ValueError("incomplete")
                words.append(rest[: int(size[1:])])
                rest = rest[int(size[1:]) + 2 :]
        except ValueError:
            return names, buffer
        names.append(words[0].upper())
        buffer = rest


@contextlib.contextmanager
def fake_redis(answer: Callable[[socket.socket], None]) -> Iterator[str]:
    """A server on loopback that calls ``answer`` with each connection it accepts."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.05)  # so the loop notices ``stop`` quickly
    stop = threading.Event()
    accepted: list[socket.socket] = []

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            accepted.append(conn)
            with contextlib.suppress(OSError):
                answer(conn)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"redis://:{PASSWORD}@127.0.0.1:{server.getsockname()[1]}/0"
    finally:
        stop.set()
        thread.join(5)
        for conn in accepted:
            conn.close()
        server.close()


def dies(conn: socket.socket) -> None:
    """A Redis that dies during the check: reads the first command, closes."""
    conn.recv(1024)
    conn.close()


def hangs(conn: socket.socket) -> None:
    """A Redis that accepts connections and never answers (the connection stays open)."""


def answers_ok(conn: socket.socket) -> None:
    """Answers ``+OK`` to every command (and RESP3's ``HELLO`` with its map): the
    connection handshake passes, the PING gets no PONG."""
    buffer = b""
    conn.settimeout(5)
    while data := conn.recv(4096):
        names, buffer = whole_commands(buffer + data)
        for name in names:
            conn.sendall(b"%1\r\n+proto\r\n:3\r\n" if name == b"HELLO" else b"+OK\r\n")


def test_the_fake_servers_read_commands_whole():
    ping = b"*1\r\n$4\r\nPING\r\n"
    assert whole_commands(ping * 2 + ping[:7]) == ([b"PING", b"PING"], ping[:7])
    assert whole_commands(b"*2\r\n$4\r\nauth\r\n$3\r\nabc\r\n") == ([b"AUTH"], b"")


@pytest.mark.services
@pytest.mark.parametrize("backend", BACKENDS)
def test_the_real_redis_answers(redis_url, backend):
    with override_settings(CACHES=redis_cache(redis_url, backend)):
        assert checks.check_redis_connected() == []


@pytest.mark.services
def test_djangos_own_redis_cache_needs_no_django_redis(redis_url, monkeypatch):
    monkeypatch.setitem(sys.modules, "django_redis", None)
    with override_settings(CACHES=redis_cache(redis_url, DJANGOS_OWN)):
        assert checks.check_redis_connected() == []


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_closed_port_and_a_password_never_shown(free_port, backend):
    location = f"redis://:{PASSWORD}@127.0.0.1:{free_port}/0"
    with override_settings(CACHES=redis_cache(location, backend)):
        [message] = checks.check_redis_connected()
    assert message.id == health.ERROR_CANNOT_CONNECT_REDIS
    assert message.msg.startswith("Could not connect to Redis (cache 'default'): ConnectionError")
    assert str(free_port) in message.msg
    assert PASSWORD not in message.msg


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_redis_dying_during_the_check(backend):
    with fake_redis(dies) as location, override_settings(CACHES=redis_cache(location, backend)):
        [message] = checks.check_redis_connected()
    assert message.id == health.ERROR_CANNOT_CONNECT_REDIS
    assert PASSWORD not in message.msg


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_ping_answered_without_pong(backend):
    with (
        fake_redis(answers_ok) as location,
        override_settings(CACHES=redis_cache(location, backend)),
    ):
        assert checks.check_redis_connected() == [
            django_checks.Error("Redis ping failed", id=health.ERROR_REDIS_PING_FAILED)
        ]


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_hung_redis_is_reported_within_the_heartbeat_timeout(backend):
    # No socket timeout configured (redis-py's default): only the check's own bound
    # keeps the PING from waiting for ever.
    with (
        fake_redis(hangs) as location,
        override_settings(CACHES=redis_cache(location, backend), DOCKERFLOW_HEARTBEAT_TIMEOUT=1),
    ):
        started = time.monotonic()
        [message] = checks.check_redis_connected()
        assert 0.4 < time.monotonic() - started < 1.0
        assert message.id == health.ERROR_CANNOT_CONNECT_REDIS
        assert "Timeout" in message.msg
        # Through the heartbeat: the check's own answer, not a timeout of the run, and
        # its thread is free again (the next run starts it: no E013).
        with override_settings(DOCKERFLOW_CHECKS=[REDIS_CHECK]):
            for _ in range(2):
                results = run_heartbeat()
                assert list(results.details["check_redis_connected"]["messages"]) == [
                    health.ERROR_CANNOT_CONNECT_REDIS
                ]
    join_check_threads()


def test_the_default_cache_is_not_redis():
    [message] = checks.check_redis_connected()  # the test settings use LocMemCache
    assert message.id == health.ERROR_MISSING_REDIS_CLIENT
    assert message.msg.startswith("Redis client not available for cache 'default': ")


def test_django_redis_not_installed(monkeypatch):
    monkeypatch.setitem(sys.modules, "django_redis", None)
    [message] = checks.check_redis_connected()
    assert message.id == health.ERROR_MISSING_REDIS_CLIENT
    assert "django_redis" in message.msg


def test_redis_py_not_installed(monkeypatch):
    monkeypatch.setitem(sys.modules, "redis", None)
    with override_settings(CACHES=redis_cache("redis://127.0.0.1:1/0", DJANGOS_OWN)):
        [message] = checks.check_redis_connected()
    assert message.id == health.ERROR_MISSING_REDIS_CLIENT
    assert message.msg.startswith("Redis client not available for cache 'default': ")
    assert "redis" in message.msg


@override_settings(CACHES={"other": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}})
def test_no_default_cache_is_a_misconfigured_redis():
    [message] = checks.check_redis_connected()
    assert message.id == health.ERROR_MISCONFIGURED_REDIS
    assert message.msg.startswith("Redis cache 'default' is misconfigured: ")


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_location_redis_py_cannot_read(backend):
    with override_settings(CACHES=redis_cache(f"redis://:{PASSWORD}@127.0.0.1:port/0", backend)):
        [message] = checks.check_redis_connected()
    assert message.id == health.ERROR_MISCONFIGURED_REDIS
    assert message.msg.startswith("Redis cache 'default' is misconfigured: ValueError")
    assert PASSWORD not in message.msg


# Backends imported before check threads start

FIRST_HEARTBEAT = """
import sys
import django
from django.conf import settings

settings.configure(
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
    CACHES={"default": {"BACKEND": %(backend)r, "LOCATION": "redis://127.0.0.1:%(port)d/0"}},
    DOCKERFLOW_CHECKS=[
        "dockerflow.django.checks.check_redis_connected",
        "dockerflow.django.checks.check_cache_connected",
    ],
    LOGGING_CONFIG=None,
)
django.setup()
assert "redis" not in sys.modules
from dockerflow.django.heartbeat import run_heartbeat

results = run_heartbeat()
print(sorted(i for detail in results.details.values() for i in detail["messages"]))
"""


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_fresh_process_first_heartbeat_does_not_race_on_imports(free_port, backend):
    # Two checks importing redis-py for the first time in two threads used to fail
    # one of them (import deadlock) on most first heartbeats; three fresh processes
    # caught it nearly every time.
    script = FIRST_HEARTBEAT % {"port": free_port, "backend": backend}
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", script],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    for process in processes:
        out, err = process.communicate(timeout=60)
        assert process.returncode == 0, err
        assert out.strip() == str(
            [health.ERROR_CANNOT_CONNECT_REDIS, health.ERROR_CACHE_ROUND_TRIP]
        )
