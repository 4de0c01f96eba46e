"""Real processes and sockets the scenarios run against: gunicorn, redis-server, a silent peer."""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from tests import services
from tests.backing_services import probes
from tests.servers.process import ServerProcess, server_env

SETTINGS_MODULE = "tests.services_project.settings"


def project_env(env: dict[str, str]) -> dict[str, str]:
    """The environment of a process running the services project with ``env`` on top.

    Nothing inherited that would change the server behind the test's back: no
    server or Django variables, and none of the project's own ``DFS_*``.
    """
    inherited = {k: v for k, v in server_env({}).items() if not k.startswith("DFS_")}
    return {**inherited, "DJANGO_SETTINGS_MODULE": SETTINGS_MODULE, **env}


class GunicornServer:
    """``gunicorn -c python:dockerflow_settings.gunicorn tests.services_project.wsgi``.

    The shipped configuration (mozlog on stdout, no access log), with ``PORT`` and
    ``WEB_CONCURRENCY`` set, plus flags pinning what the scenarios depend on: a
    loopback bind and gthread workers with a few threads, so ``/__lbheartbeat__`` is
    answered while a heartbeat is busy.
    """

    def __init__(
        self,
        *,
        port: int,
        env: dict[str, str],
        logdir: Path,
        workers: int = 1,
        threads: int = 4,
        name: str = "server",
    ) -> None:
        self.port = port
        self.workers = workers
        self.threads = threads
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "python:dockerflow_settings.gunicorn",
            "--bind",
            f"127.0.0.1:{port}",
            "--worker-class",
            "gthread",
            "--threads",
            str(threads),
            "--graceful-timeout",
            "3",
            "tests.services_project.wsgi",
        ]
        self.process = ServerProcess(
            command,
            port=port,
            env=project_env({**env, "PORT": str(port), "WEB_CONCURRENCY": str(workers)}),
            logdir=logdir,
            name=name,
        )
        try:
            self.process.wait_ready()
        except BaseException:
            self.stop()
            raise

    @property
    def stdout_path(self) -> Path:
        return self.process.stdout_path

    def get(self, path: str, *, timeout: float = 10.0) -> probes.Response:
        return probes.get(self.port, path, timeout=timeout)

    def records(self) -> list[dict[str, Any]]:
        """Everything the server wrote, each line asserted to be a mozlog record."""
        return self.process.records()

    def stop(self) -> None:
        self.process.stop()


class ClosedPort:
    """A loopback port that refuses connections until :meth:`close`.

    Bound but not listening: connecting gets a RST (ECONNREFUSED), and, unlike a
    port that was merely free a moment ago, nobody else can start listening on it.
    """

    def __init__(self) -> None:
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self.port: int = self._sock.getsockname()[1]

    def close(self) -> None:
        self._sock.close()


class SilentListener:
    """A TCP peer on loopback that accepts every connection and never sends a byte.

    What a hung database or cache looks like from the client: the TCP handshake
    succeeds, then nothing. Connections are held open until :meth:`close`.
    """

    def __init__(self) -> None:
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(64)
        self.port: int = self._sock.getsockname()[1]
        self.accepted: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, name="silent-listener", daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._sock.accept()
            except OSError:  # closed
                return
            self.accepted.append(conn)

    def close(self) -> None:
        # shutdown() wakes the accept() blocked in the other thread; close() alone may not.
        with contextlib.suppress(OSError):
            self._sock.shutdown(socket.SHUT_RDWR)
        self._sock.close()
        self._thread.join(timeout=5)
        for conn in self.accepted:
            conn.close()


def redis_server_binary() -> str:
    """Path of redis-server; a missing binary is treated like a missing service."""
    path = shutil.which("redis-server")
    if path is None:
        message = "redis-server is not installed (needed to start a private Redis)"
        if services.services_required():
            pytest.fail(f"{message}; DOCKERFLOW_TEST_SERVICES=required", pytrace=False)
        pytest.skip(message)
    return path


class RedisServer:
    """A private redis-server on ``127.0.0.1:port`` that tests may block or kill.

    ``DEBUG SLEEP`` would stall the machine's shared Redis for everybody, and Redis 7
    disables DEBUG by default, hence a private one with the command enabled.
    """

    def __init__(self, *, binary: str, port: int, workdir: Path) -> None:
        self.binary = binary
        self.port = port
        self.workdir = workdir
        self.url = f"redis://127.0.0.1:{port}/0"
        self.process: subprocess.Popen[bytes] | None = None
        self.start()

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--enable-debug-command",
                "yes",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"redis-server exited with {self.process.returncode}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                pass
            time.sleep(0.05)
        raise AssertionError(f"redis-server did not answer PING on port {self.port}")

    def kill(self) -> None:
        """SIGKILL: the server vanishes mid-command, as when a node dies."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
