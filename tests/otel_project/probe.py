"""Serve requests under the real OpenTelemetry SDK and Django instrumentation; print both sides.

Run as a process of its own (instrumenting Django changes settings.MIDDLEWARE for
good). Prints the mozlog lines, then one line ``SPANS <json>`` with every exported
span's name, trace id and span id.
"""

from __future__ import annotations

import json
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.otel_project.settings")

from opentelemetry import trace
from opentelemetry.instrumentation.django import DjangoInstrumentor
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import (
    InMemorySpanExporter,
)

exporter = InMemorySpanExporter()
provider = TracerProvider()
provider.add_span_processor(SimpleSpanProcessor(exporter))
trace.set_tracer_provider(provider)
DjangoInstrumentor().instrument()

import django  # noqa: E402

django.setup()

import logging  # noqa: E402

from django.test import Client  # noqa: E402

client = Client()
for path in sys.argv[1:]:
    client.get(path)
logging.getLogger("tests.otel_project").info("outside any span")
sys.stdout.flush()
spans = [
    {
        "name": span.name,
        "trace_id": format(span.context.trace_id, "032x"),
        "span_id": format(span.context.span_id, "016x"),
    }
    for span in exporter.get_finished_spans()
]
print("SPANS " + json.dumps(spans))
