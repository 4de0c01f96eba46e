"""OpenTelemetry trace and span ids on mozlog lines, checked against the real SDK's spans."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from dockerflow.logging import JsonLogFormatter
from dockerflow.logging.tracing import (
    call_in_trace_context,
    capture_trace_context,
    current_trace_ids,
)

REPO_ROOT = Path(__file__).resolve().parents[2]


def _format(message: str) -> dict[str, Any]:
    record = logging.LogRecord("tests", logging.INFO, __file__, 1, message, (), None)
    return json.loads(JsonLogFormatter().format(record))


def test_without_opentelemetry_imported_records_have_no_trace_fields(monkeypatch):
    for name in ("opentelemetry.trace", "opentelemetry.context"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    assert current_trace_ids() is None
    assert capture_trace_context() is None
    assert call_in_trace_context(None, lambda: 42) == 42
    fields = _format("plain")["Fields"]
    assert "trace_id" not in fields
    assert "span_id" not in fields


# --- the real SDK ------------------------------------------------------------------------

sdk = pytest.importorskip(
    "opentelemetry.sdk.trace", reason="opentelemetry-sdk is not installed in this env"
)


def _run_probe(*paths: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")])),
        "DJANGO_SETTINGS_MODULE": "tests.otel_project.settings",
    }
    result = subprocess.run(
        [sys.executable, "-W", "error", str(REPO_ROOT / "tests/otel_project/probe.py"), *paths],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    spans = json.loads(lines[-1].removeprefix("SPANS "))
    return [json.loads(line) for line in lines[:-1]], spans


def _server_span(spans: list[dict[str, Any]], path_part: str) -> dict[str, Any]:
    (span,) = [s for s in spans if path_part in s["name"]]
    return span


def test_every_line_of_a_request_carries_its_exported_span_ids():
    records, spans = _run_probe("/logs/")
    span = _server_span(spans, "logs")
    view_line = next(r for r in records if r["Fields"].get("msg") == "view line")
    summary = next(r for r in records if r["Type"] == "request.summary")
    for record in (view_line, summary):
        assert record["Fields"]["trace_id"] == span["trace_id"]
        assert record["Fields"]["span_id"] == span["span_id"]
    outside = next(r for r in records if r["Fields"].get("msg") == "outside any span")
    assert "trace_id" not in outside["Fields"]


def test_a_heartbeat_check_thread_logs_with_the_request_s_trace():
    records, spans = _run_probe("/__heartbeat__")
    # The heartbeat is served by the middleware; the instrumentation names the span
    # after the method only when no URL pattern matched.
    (span,) = [s for s in spans if s["name"].startswith("GET")]
    check_line = next(r for r in records if r["Fields"].get("msg") == "check line")
    assert check_line["Fields"]["trace_id"] == span["trace_id"]
    assert check_line["Fields"]["span_id"] == span["span_id"]


def test_ids_are_lowercase_hex_of_the_right_length():
    from opentelemetry import trace
    from opentelemetry.sdk.trace import TracerProvider

    tracer = TracerProvider().get_tracer("tests")
    with tracer.start_as_current_span("unit") as span:
        ids = current_trace_ids()
        fields = _format("inside")["Fields"]
        captured = capture_trace_context()
    assert ids == (format(span.context.trace_id, "032x"), format(span.context.span_id, "016x"))
    assert (fields["trace_id"], fields["span_id"]) == ids
    assert all(len(i) == n and i == i.lower() for i, n in zip(ids, (32, 16), strict=True))
    assert trace.get_current_span().get_span_context().is_valid is False
    assert call_in_trace_context(captured, current_trace_ids) == ids
    assert current_trace_ids() is None
