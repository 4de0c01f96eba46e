"""A real ``celery worker`` process of the test app, on its own queue of the local Redis."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from tests import services
from tests.celery_project.celery_app import app

REPO_ROOT = Path(__file__).resolve().parents[2]
WAIT_SECONDS = 60


class WorkerOutput:
    """Every line a worker process writes, parsed as JSON where it is JSON."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self._lock = threading.Lock()

    def read(self, stream: Any) -> None:
        for line in iter(stream.readline, ""):
            with self._lock:
                self.lines.append(line.rstrip("\n"))

    def records(self) -> list[dict[str, Any]]:
        with self._lock:
            lines = list(self.lines)
        records = []
        for line in lines:
            try:
                records.append(json.loads(line))
            except ValueError:
                continue
        return records

    def wait_for(
        self, predicate: Callable[[list[dict[str, Any]]], bool], what: str
    ) -> list[dict[str, Any]]:
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            records = self.records()
            if predicate(records):
                return records
            time.sleep(0.05)
        tail = "\n".join(self.lines[-30:])
        raise AssertionError(
            f"worker never logged {what} within {WAIT_SECONDS}s; last lines:\n{tail}"
        )


@contextlib.contextmanager
def running_worker(pool: str = "prefork", concurrency: int = 2) -> Iterator[WorkerOutput]:
    """Start a worker (stdout and stderr read together) and point the test app at its
    queue; stop it and delete the queue afterwards."""
    broker = services.require("Redis", services.REDIS_URL.rsplit("/", 1)[0] + "/15")
    queue = f"dockerflow-tests-{uuid.uuid4().hex}"
    previous_queue = app.conf.task_default_queue
    app.conf.broker_url = broker
    app.conf.task_default_queue = queue
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")])),
        "DJANGO_SETTINGS_MODULE": "tests.celery_project.settings",
        "DFS_CELERY_BROKER_URL": broker,
        "DFS_CELERY_QUEUE": queue,
        "PYTHONWARNINGS": "default",
    }
    command = [
        sys.executable, "-m", "celery", "-A", "tests.celery_project.celery_app", "--quiet",
        "worker", f"--pool={pool}", f"--concurrency={concurrency}", "--loglevel=INFO", "-Q", queue,
        "--without-mingle", "--without-gossip", "--without-heartbeat",
    ]  # fmt: skip
    process = subprocess.Popen(
        command, cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    output = WorkerOutput()
    reader = threading.Thread(target=output.read, args=(process.stdout,), daemon=True)
    reader.start()
    try:
        output.wait_for(
            lambda records: any("ready" in str(r["Fields"].get("msg", "")) for r in records),
            "that it is ready",
        )
        yield output
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:  # pragma: no cover - a stuck worker
            process.kill()
            process.wait()
        reader.join(timeout=5)
        process.stdout.close()  # type: ignore[union-attr]
        app.conf.task_default_queue = previous_queue
        with app.connection_for_write() as connection:
            connection.default_channel.queue_delete(queue)
