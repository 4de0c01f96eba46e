"""Writing a run down: the table, ``RESULTS.md`` and the history in ``results.json``."""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import statistics
import subprocess
from typing import Any

from environments import HERE, ROOT
from ratios import sample_key
from rows import OURS, PYDF, ROWS, Row

RESULTS_MD = HERE / "RESULTS.md"
RESULTS_JSON = HERE / "results.json"
HISTORY = 10  # runs kept in results.json


def fmt_value(value: float, unit: str) -> str:
    if unit == "records/s" or abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.1f}" if abs(value) >= 10 else f"{value:.2f}"


def stats_text(values: list[float], unit: str) -> str:
    lo, med, hi = min(values), statistics.median(values), max(values)
    return f"**{fmt_value(med, unit)}** ({fmt_value(lo, unit)}-{fmt_value(hi, unit)})"


def _figure_and_bound(row: Row, res: dict[str, Any]) -> tuple[float, float]:
    """Our median, and what it would have to be to meet the target."""
    samples = res["samples"]
    ours = statistics.median(samples[sample_key(*row.num)])
    if row.den is None:
        return ours, row.target
    return ours, statistics.median(samples[sample_key(*row.den)]) * row.target


def verdict_text(row: Row, res: dict[str, Any]) -> str:
    """met, MISSED with what our median would have to be, or informational."""
    if row.target is None:
        return "informational"
    if res["met"]:
        return "met"
    ours, needed = _figure_and_bound(row, res)
    relation = "≥" if row.higher_is_better else "≤"
    text = f"**MISSED**: needs {relation} {fmt_value(needed, row.unit)}, is "
    text += fmt_value(ours, row.unit)
    floor = res.get("floor")
    if floor is not None and needed < floor:
        text += f", under Django's own {fmt_value(floor, row.unit)} for this request"
    return text


def previous_text(row: Row, res: dict[str, Any], previous: dict[str, Any] | None) -> str:
    """The previous run's ratio (value, for a row without denominator) and the change."""
    figure = "ratio" if row.den else "value"
    prev = (previous or {}).get("rows", {}).get(row.key)
    if not (isinstance(prev, dict) and figure in prev):
        return "-"
    change = (res[figure] / prev[figure] - 1) * 100
    shown = f"{prev[figure]:.2f}x" if row.den else fmt_value(prev[figure], row.unit)
    text = f"{shown} ({change:+.0f}%)"
    if abs(change) > 10:
        text += " **not reproduced within ±10%**"
    return text


def render_table(
    results: dict[str, dict[str, Any] | str], previous: dict[str, Any] | None
) -> list[str]:
    lines = [
        "| measure | unit | ours: median (min-max) | python-dockerflow: median (min-max) "
        "| ratio | per-round ratios | previous run | target | result |",
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
        samples = res["samples"]
        cells = [
            label + stats_text(samples[sample_key(*which)], row.unit) if which else "-"
            for label, which in zip(row.labels, (row.num, row.den), strict=True)
        ]
        if row.den:
            throughput = " (throughput)" if row.higher_is_better else ""
            ratio = f"**{res['ratio']:.2f}x**{throughput}"
            spread = f"{res['round_ratio_min']:.2f}-{res['round_ratio_max']:.2f}"
        else:
            ratio = spread = "-"
        lines.append(
            f"| {row.title} | {row.unit} | {cells[0]} | {cells[1]} | {ratio} | {spread} | "
            f"{previous_text(row, res, previous)} | {row.target_text} | {verdict_text(row, res)} |"
        )
    return lines


def git(*args: str) -> str:
    try:
        return subprocess.run(
            ["git", *args], capture_output=True, text=True, check=True, cwd=ROOT
        ).stdout.strip()
    except (subprocess.CalledProcessError, FileNotFoundError):
        return ""


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def make_header(
    info: dict[str, dict[str, Any]], rounds: int, load_start: str, minutes: float
) -> dict[str, Any]:
    ours, pydf = info[OURS], info[PYDF]
    for key in ("python", "django", "whitenoise", "orjson", "python-json-logger"):
        if ours.get(key) != pydf.get(key):
            raise SystemExit(f"environments differ in {key}: {ours.get(key)} vs {pydf.get(key)}")
    return {
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs (shared)",
        "load_start": load_start,
        "load_end": load_average(),
        "python": ours["python"],
        "django": ours["django"],
        "whitenoise": ours["whitenoise"],
        "orjson": ours["orjson"],
        "python_json_logger": ours.get("python-json-logger"),
        "ours_version": ours["dockerflow-settings"],
        "pydf_version": pydf["dockerflow"],
        "commit": git("rev-parse", "--short", "HEAD"),
        "dirty": bool(git("status", "--porcelain", "--", "dockerflow", "dockerflow_settings")),
        "rounds": rounds,
        "duration": f"{minutes:.1f} min",
    }


def write_markdown(
    header: dict[str, Any], table: list[str], notes: list[str], previous: dict[str, Any] | None
) -> None:
    dirty = " (with uncommitted changes to the package)" if header["dirty"] else ""
    text = [
        "# Benchmarks: dockerflow-settings vs python-dockerflow",
        "",
        "Generated by `make bench` (`benchmarks/run.py`); do not edit by hand.",
        "",
        f"- date: {header['date']}",
        f"- machine: {header['machine']}; load average at start {header['load_start']}, "
        f"at end {header['load_end']}",
        f"- Python {header['python']}, Django {header['django']}, WhiteNoise "
        f"{header['whitenoise']}, orjson {header['orjson']}, python-json-logger "
        f"{header['python_json_logger']}",
        f"- ours: dockerflow-settings {header['ours_version']} at commit {header['commit']}{dirty}",
        f"- theirs: python-dockerflow (`dockerflow`) {header['pydf_version']}",
        f"- {header['rounds']} rounds; in each round every measure ran as one process per "
        f"side, ours first, then python-dockerflow; total {header['duration']}",
        "",
        "For the µs/request and records/s rows, the fastest of several batches of "
        "thousands within one process is kept (other load on a shared machine only adds "
        "time); the heartbeat rows keep the median call (part of a heartbeat's spread is "
        "its own); each side's figure is then the median over rounds (processes). "
        "The ratio is left column / right column of those medians: ours / python-dockerflow "
        "unless the row says otherwise (for records/s, higher is better: a throughput "
        "ratio; everything else, lower is better). *per-round ratios* is the range of the "
        "ratio within each round's pair of figures; *previous run* is the ratio the run "
        f"before this one found (commit {previous.get('commit', '?') if previous else '-'}) "
        "and the change since. Targets: the architecture issue's revision sets those of the "
        "middleware, both formatter rows, the slow and PostgreSQL heartbeats and the "
        "OpenTelemetry lookup; the user-requests issue those of both /__lbheartbeat__ rows; "
        "the SQLite heartbeat, memory and settings-load rows keep their earlier targets.",
        "",
        *table,
        "",
        "## What each row measures",
        "",
        *[f"- **{row.title}** ({row.unit}): {row.how}. Target: {row.target_text}." for row in ROWS],
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


def load_history() -> list[dict[str, Any]]:
    if not RESULTS_JSON.exists():
        return []
    return json.loads(RESULTS_JSON.read_text()).get("runs", [])


def save_history(
    history: list[dict[str, Any]], header: dict[str, Any], results: dict[str, Any]
) -> None:
    rows = {k: v for k, v in results.items() if isinstance(v, dict)}
    runs = [*history, {**header, "rows": rows}][-HISTORY:]
    RESULTS_JSON.write_text(json.dumps({"runs": runs}, indent=1) + "\n")
