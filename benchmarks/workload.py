"""One benchmark measurement, run identically inside either benchmark virtualenv.

Usage (the runner, ``benchmarks/run.py``, calls it; ``BENCH_STATE_DIR`` must be set)::

    python benchmarks/workload.py MEASURE [--scale F]

MEASURE is one of ``info``, ``migrate``, ``middleware``, ``lbheartbeat``,
``formatter``, ``heartbeat_slow``, ``heartbeat_fast``, ``memory``, ``otel_lookup``.
The result is one JSON object on stdout. ``--scale`` multiplies the amount of work (a
smoke test uses a tiny scale). The script never asks which package it is running
against: it imports ``dockerflow`` and uses only the API both packages share, except
the formatter measure, which also times the orjson path where
``dockerflow.logging.encoding`` offers it (and python-json-logger's OrjsonFormatter as
its peer), and ``otel_lookup``, which needs ``dockerflow.logging.tracing`` (ours only).
"""

from __future__ import annotations

import argparse
import functools
import gc
import json
import logging
import resource
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from typing import Any

import bench_project
import django
from django.conf import settings
from peer_formatter import peer_formatters
from wsgi_loop import make_environ, per_request_us, start_response

#: python-dockerflow's JsonLogFormatter warns that it is deprecated when LOGGING builds it.
warnings.filterwarnings("ignore", category=DeprecationWarning, module="dockerflow")


def setup(checks: list[str], middleware: list[str]) -> None:
    settings.configure(**bench_project.settings_dict(bench_project.state_dir(), checks, middleware))
    django.setup()


def make_handler(middleware: list[str]) -> Callable[..., Any]:
    from django.core.handlers.wsgi import WSGIHandler
    from django.test.utils import override_settings

    with override_settings(MIDDLEWARE=middleware):
        return WSGIHandler()  # the middleware chain is loaded now, from these settings


def call(handler: Callable[..., Any], environ: dict[str, Any]) -> tuple[int, bytes]:
    response = handler(environ.copy(), start_response)
    body = b"".join(response)
    response.close()
    return response.status_code, body


def expect_ok(handler: Callable[..., Any], environ: dict[str, Any]) -> None:
    status, body = call(handler, environ)
    if status != 200:
        raise SystemExit(f"{environ['PATH_INFO']} answered {status}: {body[:300]!r}")


# Within one process the best batch is kept: other processes on a shared machine only
# ever add time, so the fastest batch is the closest to the code's own cost. The runner
# then takes the median of these over rounds (processes).
Case = tuple[Callable[..., Any], dict[str, Any], dict[str, Any]]


