"""Real processes and sockets the scenarios run against: gunicorn, redis-server, a silent peer."""

from __future__ import annotations

import contextlib
import importlib.util
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests import services
from tests.backing_services import probes

REPO_ROOT = Path(__file__).resolve().parents[2]
SETTINGS_MODULE = "tests.services_project.settings"

# Inherited variables that would change what the server does behind the test's back.
_SCRUBBED = ("DJANGO_SETTINGS_MODULE", "GUNICORN_CMD_ARGS", "PORT", "WEB_CONCURRENCY")


def project_env(env: dict[str, str]) -> dict[str, str]:
    """The environment of a process running the services project with ``env`` on top."""
    base = {k: v for k, v in os.environ.items() if k not in _SCRUBBED and not k.startswith("DFS_")}
    pythonpath = os.pathsep.join(p for p in (str(REPO_ROOT), base.get("PYTHONPATH")) if p)
    return {
        **base,
        "PYTHONPATH": pythonpath,
        "DJANGO_SETTINGS_MODULE": SETTINGS_MODULE,
        "PYTHONUNBUFFERED": "1",
        **env,
    }


def _shipped_gunicorn_config() -> bool:
    try:
        return importlib.util.find_spec("dockerflow_settings.gunicorn") is not None
    except ImportError:
        return False


class GunicornServer:
    """``gunicorn tests.services_project.wsgi`` on ``127.0.0.1:port`` with gthread workers.

    Uses the shipped ``python:dockerflow_settings.gunicorn`` config when it exists
    (``PORT``/``WEB_CONCURRENCY`` set accordingly); the explicit flags pin what the
    scenarios depend on (loopback bind, worker class, threads).
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
        self.stdout_path = logdir / f"{name}.stdout.log"
        self.stderr_path = logdir / f"{name}.stderr.log"
        self.uses_shipped_config = _shipped_gunicorn_config()
        config = ["-c", "python:dockerflow_settings.gunicorn"] if self.uses_shipped_config else []
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            *config,
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            "gthread",
            "--threads",
            str(threads),
            "--graceful-timeout",
            "3",
            "tests.services_project.wsgi",
        ]
        server_env = project_env({**env, "PORT": str(port), "WEB_CONCURRENCY": str(workers)})
        # Append mode: every worker's one-line log writes land whole and in order.
        with open(self.stdout_path, "ab") as out, open(self.stderr_path, "ab") as err:
            self.process = subprocess.Popen(
                command, cwd=REPO_ROOT, env=server_env, stdout=out, stderr=err
            )
        self.readiness_probes = 0  # answered /__lbheartbeat__ requests made while starting
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise

    def _wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(
                    f"gunicorn exited with {self.process.returncode}\n{self.logs()}"
                )
            try:
                response = probes.get(self.port, "/__lbheartbeat__", timeout=2)
            except OSError:
                time.sleep(0.1)
                continue
            self.readiness_probes += 1
            if response.status == 200:
                return
            time.sleep(0.1)
        raise AssertionError(
            f"gunicorn not ready on port {self.port} after {timeout}s\n{self.logs()}"
        )

    def get(self, path: str, *, timeout: float = 10.0) -> probes.Response:
        return probes.get(self.port, path, timeout=timeout)

    def logs(self, tail: int = 4000) -> str:
        out = self.stdout_path.read_text(errors="replace")[-tail:]
        err = self.stderr_path.read_text(errors="replace")[-tail:]
        return f"--- stdout (tail) ---\n{out}\n--- stderr (tail) ---\n{err}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def pick_free_port() -> int:
    """A loopback port nothing listens on (for a second server in one test)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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
