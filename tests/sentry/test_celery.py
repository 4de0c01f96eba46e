"""A Celery task's error reaches Sentry tagged with the request id of the request that
queued it: real gunicorn, real Celery worker, real Redis broker."""

from __future__ import annotations

import json
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import services
from tests.sentry.receiver import Receiver
from tests.servers.process import ServerProcess

pytest.importorskip("celery", reason="the celery extra is not installed in this env")

pytestmark = [pytest.mark.services, pytest.mark.servers, pytest.mark.slow]


@pytest.fixture(scope="module")
def worker(
    project_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerProcess]:
    broker = services.require("Redis", project_env["DFS_CELERY_BROKER_URL"])
    queue = project_env["DFS_CELERY_QUEUE"]
    command = [
        sys.executable, "-m", "celery", "-A", "tests.sentry.project.celery_app", "--quiet",
        "worker", "--pool=prefork", "--concurrency=1", "--loglevel=INFO", "-Q", queue,
        "--without-mingle", "--without-gossip", "--without-heartbeat",
    ]  # fmt: skip
    process = ServerProcess(
        command, port=0, env=project_env, logdir=Path(tmp_path_factory.mktemp("sentry-celery"))
    )
    try:
        deadline = time.monotonic() + 60
        while "ready" not in process.stdout():
            assert process.process.poll() is None, f"the worker exited\n{process}"
            assert time.monotonic() < deadline, f"the worker is not ready after 60s\n{process}"
            time.sleep(0.1)
        yield process
    finally:
        process.stop(timeout=30)
        import redis

        client = redis.Redis.from_url(broker)
        client.delete(queue, f"_kombu.binding.{queue}")
        client.close()


def test_a_task_error_is_tagged_with_the_rid_of_the_request_that_queued_it(
    server: ServerProcess, worker: ServerProcess, receiver: Receiver
) -> None:
    rid = f"sentry-celery-{uuid.uuid4().hex}"
    answer = server.get("/enqueue-failing/", headers={"X-Request-ID": rid})
    assert answer.status == 202
    task_id = json.loads(answer.body)["task_id"]

    event = receiver.wait_for(
        lambda e: (e.get("tags") or {}).get("celery_task_id") == task_id, "event", "of the task"
    )
    assert event["exception"]["values"][-1]["value"] == "the task failed on purpose"
    assert event["tags"]["rid"] == rid
    assert event["environment"] == "sentry-e2e"
