"""Real server processes on loopback: start, wait for readiness, talk HTTP, read output, stop."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import socket
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_DIR = REPO_ROOT / "example"

# Inherited variables that would change what a server does behind a test's back.
_SCRUBBED = {"PORT", "WEB_CONCURRENCY", "GUNICORN_CMD_ARGS", "DATABASE_URL", "PYTHONWARNINGS"}
_SCRUBBED_PREFIXES = ("DJANGO_", "UWSGI_")

MOZLOG_KEYS = {"Timestamp", "Type", "Logger", "Hostname", "EnvVersion", "Severity", "Pid", "Fields"}


def server_env(extra: Mapping[str, str]) -> dict[str, str]:
    """This process's environment without server/Django variables, plus ``extra``."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in _SCRUBBED and not key.startswith(_SCRUBBED_PREFIXES)
    }
    pythonpath = os.pathsep.join(p for p in (str(REPO_ROOT), env.get("PYTHONPATH")) if p)
    return {**env, "PYTHONPATH": pythonpath, "PYTHONUNBUFFERED": "1", **extra}


def pick_free_port() -> int:
    """A loopback port nothing listens on now (for fixtures wider than a function)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_is_free(port: int) -> bool:
    """Nobody accepts connections on ``port`` and a new server could bind it."""
    with socket.socket() as probe:
        probe.settimeout(1)
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            return False
    with socket.socket() as sock:
        # As servers bind: connections the old server closed may linger in TIME_WAIT.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("0.0.0.0", port))
        except OSError:
            return False
    return True


@dataclass
class Response:
    status: int
    headers: Message
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def http_get(
    port: int, path: str, headers: Mapping[str, str] | None = None, timeout: float = 10.0
) -> Response:
    """``GET path`` on ``127.0.0.1:port`` (a ``Host`` in ``headers`` replaces the default)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers=dict(headers or {}))
        answer = connection.getresponse()
        return Response(answer.status, answer.headers, answer.read())
    finally:
        connection.close()


def parse_mozlog(line: str) -> dict[str, Any]:
    """The mozlog record on ``line``; AssertionError naming the line if it is not one."""
    try:
        record = json.loads(line)
    except ValueError:
        raise AssertionError(f"not JSON: {line!r}") from None
    assert isinstance(record, dict), line
    assert set(record) == MOZLOG_KEYS, line
    assert isinstance(record["Timestamp"], int), line
    assert isinstance(record["Severity"], int), line
    assert isinstance(record["Pid"], int), line
    assert isinstance(record["Fields"], dict), line
    assert record["EnvVersion"] == "2.0", line
    return record


class ServerProcess:
    """A server started as a subprocess, its stdout and stderr kept in files."""

    def __init__(
        self,
        command: Sequence[str],
        *,
        port: int,
        env: Mapping[str, str],
        logdir: Path,
        cwd: Path = REPO_ROOT,
        name: str = "server",
    ) -> None:
        self.command = list(command)
        self.port = port
        self.stdout_path = logdir / f"{name}.stdout"
        self.stderr_path = logdir / f"{name}.stderr"
        self.paths_requested: list[str] = []  # by get(), in order
        # Append mode: each worker's whole-line writes land intact and in order.
        with open(self.stdout_path, "ab") as out, open(self.stderr_path, "ab") as err:
            self.process = subprocess.Popen(
                self.command, cwd=cwd, env=dict(env), stdout=out, stderr=err
            )

    def wait_ready(self, path: str = "/__lbheartbeat__", timeout: float = 30.0) -> None:
        """Poll ``path`` until it answers 200; fail with the server's output otherwise."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"server exited with {self.process.returncode}\n{self}")
            with contextlib.suppress(OSError, http.client.HTTPException):
                if http_get(self.port, path, timeout=2).status == 200:
                    return
            time.sleep(0.1)
        raise AssertionError(f"server not ready on port {self.port} after {timeout}s\n{self}")

    def get(self, path: str, headers: Mapping[str, str] | None = None) -> Response:
        self.paths_requested.append(path)
        return http_get(self.port, path, headers)

    def stdout(self) -> str:
        return self.stdout_path.read_text(errors="replace")

    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace")

    def output_lines(self, *, whole_only: bool = False) -> list[str]:
        """Every line written so far, stdout's then stderr's. A reader can see part of a
        write: a last line with no newline yet is left out while the process runs, or
        always with ``whole_only`` (for processes this one did not start, e.g. a master
        re-executed by USR2)."""
        keep_tail = not whole_only and self.process.poll() is not None
        lines = []
        for text in (self.stdout(), self.stderr()):
            if not keep_tail and text and not text.endswith("\n"):
                text = text[: text.rfind("\n") + 1]
            lines += text.splitlines()
        return lines

    def records(self) -> list[dict[str, Any]]:
        """Every output line as a mozlog record (AssertionError on the first that isn't)."""
        return [parse_mozlog(line) for line in self.output_lines()]

    def stop(self, timeout: float = 10.0) -> int:
        """SIGTERM, then the exit code (the process is killed if it outlives ``timeout``)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
                raise AssertionError(f"server ignored SIGTERM for {timeout}s\n{self}") from None
        return self.process.returncode

    def __str__(self) -> str:
        command = " ".join(self.command)
        return f"$ {command}\n--- stdout ---\n{self.stdout()}\n--- stderr ---\n{self.stderr()}"


def run_quick(
    command: Sequence[str], env: Mapping[str, str], cwd: Path = REPO_ROOT, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """Run a command that ends by itself; its output captured as text.

    On a timeout its whole process group is killed: a server it started by mistake
    leaves no worker behind (uvicorn's workers outlive a killed master).
    """
    with subprocess.Popen(
        list(command),
        cwd=cwd,
        env=dict(env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    ) as process:
        try:
            stdout, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
