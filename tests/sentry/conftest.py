"""A loopback Sentry receiver and the test project served by a real gunicorn."""

from __future__ import annotations

import json
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import services
from tests.sentry.receiver import Receiver, running_receiver
from tests.servers.process import ServerProcess, pick_free_port, server_env

pytest.importorskip("sentry_sdk", reason="the sentry extra is not installed in this env")

VERSION = {
    "source": "https://github.com/example/sentry-example",
    "version": "v9.8.7-sentry",
    "commit": "89abcdef0123456789abcdef0123456789abcdef",
    "build": "https://ci.example.com/job/7",
}
ENVIRONMENT = "sentry-e2e"


@pytest.fixture(scope="package")
def receiver() -> Iterator[Receiver]:
    with running_receiver() as receiver:
        yield receiver


@pytest.fixture(scope="package")
def project_env(receiver: Receiver, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """What the project's processes (web and Celery worker) run with."""
    base_dir = tmp_path_factory.mktemp("sentry-project")
    (base_dir / "version.json").write_text(json.dumps(VERSION))
    return server_env(
        {
            "DJANGO_SETTINGS_MODULE": "tests.sentry.project.settings",
            "DFS_SENTRY_BASE_DIR": str(base_dir),
            "SENTRY_DSN": receiver.dsn,
            "SENTRY_ENVIRONMENT": ENVIRONMENT,
            "SENTRY_TRACES_SAMPLE_RATE": "1.0",
            "DFS_CELERY_BROKER_URL": services.REDIS_URL.rsplit("/", 1)[0] + "/15",
            "DFS_CELERY_QUEUE": f"dockerflow-sentry-tests-{uuid.uuid4().hex}",
        }
    )


@pytest.fixture(scope="package")
def server(
    project_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerProcess]:
    """The project under the launcher's gunicorn, one worker (so envelopes come in order)."""
    port = pick_free_port()
    process = ServerProcess(
        [sys.executable, "-m", "dockerflow_settings.gunicorn", "tests.sentry.project.wsgi"],
        port=port,
        env={**project_env, "PORT": str(port), "WEB_CONCURRENCY": "1"},
        logdir=Path(tmp_path_factory.mktemp("sentry-gunicorn")),
    )
    try:
        process.wait_ready()
        yield process
    finally:
        process.stop()
