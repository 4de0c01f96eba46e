"""The rows of ``RESULTS.md``: what each compares, against which target.

A row is a ratio of two figures, each a result field of one side's workload
process: usually ours against python-dockerflow's, but the orjson formatter row
divides by python-json-logger measured in our own processes, and the settings-load
row compares two ways of loading settings in our environment.
"""

from __future__ import annotations

from dataclasses import dataclass

OURS, PYDF = "ours", "pydf"
SIDE_NAMES = {OURS: "dockerflow-settings", PYDF: "python-dockerflow"}

#: The peer formatter of the orjson row, configured in workload.py.
PEER = "python-json-logger"


@dataclass(frozen=True)
class Row:
    key: str
    title: str
    how: str
    unit: str
    higher_is_better: bool
    #: None for an informational row: no target since the architecture issue's revision.
    target: float | None
    #: workload.py measure, or "settings" for the settings-load processes
    measure: str
    #: (side, result field) of the numerator and of the denominator; with no
    #: denominator the target is an absolute bound on the numerator, in ``unit``
    num: tuple[str, str] = (OURS, "value")
    den: tuple[str, str] | None = (PYDF, "value")
    #: what the two table cells are prefixed with, when not the column's own side
    labels: tuple[str, str] = ("", "")
    #: why an informational row has no target, shown in the target column
    informational: str = ""

    @property
    def sides(self) -> set[str]:
        return {self.num[0]} | ({self.den[0]} if self.den else set())

    @property
    def target_text(self) -> str:
        if self.target is None:
            return self.informational or "none"
        bound = f"{self.target:g} {self.unit}" if self.den is None else f"{self.target:g}x"
        return f"{'≥' if self.higher_is_better else '≤'} {bound}"

    def met(self, figure: float) -> bool | None:
        """Whether the ratio (the value, for a row without denominator) meets the target."""
        if self.target is None:
            return None
        return figure >= self.target if self.higher_is_better else figure <= self.target


ROWS = [
    Row(
        "middleware",
        "middleware overhead",
        "raw WSGI loop: Django's WSGIHandler called with a prebuilt environ (browser "
        "headers, no X-Request-ID) for a trivial view; request.summary formatted by "
        "JsonLogFormatter into a null stream; mean µs/request with only "
        "DockerflowMiddleware minus with no middleware (7 interleaved batches of 2,000 "
        "requests per process, fastest batch of each)",
        "µs/request",
        False,
        None,
        "middleware",
        informational="in instructions: <= 0.40x by benchmarks/bench_instructions.py",
    ),
    Row(
        "lbheartbeat",
        "/__lbheartbeat__, probes logged",
        "mean µs/request through WSGIHandler with MIDDLEWARE = Dockerflow, Security, "
        "WhiteNoise, Session, Common, Csrf, Auth, Messages, each probe with its "
        "request.summary (both packages' default; 7 batches of 2,000 per process, fastest "
        "batch); Django's own share is in the notes",
        "µs/request",
        False,
        0.85,
        "lbheartbeat",
    ),
    Row(
        "lbheartbeat_quiet",
        "/__lbheartbeat__, probes not logged",
        "the same requests with DOCKERFLOW_SUMMARY_LOG_PROBES = 'none' (batches interleaved "
        "with the row above's), against python-dockerflow, which has no such setting and "
        "logs every probe",
        "µs/request",
        False,
        0.6,
        "lbheartbeat",
        num=(OURS, "quiet"),
    ),
    Row(
        "formatter",
        "log formatter, stdlib json",
        "JsonLogFormatter.format() of one INFO record with a %-formatted message and 3 "
        "extra fields (int, str, bool); our orjson switched off (7 batches of 20,000 "
        "per process, fastest batch); ratio = ours/theirs throughput",
        "records/s",
        True,
        1.4,
        "formatter",
    ),
    Row(
        "formatter_orjson_peer",
        "log formatter, orjson extra",
        f"the same record through our orjson path, against {PEER}'s "
        "`pythonjsonlogger.orjson.OrjsonFormatter` timed in the same processes (batches "
        "interleaved with ours), see the peer row; ratio = ours/peer throughput",
        "records/s",
        True,
        1.3,
        "formatter",
        num=(OURS, "orjson"),
        den=(OURS, "peer_orjson"),
        labels=("", f"{PEER} "),
    ),
    Row(
        "formatter_peer",
        f"log formatter, {PEER} orjson (peer)",
        f"`OrjsonFormatter` of {PEER} 4.2 on the same record, configured to write what a "
        "mozlog line carries: fields name, levelname, process, message, timestamp=True, "
        "static hostname and EnvVersion, the 3 extras (same batches); the same package "
        "runs in both environments, so the ratio only shows how much the two differ",
        "records/s",
        True,
        None,
        "formatter",
        num=(OURS, "peer_orjson"),
        den=(PYDF, "peer_orjson"),
        labels=("in .venv-ours ", "in .venv-pydf "),
        informational="none: the orjson row's denominator",
    ),
    Row(
        "otel_lookup",
        "OpenTelemetry trace ids, no active span (ours only)",
        "what the lookup of the current span's trace and span ids adds to "
        "JsonLogFormatter.format() of the same record when OpenTelemetry is in use (SDK "
        "tracer provider set) but no span is active: µs/record with it minus before "
        "opentelemetry was imported, 7 batches of 20,000 each, fastest batch (one after "
        "the other: an import cannot be undone); an absolute target, python-dockerflow "
        "has no such lookup",
        "µs/record",
        False,
        1.0,
        "otel_lookup",
        den=None,
    ),
    Row(
        "heartbeat_slow",
        "heartbeat, slow checks",
        "one GET /__heartbeat__ through WSGIHandler and the realistic stack; "
        "DOCKERFLOW_CHECKS = 5 checks each sleeping 100 ms; python-dockerflow also runs "
        "every Django system check (deployment checks too: DEBUG=False); median of 4 "
        "calls after 1 warm-up",
        "ms",
        False,
        0.3,
        "heartbeat_slow",
    ),
    Row(
        "heartbeat_fast",
        "heartbeat, fast checks",
        "same, DOCKERFLOW_CHECKS = check_database_connected + check_migrations_applied "
        "on a migrated SQLite file; median of 25 calls after 3 warm-ups",
        "ms",
        False,
        1.0,
        "heartbeat_fast",
    ),
    Row(
        "heartbeat_pg",
        "heartbeat, fast checks, PostgreSQL",
        "the same two checks against a local PostgreSQL (loopback, trust auth) with "
        "CONN_MAX_AGE=60, the persistent connections production settings usually ask "
        "for; median of 25 calls after 3 warm-ups",
        "ms",
        False,
        1.0,
        "heartbeat_pg",
    ),
    Row(
        "memory",
        "memory",
        "peak RSS (getrusage ru_maxrss) of a fresh process after 20,000 GETs of the "
        "trivial view through the realistic stack (each with its request.summary)",
        "MiB",
        False,
        1.05,
        "memory",
    ),
    Row(
        "settings",
        "settings load (ours only)",
        "wall time of a whole `python -c` process: `import configurations; "
        "configurations.setup()` with the example's Prod configuration, against "
        "`import django; django.setup()` with an equivalent hand-written plain "
        "settings.py (benchmarks/plain_settings/), both in .venv-ours; per round the fastest "
        "of 3 alternating pairs",
        "ms",
        False,
        1.3,
        "settings",
        num=("mixin", "value"),
        den=("plain", "value"),
        labels=("mixin ", "plain "),
    ),
]