def interleaved_batches(
    cases: dict[str, Case], batches: int, requests: int
) -> dict[str, list[float]]:
    """Per case (handler, environ, settings overridden during its batches), µs/request."""
    from django.test.utils import override_settings

    for handler, environ, overrides in cases.values():  # warm up: imports, URL resolver
        with override_settings(**overrides):
            expect_ok(handler, environ)
            per_request_us(handler, environ, max(requests // 5, 20))
    samples: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(batches):
        for name, (handler, environ, overrides) in cases.items():
            with override_settings(**overrides):
                gc.collect()
                samples[name].append(per_request_us(handler, environ, requests))
    return samples


# --- measures -------------------------------------------------------------------------


def measure_info(scale: float) -> dict[str, Any]:
    import importlib.metadata as md

    import dockerflow

    def version(dist: str) -> str | None:
        try:
            return md.version(dist)
        except md.PackageNotFoundError:
            return None

    try:
        import orjson

        orjson_version = orjson.__version__
    except ImportError:
        orjson_version = None
    return {
        "python": sys.version.split()[0],
        "django": django.get_version(),
        "dockerflow_file": dockerflow.__file__,
        "dockerflow-settings": version("dockerflow-settings"),
        "dockerflow": version("dockerflow"),
        "whitenoise": version("whitenoise"),
        "orjson": orjson_version,
        "python-json-logger": version("python-json-logger"),
    }


def measure_migrate(scale: float) -> dict[str, Any]:
    from django.core.management import call_command

    setup(bench_project.FAST_CHECKS, [])
    call_command("migrate", verbosity=0, skip_checks=True)
    return {"migrated": settings.DATABASES["default"]["NAME"]}


def measure_middleware(scale: float) -> dict[str, Any]:
    """(trivial view with only DockerflowMiddleware) - (no middleware), µs per request."""
    setup(bench_project.FAST_CHECKS, [])
    environ = make_environ("/trivial/")
    samples = interleaved_batches(
        {
            "bare": (make_handler([]), environ, {}),
            "with": (make_handler([bench_project.DOCKERFLOW]), environ, {}),
        },
        batches=7,
        requests=max(int(2000 * scale), 10),
    )
    bare = min(samples["bare"])
    with_mw = min(samples["with"])
    return {"value": with_mw - bare, "bare_us": bare, "with_us": with_mw}


def measure_lbheartbeat(scale: float) -> dict[str, Any]:
    """µs per /__lbheartbeat__ through the realistic middleware stack: with every probe
    logged (both packages' default), with DOCKERFLOW_SUMMARY_LOG_PROBES = "none" (which
    python-dockerflow ignores: it logs them all), and Django's own floor."""
    setup(bench_project.FAST_CHECKS, bench_project.REALISTIC_MIDDLEWARE)
    environ = make_environ("/__lbheartbeat__")
    handler = make_handler(bench_project.REALISTIC_MIDDLEWARE)
    samples = interleaved_batches(
        {
            "lb": (handler, environ, {}),
            "quiet": (handler, environ, {"DOCKERFLOW_SUMMARY_LOG_PROBES": "none"}),
            "floor": (make_handler(bench_project.FLOOR_MIDDLEWARE), environ, {}),
        },
        batches=7,
        requests=max(int(2000 * scale), 10),
    )
    return {
        "value": min(samples["lb"]),
        "quiet": min(samples["quiet"]),
        "floor_us": min(samples["floor"]),
    }


def app_record() -> logging.LogRecord:
    """An application log line with three ``extra`` fields, as ``logger.info`` makes it."""
    logger = logging.getLogger("bench.app")
    extra = {"user_id": 1234567, "endpoint": "/api/v1/items", "cache_hit": True}
    return logger.makeRecord(
        logger.name, logging.INFO, __file__, 1, "user %s fetched %d items", ("alice", 42),
        None, "view", extra,
    )  # fmt: skip


def measure_formatter(scale: float) -> dict[str, Any]:
    """Records per second through ``JsonLogFormatter.format`` and python-json-logger's.

    Ours with the stdlib encoder and, where offered, with orjson; python-dockerflow's
    (stdlib only); the peer formatters; batches interleaved in one process.
    """
    from dockerflow.logging import JsonLogFormatter

    try:
        from dockerflow.logging import encoding  # this package only
    except ImportError:
        encoding = None
    # Revisions before the single encoder switch with use_orjson(); later ones by
    # replacing encoding.dumps.
    use_orjson = getattr(encoding, "use_orjson", None)
    if encoding is not None and use_orjson is None:

        def use_orjson(enabled: bool) -> None:
            encoding.dumps = encoding.dumps_orjson if enabled else encoding.dumps_stdlib

    formatter = JsonLogFormatter(logger_name="bench")
    record = app_record()
    number = max(int(20000 * scale), 10)

    def rate(fmt: Callable[[logging.LogRecord], str]) -> float:
        perf = time.perf_counter
        gc.collect()
        begin = perf()
        for _ in range(number):
            fmt(record)
        return number / (perf() - begin)

    # mode -> (format method, our orjson switch before each of its batches; None: no switch)
    modes: dict[str, tuple[Callable[[logging.LogRecord], str], bool | None]] = {
        "value": (formatter.format, False),
    }
    not_measured = {}
    if getattr(encoding, "orjson", None) is not None:
        modes["orjson"] = (formatter.format, True)
    elif encoding is not None:
        not_measured["orjson"] = "orjson is not importable"
    peers, why = peer_formatters()
    for mode, peer in peers.items():
        modes[mode] = (peer.format, None)
    if why:
        not_measured["peer_orjson"] = not_measured["peer_orjson_default"] = why

    def switch(enabled: bool | None) -> None:
        if use_orjson is not None and enabled is not None:
            use_orjson(enabled)

    for fmt, enabled in modes.values():
        switch(enabled)
        json.loads(fmt(record))  # valid JSON, or the measurement is meaningless
    samples: dict[str, list[float]] = {mode: [] for mode in modes}
    for _ in range(7):
        for mode, (fmt, enabled) in modes.items():
            switch(enabled)
            samples[mode].append(rate(fmt))
    result: dict[str, Any] = {mode: max(rates) for mode, rates in samples.items()}
    if not_measured:
        result["not_measured"] = not_measured
    return result


def fastest_us_per_call(func: Callable[[], Any], number: int, batches: int = 7) -> float:
    perf = time.perf_counter
    best = float("inf")
    for _ in range(batches):
        gc.collect()
        begin = perf()
        for _ in range(number):
            func()
        best = min(best, perf() - begin)
    return best / number * 1e6


def measure_otel_lookup(scale: float) -> dict[str, Any]:
    """µs per record that OpenTelemetry's trace-id lookup adds when no span is active.

    ``format()`` of the app record before OpenTelemetry is imported (the lookup finds no
    module), then with the SDK's tracer provider set and no span active; the import
    cannot be undone, so the two sets of batches follow each other instead of alternating.
    """
    try:
        from dockerflow.logging import tracing  # this package only
    except ImportError:
        return {"not_measured": {"value": "dockerflow.logging has no OpenTelemetry lookup"}}
    from dockerflow.logging import JsonLogFormatter

    if "opentelemetry.trace" in sys.modules:
        raise SystemExit("opentelemetry.trace was imported before the baseline was timed")
    formatter = JsonLogFormatter(logger_name="bench")
    record = app_record()
    number = max(int(20000 * scale), 10)
    fmt = functools.partial(formatter.format, record)
    before = fastest_us_per_call(fmt, number)

    try:
        from opentelemetry import trace
        from opentelemetry.sdk.trace import TracerProvider
    except ImportError:  # e.g. the mindeps tox env, where the smoke round also runs
        return {"not_measured": {"value": "opentelemetry-sdk is not installed"}}

    trace.set_tracer_provider(TracerProvider())
    if tracing.current_trace_ids() is not None:
        raise SystemExit("a span is active: this measure is for records outside any span")
    after = fastest_us_per_call(fmt, number)
    lookup = fastest_us_per_call(tracing.current_trace_ids, number)
    with trace.get_tracer("bench").start_as_current_span("bench"):
        trace_id, _ = tracing.current_trace_ids()
        if trace_id not in formatter.format(record):
            # Without the formatter writing the ids, the difference would time nothing.
            return {"not_measured": {"value": "the formatter does not write trace ids"}}
    return {"value": after - before, "before_us": before, "after_us": after, "lookup_us": lookup}


def _heartbeat(checks: list[str], warmup: int, timed: int) -> dict[str, Any]:
    setup(checks, bench_project.REALISTIC_MIDDLEWARE)
    handler = make_handler(bench_project.REALISTIC_MIDDLEWARE)
    environ = make_environ("/__heartbeat__")
    for _ in range(warmup):
        status, body = call(handler, environ)
    times = []
    for _ in range(timed):
        begin = time.perf_counter()
        status, body = call(handler, environ)
        times.append(time.perf_counter() - begin)
    # The median call, not the fastest: a heartbeat's spread is partly its own (check
    # threads wait to be scheduled), which the fastest call would hide.
    return {
        "value": statistics.median(times) * 1000,
        "fastest_ms": min(times) * 1000,
        "status": status,
        "body": body.decode(errors="replace")[:200],
    }


def measure_heartbeat_slow(scale: float) -> dict[str, Any]:
    """ms for one /__heartbeat__ with five 100 ms checks in DOCKERFLOW_CHECKS."""
    return _heartbeat(bench_project.SLOW_CHECKS, warmup=1, timed=max(int(4 * scale), 1))


def measure_heartbeat_fast(scale: float) -> dict[str, Any]:
    """ms for one /__heartbeat__ with the database and migrations checks on SQLite."""
    return _heartbeat(bench_project.FAST_CHECKS, warmup=3, timed=max(int(25 * scale), 1))


def measure_memory(scale: float) -> dict[str, Any]:
    """Peak RSS (MiB) after 20,000 requests to the trivial view through the realistic stack."""
    setup(bench_project.FAST_CHECKS, bench_project.REALISTIC_MIDDLEWARE)
    handler = make_handler(bench_project.REALISTIC_MIDDLEWARE)
    environ = make_environ("/trivial/")
    expect_ok(handler, environ)
    requests = max(int(20000 * scale), 10)
    per_request_us(handler, environ, requests - 1)
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    return {"value": peak_kib / 1024, "requests": requests}


MEASURES: dict[str, Callable[[float], dict[str, Any]]] = {
    "info": measure_info,
    "migrate": measure_migrate,
    "middleware": measure_middleware,
    "lbheartbeat": measure_lbheartbeat,
    "formatter": measure_formatter,
    "heartbeat_slow": measure_heartbeat_slow,
    "heartbeat_fast": measure_heartbeat_fast,
    "memory": measure_memory,
    "otel_lookup": measure_otel_lookup,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("measure", choices=sorted(MEASURES))
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args(argv)
    result = MEASURES[args.measure](args.scale)
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
