"""dockerflow.celery: the request id from a request into a real Celery worker, over real Redis."""

from __future__ import annotations

import json
import logging
import threading
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

celery = pytest.importorskip("celery", reason="the celery extra is not installed in this env")

import dockerflow.celery  # noqa: E402
from dockerflow.logging import request_id_context  # noqa: E402
from tests.celery_project import tasks  # noqa: E402
from tests.celery_project.worker import WorkerOutput, running_worker  # noqa: E402


def summaries(records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """task id -> Fields of its task.summary record."""
    return {r["Fields"]["id"]: r["Fields"] for r in records if r["Type"] == "task.summary"}


@pytest.fixture(scope="module")
def worker() -> Iterator[WorkerOutput]:
    """A real `celery worker` (prefork, 2 processes) on its own queue of the local Redis."""
    with running_worker() as output:
        yield output


@pytest.fixture
def celery_client(client, settings):
    settings.ROOT_URLCONF = "tests.celery_project.urls"
    return client


def test_a_request_s_id_reaches_every_line_of_its_task(worker, celery_client):
    response = celery_client.get("/enqueue/?expected=req-one", HTTP_X_REQUEST_ID="req-one")
    assert response.status_code == 202
    task_id = response.json()["task_id"]

    records = worker.wait_for(lambda r: task_id in summaries(r), "the task's summary")
    summary = summaries(records)[task_id]
    assert summary["rid"] == "req-one"
    assert summary["task"] == "tests.record"
    assert summary["state"] == "SUCCESS"
    assert summary["errno"] == 0
    assert isinstance(summary["t"], int)
    assert summary["t"] >= 0
    own = [r for r in records if r["Fields"].get("expected_rid") == "req-one"]
    assert [r["Fields"]["rid"] for r in own] == ["req-one"]
    # Celery's own line for the run ("Task tests.record[...] succeeded in ...").
    celery_lines = [
        r for r in records if r["Type"] == "celery.app.trace" and task_id in r["Fields"]["msg"]
    ]
    assert celery_lines, "Celery logged nothing about the run"
    assert {r["Fields"]["rid"] for r in celery_lines} == {"req-one"}


def test_a_failing_task_has_errno_500_and_one_error_record(worker, celery_client):
    response = celery_client.get("/enqueue-failing/", HTTP_X_REQUEST_ID="req-failing")
    task_id = response.json()["task_id"]

    records = worker.wait_for(lambda r: task_id in summaries(r), "the failing task's summary")
    summary = summaries(records)[task_id]
    assert summary["state"] == "FAILURE"
    assert summary["errno"] == 500
    assert summary["rid"] == "req-failing"
    errors = [r for r in records if r["Fields"].get("rid") == "req-failing" and r["Severity"] <= 3]
    assert len(errors) == 1, errors
    assert "the task failed on purpose" in errors[0]["Fields"]["traceback"]


def test_tasks_sent_outside_a_request_each_get_a_fresh_id(worker):
    assert request_id_context.get() is None
    ids = [tasks.record.delay(None).id for _ in range(2)]

    records = worker.wait_for(lambda r: all(i in summaries(r) for i in ids), "both summaries")
    rids = [summaries(records)[i]["rid"] for i in ids]
    assert rids[0] != rids[1]
    for rid in rids:
        assert str(uuid.UUID(rid)) == rid


def test_200_tasks_from_200_requests_each_keep_their_own_id(worker, celery_client):
    expected = {}
    for n in range(200):
        rid = f"req-{n:03d}-{uuid.uuid4().hex[:8]}"
        response = celery_client.get(f"/enqueue/?expected={rid}", HTTP_X_REQUEST_ID=rid)
        expected[response.json()["task_id"]] = rid

    records = worker.wait_for(
        lambda r: expected.keys() <= summaries(r).keys(), "the 200 task summaries"
    )
    found = summaries(records)
    assert {task_id: found[task_id]["rid"] for task_id in expected} == expected
    own = [r for r in records if r["Fields"].get("expected_rid") in set(expected.values())]
    assert len(own) == 200
    assert all(r["Fields"]["rid"] == r["Fields"]["expected_rid"] for r in own)


def test_every_line_the_worker_writes_is_mozlog_json(worker):
    # Runs after the tests above (file order), so it covers their output too.
    assert worker.lines
    for line in worker.lines:
        record = json.loads(line)
        assert {"Timestamp", "Type", "Logger", "Severity", "Fields"} <= record.keys(), line


# --- in process (eager runs send the same signals) ----------------------------------


@pytest.fixture
def summary_records(caplog):
    caplog.set_level(logging.INFO, logger=dockerflow.celery.SUMMARY_LOGGER_NAME)
    return lambda: [r for r in caplog.records if r.name == dockerflow.celery.SUMMARY_LOGGER_NAME]


def test_an_eager_run_sets_and_resets_the_request_id(summary_records):
    token = request_id_context.set("outer-id")
    try:
        result = tasks.record.apply(args=["x"], headers={dockerflow.celery.HEADER: "sent-id"})
        assert result.get() == "ok"
        assert request_id_context.get() == "outer-id"
    finally:
        request_id_context.reset(token)
    (record,) = summary_records()
    assert record.rid == "sent-id"
    assert record.errno == 0


@pytest.mark.parametrize("forged", ["has spaces", "x" * 500, 42, None])
def test_an_invalid_or_missing_header_gets_a_fresh_id(forged, summary_records):
    headers = {} if forged is None else {dockerflow.celery.HEADER: forged}
    tasks.record.apply(args=["x"], headers=headers)
    (record,) = summary_records()
    assert str(uuid.UUID(record.rid)) == record.rid


def test_publishing_adds_the_current_id_or_a_fresh_one():
    headers: dict[str, Any] = {}
    token = request_id_context.set("current-id")
    try:
        dockerflow.celery._add_request_id(headers=headers)
    finally:
        request_id_context.reset(token)
    assert headers == {dockerflow.celery.HEADER: "current-id"}
    fresh: dict[str, Any] = {}
    dockerflow.celery._add_request_id(headers=fresh)
    assert str(uuid.UUID(fresh[dockerflow.celery.HEADER])) == fresh[dockerflow.celery.HEADER]
    dockerflow.celery._add_request_id(headers=None)  # protocol 1: nothing to do, no error


def test_an_eager_run_without_a_header_keeps_the_caller_s_id(summary_records):
    token = request_id_context.set("caller-id")
    try:
        tasks.record.apply(args=["x"])
    finally:
        request_id_context.reset(token)
    (record,) = summary_records()
    assert record.rid == "caller-id"


def test_two_runs_sharing_a_task_id_each_log_their_summary(summary_records, monkeypatch):
    # A thread pool running a re-sent or retried task: both runs are in flight at once
    # (each waits for the other inside the task), with the same task id.
    monkeypatch.setattr(tasks, "RENDEZVOUS", threading.Barrier(2, timeout=10))
    runs = [
        threading.Thread(target=tasks.rendezvous.apply, kwargs={"task_id": "shared-id"})
        for _ in range(2)
    ]
    for run in runs:
        run.start()
    for run in runs:
        run.join(timeout=20)
    records = summary_records()
    assert [(r.id, r.state) for r in records] == [("shared-id", "SUCCESS")] * 2
    assert len({r.rid for r in records}) == 2  # each run had an id of its own
    assert dockerflow.celery._runs == {}


def test_postrun_without_prerun_logs_nothing(summary_records):
    dockerflow.celery._end_run(task_id="never-started", task=None, state="SUCCESS")
    dockerflow.celery._end_run()
    dockerflow.celery._start_run()  # a signal without a task: ignored
    assert summary_records() == []


def test_install_twice_connects_each_receiver_once(summary_records):
    dockerflow.celery.install()
    dockerflow.celery.install()
    tasks.record.apply(args=["x"])
    assert len(summary_records()) == 1


def test_worker_logging_without_django_settings_uses_a_mozlog_handler(monkeypatch):
    from django.conf import settings

    from dockerflow.logging import MozlogHandler

    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    monkeypatch.setattr(settings, "LOGGING", {})
    try:
        dockerflow.celery.configure_worker_logging(loglevel="WARNING")
        dockerflow.celery.configure_worker_logging()
        added = [h for h in root.handlers if isinstance(h, MozlogHandler)]
        assert len(added) == 1
        assert root.level == logging.WARNING
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
        logging.captureWarnings(False)
