"""``make bench``: this package against python-dockerflow, same workload, one run, ratios.

Builds two virtualenvs with the same Python and the same pinned Django, WhiteNoise and
orjson (``requirements.txt`` here) -- ``.venv-ours`` with this checkout installed with
its ``orjson`` extra, ``.venv-pydf`` with python-dockerflow from PyPI; both packages
are imported as ``dockerflow``, hence two environments. Then, for each round and
each measure, it runs ``workload.py`` in one environment and then the other as
separate processes (A, B, A, B, ...), so drift on a shared machine hits both sides.
Each side's figure is the median over rounds; the ratio is ours / python-dockerflow.

Usage::

    .venv/bin/python benchmarks/run.py [--rounds N] [--scale F] [--no-write]
    .venv/bin/python benchmarks/run.py --smoke   # one tiny round, dev venv only

Writes ``benchmarks/RESULTS.md`` (the table, versions, date) and appends the run to
``benchmarks/results.json``, whose previous run is shown beside each ratio so a rerun's
spread is visible.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORKLOAD = HERE / "workload.py"
PINS = HERE / "requirements.txt"
RESULTS_MD = HERE / "RESULTS.md"
RESULTS_JSON = HERE / "results.json"
PYDF_REQUIREMENT = "dockerflow==2026.3.4"
HISTORY = 10  # runs kept in results.json

OURS, PYDF = "ours", "pydf"
SIDE_NAMES = {OURS: "dockerflow-settings", PYDF: "python-dockerflow"}
STRIPPED_ENV = ("PYTHONPATH", "DJANGO_SETTINGS_MODULE", "DJANGO_CONFIGURATION", "VIRTUAL_ENV")

# --- the table ---------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    key: str
    title: str
    how: str
    unit: str
    higher_is_better: bool
    target: float
    measure: str  # workload.py measure, or "settings" for the settings-load processes
    field: str = "value"
    ours_field: str | None = None  # a different result field on our side
    sides: tuple[str, str] = (OURS, PYDF)  # (numerator, denominator)
    side_labels: tuple[str, str] = ("ours", "python-dockerflow")

    @property
    def target_text(self) -> str:
        return f"≥ {self.target:g}x" if self.higher_is_better else f"≤ {self.target:g}x"

    def met(self, ratio: float) -> bool:
        return ratio >= self.target if self.higher_is_better else ratio <= self.target


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
        0.3,
        "middleware",
    ),
    Row(
        "lbheartbeat",
        "/__lbheartbeat__",
        "mean µs/request through WSGIHandler with MIDDLEWARE = Dockerflow, Security, "
        "WhiteNoise, Session, Common, Csrf, Auth, Messages (7 batches of 2,000 per "
        "process, fastest batch)",
        "µs/request",
        False,
        0.5,
        "lbheartbeat",
    ),
    Row(
        "formatter",
        "log formatter, stdlib json",
        "JsonLogFormatter.format() of one INFO record with a %-formatted message and 3 "
        "extra fields (int, str, bool); our orjson switched off (7 batches of 20,000 "
        "per process, fastest batch); ratio = ours/theirs throughput",
        "records/s",
        True,
        1.15,
        "formatter",
    ),
    Row(
        "formatter_orjson",
        "log formatter, orjson extra",
        "same record; our orjson path against python-dockerflow's stdlib json (it has "
        "no orjson); ratio = ours/theirs throughput",
        "records/s",
        True,
        2.5,
        "formatter",
        ours_field="orjson",
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
        "extra row, same target as the SQLite one: the same two checks against a local "
        "PostgreSQL (loopback, trust auth) with CONN_MAX_AGE=60, the persistent connections "
        "production settings usually ask for; median of 25 calls after 3 warm-ups",
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
        sides=("mixin", "plain"),
        side_labels=("mixin (Prod)", "plain settings.py"),
    ),
]

# --- environments --------------------------------------------------------------------


def run(cmd: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, check=True, text=True, **kwargs)


def quiet(cmd: list[str]) -> None:
    """Run ``cmd``; show its output only if it fails (pip warns about every index)."""
    proc = subprocess.run(cmd, text=True, capture_output=True)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stdout}{proc.stderr}")


def source_digest() -> str:
    """Hash of what a non-editable install of this checkout copies."""
    digest = hashlib.sha256()
    for top in ("dockerflow", "dockerflow_settings"):
        for path in sorted((ROOT / top).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(ROOT)).encode())
                digest.update(path.read_bytes())
    digest.update((ROOT / "pyproject.toml").read_bytes())
    return digest.hexdigest()


def ensure_venv(side: str, python: str, log: Callable[[str], None]) -> Path:
    """Create or refresh ``.venv-<side>``; returns its python."""
    venv = HERE / f".venv-{side}"
    py = venv / "bin" / "python"
    stamp = venv / ".bench-stamp"
    wanted = hashlib.sha256(PINS.read_bytes() + python.encode()).hexdigest()
    if side == OURS:
        wanted += ":" + source_digest()
    if stamp.exists() and stamp.read_text() == wanted and py.exists():
        return py
    pip = [str(py), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    if not py.exists() or not stamp.exists() or stamp.read_text()[:64] != wanted[:64]:
        log(f"creating {venv.relative_to(ROOT)} ...")
        shutil.rmtree(venv, ignore_errors=True)
        run([python, "-m", "venv", str(venv)])
        quiet([*pip, "-r", str(PINS)])
        if side == PYDF:
            quiet([*pip, "-c", str(PINS), PYDF_REQUIREMENT])
    if side == OURS:
        log(f"installing this checkout into {venv.relative_to(ROOT)} ...")
        # Not editable: the benchmark imports what a user's pip install would give.
        with tempfile.TemporaryDirectory() as build:
            copy = Path(build) / "src"
            shutil.copytree(
                ROOT,
                copy,
                ignore=shutil.ignore_patterns(
                    ".git", ".venv*", ".tox", "build", "*.egg-info", "__pycache__", "docs",
                    "tests", ".hypothesis", ".ruff_cache", "reports",
                ),
            )  # fmt: skip
            quiet([*pip, "--force-reinstall", "--no-deps", str(copy)])
            quiet([*pip, "-c", str(PINS), f"{copy}[orjson]"])
    stamp.write_text(wanted)
    return py


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in STRIPPED_ENV}
    env.update(extra)
    return env


# --- running the workload -----------------------------------------------------------


@dataclass
class Side:
    name: str
    python: Path
    state: Path

    def workload(
        self, measure: str, scale: float, env: dict[str, str] | None = None
    ) -> dict[str, Any]:
        proc = subprocess.run(
            [str(self.python), str(WORKLOAD), measure, "--scale", str(scale)],
            capture_output=True,
            text=True,
            cwd=self.state,
            env=clean_env(BENCH_STATE_DIR=str(self.state), **(env or {})),
            timeout=300,
        )
        if proc.returncode != 0:
            raise RuntimeError(
                f"{measure} failed in {self.name} ({proc.returncode}):\n{proc.stderr[-3000:]}"
            )
        return json.loads(proc.stdout.strip().splitlines()[-1])


@dataclass
class SettingsLoad:
    """Whole-process settings load: the mixin (example Prod) or the plain settings.py."""

    python: Path
    env: dict[str, dict[str, str]] = field(default_factory=dict)

    CODE = {
        "mixin": "import configurations; configurations.setup()",
        "plain": "import django; django.setup()",
    }

    # Each value as key-sorted JSON (repr() for the rest): dict order is no difference.
    DUMP = (
        "import json; from django.conf import settings; "
        "print(json.dumps({n: json.dumps(getattr(settings, n), sort_keys=True, default=repr) "
        "for n in dir(settings) if n.isupper()}))"
    )

    def differences(self) -> list[str]:
        """Names of the settings whose values differ between the two (should be none)."""
        dumps = []
        for kind in ("mixin", "plain"):
            proc = subprocess.run(
                [str(self.python), "-c", f"{self.CODE[kind]}; {self.DUMP}"],
                capture_output=True,
                text=True,
                env=self.env[kind],
                cwd=HERE,
                timeout=120,
            )
            if proc.returncode != 0:
                raise RuntimeError(f"settings dump ({kind}) failed:\n{proc.stderr[-3000:]}")
            dumps.append(json.loads(proc.stdout.strip().splitlines()[-1]))
        import plain_settings

        mixin, plain = dumps
        skipped = plain_settings.MIXIN_ONLY | {"SETTINGS_MODULE"}
        names = (mixin.keys() | plain.keys()) - skipped
        return sorted(n for n in names if mixin.get(n) != plain.get(n))

    def time_ms(self, kind: str) -> float:
        begin = time.perf_counter()
        proc = subprocess.run(
            [str(self.python), "-c", self.CODE[kind]],
            capture_output=True,
            text=True,
            env=self.env[kind],
            cwd=HERE,
            timeout=120,
        )
        elapsed = (time.perf_counter() - begin) * 1000
        if proc.returncode != 0:
            raise RuntimeError(f"settings load ({kind}) failed:\n{proc.stderr[-3000:]}")
        return elapsed


def settings_load(python: Path) -> SettingsLoad | str:
    """The two settings-load commands, or why they cannot run."""
    if not (ROOT / "example" / "example" / "settings.py").exists():
        return "not measured: example/example/settings.py does not exist"
    import plain_settings

    mixin = clean_env(
        PYTHONPATH=str(ROOT / "example"),
        DJANGO_SETTINGS_MODULE="example.settings",
        DJANGO_CONFIGURATION="Prod",
        **plain_settings.PROD_ENVIRONMENT,
    )
    plain = clean_env(
        PYTHONPATH=f"{HERE / 'plain_settings'}{os.pathsep}{ROOT / 'example'}",
        DJANGO_SETTINGS_MODULE="plain_prod_settings",
        **plain_settings.PROD_ENVIRONMENT,
    )
    return SettingsLoad(python, {"mixin": mixin, "plain": plain})


PG_DATABASE = "bench_heartbeat"


DEFAULT_POSTGRES_DSN = "host=127.0.0.1 port=5432 user=postgres dbname=test"


def postgres_dsn() -> str:
    return os.environ.get("BENCH_POSTGRES_DSN", DEFAULT_POSTGRES_DSN)


def drop_postgres_database() -> None:
    import psycopg

    with psycopg.connect(postgres_dsn(), autocommit=True, connect_timeout=3) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE}")


def postgres_env() -> dict[str, str] | str:
    """``BENCH_DATABASE`` for the PostgreSQL row (a fresh database), or why it is skipped."""
    try:
        import psycopg

        with psycopg.connect(postgres_dsn(), autocommit=True, connect_timeout=3) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE}")
            conn.execute(f"CREATE DATABASE {PG_DATABASE}")
            info = conn.info
            database = {
                "ENGINE": "django.db.backends.postgresql",
                "NAME": PG_DATABASE,
                "USER": info.user,
                "PASSWORD": info.password or "",
                "HOST": info.host,
                "PORT": str(info.port),
                "CONN_MAX_AGE": 60,
            }
    except Exception as exc:  # no driver, no server, no rights: the row says so
        return f"not measured: no usable PostgreSQL ({type(exc).__name__}; BENCH_POSTGRES_DSN)"
    return {"BENCH_DATABASE": json.dumps(database)}


# --- statistics and output ----------------------------------------------------------


def fmt_value(value: float, unit: str) -> str:
    if unit == "records/s":
        return f"{value:,.0f}"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.1f}" if abs(value) >= 10 else f"{value:.2f}"


def summarize(row: Row, samples: dict[str, list[float]]) -> dict[str, Any]:
    num, den = (samples[s] for s in row.sides)
    ratio = statistics.median(num) / statistics.median(den)
    # Adjacent A/B processes ran under the same machine state: their ratios show how
    # much one round on its own can be trusted.
    paired = [a / b for a, b in zip(num, den, strict=True) if b]
    return {
        "samples": {s: samples[s] for s in row.sides},
        "ratio": ratio,
        "round_ratio_min": min(paired),
        "round_ratio_max": max(paired),
        "met": row.met(ratio),
    }


def stats_text(values: list[float], unit: str) -> str:
    lo, med, hi = min(values), statistics.median(values), max(values)
    return f"**{fmt_value(med, unit)}** ({fmt_value(lo, unit)}-{fmt_value(hi, unit)})"


def gap_text(row: Row, res: dict[str, Any]) -> str:
    """What our median would have to be to meet the target, against theirs."""
    num, den = (res["samples"][s] for s in row.sides)
    needed = statistics.median(den) * row.target
    relation = "≥" if row.higher_is_better else "≤"
    ours = statistics.median(num)
    text = f"needs {relation} {fmt_value(needed, row.unit)}, is {fmt_value(ours, row.unit)}"
    floor = res.get("floor")
    if floor is not None and needed < floor:
        text += f", under Django's own {fmt_value(floor, row.unit)} for this request"
    return text


def render_table(
    results: dict[str, dict[str, Any] | str], previous: dict[str, Any] | None
) -> list[str]:
    lines = [
        "| measure | unit | ours: median (min-max) | python-dockerflow: median (min-max) "
        "| ratio ours/theirs | per-round ratios | previous run | target | result |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row in ROWS:
        res = results.get(row.key)
        if res is None:
            continue
        if isinstance(res, str):
            lines.append(f"| {row.title} | {row.unit} | - | - | - | - | - | {row.target_text} "
                         f"| {res} |")  # fmt: skip
            continue
        num, den = (res["samples"][s] for s in row.sides)
        if row.key == "settings":
            num_text = f"mixin {stats_text(num, row.unit)}"
            den_text = f"plain {stats_text(den, row.unit)}"
        else:
            num_text, den_text = stats_text(num, row.unit), stats_text(den, row.unit)
        prev = (previous or {}).get("rows", {}).get(row.key)
        if isinstance(prev, dict) and "ratio" in prev:
            change = (res["ratio"] / prev["ratio"] - 1) * 100
            prev_text = f"{prev['ratio']:.2f}x ({change:+.0f}%)"
            if abs(change) > 10:
                prev_text += " **not reproduced within ±10%**"
        else:
            prev_text = "-"
        verdict = "met" if res["met"] else f"**MISSED**: {gap_text(row, res)}"
        throughput = " (throughput)" if row.higher_is_better else ""
        lines.append(
            f"| {row.title} | {row.unit} | {num_text} | {den_text} | "
            f"**{res['ratio']:.2f}x**{throughput} | "
            f"{res['round_ratio_min']:.2f}-{res['round_ratio_max']:.2f} | {prev_text} | "
            f"{row.target_text} | {verdict} |"
        )
    return lines


def git(*args: str) -> str:
    try:
        return run(["git", *args], capture_output=True, cwd=ROOT).stdout.strip()
    except (subprocess.CalledProcessError, FileNotFoundError):
        return ""


def write_markdown(
    header: dict[str, Any], table: list[str], notes: list[str], previous: dict[str, Any] | None
) -> None:
    text = [
        "# Benchmarks: dockerflow-settings vs python-dockerflow",
        "",
        "Generated by `make bench` (`benchmarks/run.py`); do not edit by hand.",
        "",
        f"- date: {header['date']}",
        f"- machine: {header['machine']}; load average at start {header['load_start']}, "
        f"at end {header['load_end']}",
        f"- Python {header['python']}, Django {header['django']}, WhiteNoise "
        f"{header['whitenoise']}, orjson {header['orjson']}",
        f"- ours: dockerflow-settings {header['ours_version']} at commit {header['commit']}"
        f"{' (with uncommitted changes to the package)' if header['dirty'] else ''}",
        f"- theirs: python-dockerflow (`dockerflow`) {header['pydf_version']}",
        f"- {header['rounds']} rounds; in each round every measure ran as one process per "
        f"side, ours first, then python-dockerflow; total {header['duration']}",
        "",
        "For the µs/request and records/s rows, the fastest of several batches of "
        "thousands within one process is kept (other load on a shared machine only adds "
        "time); the heartbeat rows keep the median call (part of a heartbeat's spread is "
        "its own); each side's "
        "figure is then the median over rounds (processes). "
        "Ratios are ours / python-dockerflow of those medians (for records/s, "
        "higher is better: ours/theirs throughput; everything else, lower is better). "
        "*per-round ratios* is the range of the ratio within each round's adjacent pair "
        "of processes; *previous run* is the ratio the run before this one found "
        f"(commit {previous.get('commit', '?') if previous else '-'}) and the change since.",
        "",
        *table,
        "",
        "## What each row measures",
        "",
        *[f"- **{row.title}** ({row.unit}): {row.how}. Target {row.target_text}." for row in ROWS],
        "",
        "Ours is installed with its orjson extra, so every row but *log formatter, stdlib "
        "json* runs our JSON formatting on orjson (its default when orjson is importable). "
        "Both environments use the same settings (benchmarks/bench_project.py): DEBUG=False, "
        "admin/auth/contenttypes/sessions/messages/staticfiles + dockerflow.django, "
        "SQLite, the same LOGGING (JsonLogFormatter into a null stream for the root logger "
        "and request.summary), each package's defaults otherwise.",
        "",
    ]
    if notes:
        text += ["## Notes from this run", "", *[f"- {note}" for note in notes], ""]
    RESULTS_MD.write_text("\n".join(text))


# --- main ---------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=int(os.environ.get("BENCH_ROUNDS", 9)))
    parser.add_argument("--scale", type=float, default=1.0, help="work per process multiplier")
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--only", nargs="*", help="row keys to run (default: all)")
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="one tiny round against this interpreter's dockerflow only (no venvs, no writes)",
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    log = lambda text: print(text, file=sys.stderr, flush=True)  # noqa: E731
    sys.path.insert(0, str(HERE))
    rows = [row for row in ROWS if not args.only or row.key in args.only]
    notes: list[str] = []
    import plain_settings  # benchmarks/plain_settings/__init__.py

    load_start = " ".join(f"{x:.2f}" for x in os.getloadavg())

    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        if args.smoke:
            args.rounds, args.scale, args.no_write = 1, min(args.scale, 0.01), True
            state = Path(tmp) / "smoke"
            state.mkdir()
            sides = {OURS: Side(OURS, Path(sys.executable), state)}
            rows = [row for row in rows if row.key not in ("memory", "settings", "heartbeat_pg")]
        else:
            sides = {}
            for name in (OURS, PYDF):
                python = ensure_venv(name, sys.executable, log)
                state = HERE / f".venv-{name}" / "state"
                shutil.rmtree(state, ignore_errors=True)
                state.mkdir()
                sides[name] = Side(name, python, state)
        info = {name: side.workload("info", 1) for name, side in sides.items()}
        for name, side in sides.items():
            if not args.smoke:
                expected = str(HERE / f".venv-{name}")
                if not info[name]["dockerflow_file"].startswith(expected):
                    raise SystemExit(f"{name}: dockerflow imported from the wrong place: {info}")
            side.workload("migrate", 1)
        pg = postgres_env() if "heartbeat_pg" in {row.measure for row in rows} else None
        if isinstance(pg, dict):
            for side in sides.values():
                side.workload("migrate", 1, env=pg)

        measures = list(dict.fromkeys(row.measure for row in rows))
        loader = settings_load(sides[OURS].python) if "settings" in measures else None
        if isinstance(loader, SettingsLoad):
            try:
                differ = loader.differences()
            except RuntimeError as exc:
                loader = "not measured: " + str(exc).strip().splitlines()[-1][:200]
        if isinstance(loader, SettingsLoad):
            notes.append(
                "settings load: the plain settings.py and the mixin's Prod give the same value "
                "for every setting except the mixin's own inputs and bookkeeping ("
                + ", ".join(sorted(plain_settings.MIXIN_ONLY))
                + ")"
                if not differ
                else "settings load: the plain settings.py is NOT equivalent; these settings "
                "differ: " + ", ".join(differ)
            )
        raw: dict[str, dict[str, list[dict[str, Any]]]] = {m: {} for m in measures}
        for n in range(args.rounds):
            log(f"round {n + 1}/{args.rounds}")
            for measure in measures:
                if measure == "settings":
                    if isinstance(loader, SettingsLoad):
                        best = {"mixin": math.inf, "plain": math.inf}
                        for _ in range(3):
                            for kind in best:
                                best[kind] = min(best[kind], loader.time_ms(kind))
                        for kind, value in best.items():
                            raw[measure].setdefault(kind, []).append({"value": value})
                    continue
                if measure == "heartbeat_pg":
                    if isinstance(pg, dict):
                        for name, side in sides.items():
                            result = side.workload("heartbeat_fast", args.scale, env=pg)
                            raw[measure].setdefault(name, []).append(result)
                    continue
                for name, side in sides.items():
                    raw[measure].setdefault(name, []).append(side.workload(measure, args.scale))

    if isinstance(pg, dict):
        drop_postgres_database()
    results: dict[str, dict[str, Any] | str] = {}
    for row in rows:
        if row.measure == "settings" and not isinstance(loader, SettingsLoad):
            results[row.key] = str(loader)
            continue
        if row.measure == "heartbeat_pg" and not isinstance(pg, dict):
            results[row.key] = str(pg)
            continue
        per_side = raw[row.measure]
        if not all(s in per_side for s in row.sides):
            continue
        samples = {}
        for i, side in enumerate(row.sides):
            name = row.ours_field if (i == 0 and row.ours_field) else row.field
            samples[side] = [r[name] for r in per_side[side]]
        results[row.key] = summarize(row, samples)
        if row.key == "lbheartbeat":
            floors = [r["floor_us"] for runs in per_side.values() for r in runs]
            results[row.key]["floor"] = statistics.median(floors)
    for measure in ("heartbeat_slow", "heartbeat_fast", "heartbeat_pg"):
        for name, runs in raw.get(measure, {}).items():
            seen = sorted({f"{r['status']} {r['body']}" for r in runs})
            fastest = statistics.median(r["fastest_ms"] for r in runs)
            notes.append(
                f"{measure}, {SIDE_NAMES[name]} answered: "
                + "; ".join(seen)
                + f"; fastest call per process {fastest:.2f} ms (median over rounds)"
            )
    if "lbheartbeat" in raw:
        floors, above = [], {}
        for name, runs in raw["lbheartbeat"].items():
            floor = statistics.median(r["floor_us"] for r in runs)
            floors.append(floor)
            above[name] = statistics.median(r["value"] for r in runs) - floor
        notes.append(
            "/__lbheartbeat__: Django's own cost for this request through the same stack (a "
            "middleware that returns HttpResponse() at once, in place of Dockerflow's) is "
            f"{min(floors):.1f}-{max(floors):.1f} µs; above it: "
            + ", ".join(f"{SIDE_NAMES[n]} {v:.1f} µs" for n, v in above.items())
            + (
                f" (ratio {above[OURS] / above[PYDF]:.2f}x)"
                if OURS in above and PYDF in above and above[PYDF] > 0
                else ""
            )
        )
    if "middleware" in raw:
        for name, runs in raw["middleware"].items():
            bare = statistics.median(r["bare_us"] for r in runs)
            with_mw = statistics.median(r["with_us"] for r in runs)
            notes.append(
                f"middleware, {SIDE_NAMES[name]}: {bare:.1f} µs/request without middleware, "
                f"{with_mw:.1f} µs with it (medians over rounds)"
            )

    previous = None
    history: list[dict[str, Any]] = []
    if RESULTS_JSON.exists():
        history = json.loads(RESULTS_JSON.read_text()).get("runs", [])
        previous = history[-1] if history else None
    table = render_table(results, previous)
    print("\n".join(table))
    for note in notes:
        print(f"note: {note}")
    if args.smoke:
        print(json.dumps({"smoke": raw}))
    if args.no_write:
        return 0

    elapsed = time.perf_counter() - started
    ours, pydf = info[OURS], info[PYDF]
    dirty = bool(git("status", "--porcelain", "--", "dockerflow", "dockerflow_settings"))
    header = {
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs (shared)",
        "load_start": load_start,
        "load_end": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "python": ours["python"],
        "django": ours["django"],
        "whitenoise": ours["whitenoise"],
        "orjson": ours["orjson"],
        "ours_version": ours["dockerflow-settings"],
        "pydf_version": pydf["dockerflow"],
        "commit": git("rev-parse", "--short", "HEAD"),
        "dirty": dirty,
        "rounds": args.rounds,
        "duration": f"{elapsed / 60:.1f} min",
    }
    for key in ("python", "django", "whitenoise", "orjson"):
        if ours[key] != pydf[key]:
            raise SystemExit(f"the environments differ in {key}: {ours[key]} vs {pydf[key]}")
    write_markdown(header, table, notes, previous)
    history.append({**header, "rows": {k: v for k, v in results.items() if isinstance(v, dict)}})
    RESULTS_JSON.write_text(json.dumps({"runs": history[-HISTORY:]}, indent=1) + "\n")
    log(f"wrote {RESULTS_MD.relative_to(ROOT)} ({elapsed / 60:.1f} min)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
