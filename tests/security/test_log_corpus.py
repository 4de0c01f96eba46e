"""No secret and no unbounded line in any log: the corpus through real entry points.

Every input of :mod:`tests.security.log_corpus` is sent through Django's test client
(in a process of its own, with the project's real ``LOGGING``), a real gunicorn, and
a real Celery worker on Redis. Whatever logger writes about it -- request.summary,
django.request, the application's logger, Celery's own lines, task.summary -- every
line of stdout and stderr must be mozlog JSON, within the 64 KiB bound, and free of
every secret (and of every 4-character piece of one).
"""

from __future__ import annotations

import http.client
import subprocess
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.security.corpus import Case, leaks
from tests.security.log_corpus import ALL_CASES, HTTP_CASES, TASK_CASES, HttpCase
from tests.servers.process import ServerProcess, parse_mozlog, pick_free_port, server_env

REPO_ROOT = Path(__file__).resolve().parents[2]
SETTINGS = "tests.security.log_project.settings"
#: MozlogFormatter.MAX_LINE_SIZE, restated: the promise docs/security.rst makes.
BOUND = 64 * 1024

CLIENT_SCRIPT = """
import django
django.setup()
from django.test import Client
from tests.security.log_corpus import HTTP_CASES

client = Client(raise_request_exception=False)
for case in HTTP_CASES:
    headers = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in case.headers.items()}
    client.generic(case.method, case.path, case.body, "application/json", **headers)
"""


def strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def check_lines(lines: list[str], cases: Iterable[Case] = ALL_CASES) -> list[dict[str, Any]]:
    """Every line is mozlog JSON within the bound with no secret; the records."""
    records = []
    for line in lines:
        record = parse_mozlog(line)
        assert len(line.encode("utf-8")) <= BOUND, (len(line), line[:200])
        # The line as written, and its strings decoded (a quote in a secret is escaped).
        found = leaks("\n".join([line, *strings(record)]), cases)
        assert not found, (found, line[:2000])
        records.append(record)
    return records


def check_http_records(records: list[dict[str, Any]]) -> None:
    """One request.summary per request; the large ones kept their record, cut."""
    summaries = [r for r in records if r["Type"] == "request.summary"]
    assert len(summaries) == len(HTTP_CASES), [r["Fields"].get("path") for r in summaries]
    big = [r for r in summaries if r["Fields"]["path"] == "/raise-body/" and "error" in r["Fields"]]
    assert any(r["Fields"]["traceback"].endswith(" characters cut]") for r in big)
    payloads = [r for r in records if r["Type"] == "tests.security.views"]
    assert len(payloads) == sum(case.path == "/log-payload/" for case in HTTP_CASES)


@pytest.mark.parametrize("querystring", ["0", "1"], ids=["default", "querystring-logged"])
def test_the_corpus_through_the_test_client(querystring: str) -> None:
    env = server_env({"DJANGO_SETTINGS_MODULE": SETTINGS, "LOG_QUERYSTRING": querystring})
    result = subprocess.run(
        [sys.executable, "-c", CLIENT_SCRIPT],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    records = check_lines(result.stdout.splitlines() + result.stderr.splitlines())
    check_http_records(records)
    logged = [r["Fields"].get("querystring") for r in records if r["Type"] == "request.summary"]
    assert any(logged) == (querystring == "1")


def send(port: int, case: HttpCase) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        headers = {"Content-Type": "application/json", **case.headers}
        connection.request(case.method, case.path, case.body.encode(), headers)
        return connection.getresponse().status
    finally:
        connection.close()


@pytest.mark.servers
def test_the_corpus_through_gunicorn(tmp_path: Path) -> None:
    port = pick_free_port()
    env = server_env(
        {
            "DJANGO_SETTINGS_MODULE": SETTINGS,
            "LOG_QUERYSTRING": "1",
            "PORT": str(port),
            "WEB_CONCURRENCY": "2",
        }
    )
    server = ServerProcess(
        [sys.executable, "-m", "dockerflow_settings.gunicorn", "tests.security.log_project.wsgi"],
        port=port,
        env=env,
        logdir=tmp_path,
    )
    try:
        server.wait_ready("/ok/")
        statuses = {case.label: send(port, case) for case in HTTP_CASES}
    finally:
        assert server.stop() == 0, str(server)[-3000:]
    assert statuses["b-2mb"] == 500
    assert statuses["q-password"] == 200
    records = check_lines(server.output_lines())
    # wait_ready's probes were requests too.
    probes = [
        r
        for r in records
        if r["Fields"].get("path") == "/ok/" and not r["Fields"].get("querystring")
    ]
    check_http_records([r for r in records if r not in probes])


@pytest.fixture(scope="module")
def celery_worker() -> Iterator[Any]:
    pytest.importorskip("celery", reason="the celery extra is not installed in this env")
    from tests.celery_project.worker import running_worker

    with running_worker(pool="threads", concurrency=2) as output:
        yield output


def test_the_corpus_through_a_celery_worker(celery_worker: Any) -> None:
    from tests.celery_project import tasks

    sent = {case.label: tasks.leaky.apply_async(case.args, case.kwargs).id for case in TASK_CASES}
    records = celery_worker.wait_for(
        lambda rs: (
            set(sent.values()) <= {r["Fields"].get("id") for r in rs if r["Type"] == "task.summary"}
        ),
        "every task's summary",
    )
    check_lines(celery_worker.lines, [case.case for case in TASK_CASES])
    states = {
        r["Fields"]["id"]: r["Fields"]["state"] for r in records if r["Type"] == "task.summary"
    }
    assert states[sent["t-failure"]] == "FAILURE"
    assert states[sent["t-return-value"]] == "SUCCESS"
    failure = [r for r in records if r["Type"] == "celery.app.trace" and r["Severity"] == 3]
    assert len(failure) == 1
    assert "token" in failure[0]["Fields"]["error"]
    received = [r for r in records if r["Fields"].get("msg", "").endswith("received")]
    assert received
    assert all("args" not in r["Fields"]["data"] for r in received)


def test_every_corpus_secret_is_long_enough_to_count() -> None:
    assert len(ALL_CASES) >= 40
    assert len({secret for case in ALL_CASES for secret in case.secrets}) >= 40
