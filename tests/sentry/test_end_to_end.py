"""Sentry in a project served by a real gunicorn, reporting to a loopback receiver."""

from __future__ import annotations

import sys
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from dockerflow_settings.sentry import PROBE_PATHS
from tests.sentry.conftest import ENVIRONMENT, VERSION
from tests.sentry.receiver import Receiver
from tests.servers.process import ServerProcess, pick_free_port

pytestmark = pytest.mark.servers

PROBES = sorted(PROBE_PATHS)


def tags(event: dict[str, Any]) -> dict[str, Any]:
    return event.get("tags") or {}


def request_of(transaction: dict[str, Any]) -> dict[str, Any]:
    return transaction.get("request") or {}  # Celery tasks' transactions have none


def path_of(transaction: dict[str, Any]) -> str:
    return urlsplit(request_of(transaction).get("url", "")).path


def test_a_view_error_arrives_tagged_with_the_request_and_without_secrets(
    server: ServerProcess, receiver: Receiver
) -> None:
    rid = f"sentry-{uuid.uuid4().hex}"
    secrets = {name: f"{name}{uuid.uuid4().hex}" for name in ("token", "pw", "bearer", "session")}
    answer = server.get(
        f"/boom/?token={secrets['token']}&password={secrets['pw']}&page=2",
        headers={
            "X-Request-ID": rid,
            "Authorization": f"Bearer {secrets['bearer']}",
            "Cookie": f"sessionid={secrets['session']}",
        },
    )
    assert answer.status == 500

    event = receiver.wait_for(lambda e: tags(e).get("rid") == rid, "event", f"with rid {rid}")
    assert event["release"] == VERSION["version"]
    assert event["environment"] == ENVIRONMENT
    assert event["exception"]["values"][-1]["value"] == "the view failed on purpose"
    assert event["request"]["query_string"] == "token=********&password=********&page=2"
    # Its transaction too (sample rate 1.0): its envelope is searched below as well.
    transaction = receiver.wait_for_item(
        lambda t: tags(t).get("rid") == rid, "transaction", f"with rid {rid}"
    )
    assert path_of(transaction.payload) == "/boom/"
    # Sentry's routing data is no secret of the application: its public key unmasked.
    assert transaction.envelope_header["trace"]["public_key"] == "public-key"
    for envelope in receiver.envelopes():
        for secret in secrets.values():
            assert secret.encode() not in envelope, (secret, envelope)


def test_probes_never_become_transactions(server: ServerProcess, receiver: Receiver) -> None:
    assert_probes_are_not_traced(server, receiver)


@pytest.fixture(scope="module")
def asgi_server(
    project_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerProcess]:
    """The project under uvicorn (Sentry's ASGI instrumentation: the sampler sees a scope)."""
    pytest.importorskip("uvicorn", reason="the asgi extra is not installed in this env")
    port = pick_free_port()
    command = [
        sys.executable, "-m", "uvicorn", "--host", "127.0.0.1", "--port", str(port),
        "--no-access-log", "--lifespan", "off", "tests.sentry.project.asgi:application",
    ]  # fmt: skip
    process = ServerProcess(
        command, port=port, env=project_env, logdir=tmp_path_factory.mktemp("sentry-uvicorn")
    )
    try:
        process.wait_ready()
        yield process
    finally:
        process.stop()


@pytest.mark.asgi
def test_probes_never_become_transactions_under_asgi(
    asgi_server: ServerProcess, receiver: Receiver
) -> None:
    assert_probes_are_not_traced(asgi_server, receiver)


def assert_probes_are_not_traced(server: ServerProcess, receiver: Receiver) -> None:
    """100 probes, then one normal request: only the normal request is traced."""
    for n in range(100):
        assert server.get(PROBES[n % len(PROBES)]).status == 200
    marker = uuid.uuid4().hex
    assert server.get(f"/ok/?marker={marker}").status == 200

    # One worker sends its envelopes in order: the probes' would have come first.
    receiver.wait_for(
        lambda t: request_of(t).get("query_string") == f"marker={marker}",
        "transaction",
        "for the normal request",
    )
    traced = {path_of(t) for t in receiver.of_type("transaction")}
    assert "/ok/" in traced
    assert not traced & PROBE_PATHS
