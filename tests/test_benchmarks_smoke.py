"""``benchmarks/run.py``: one tiny real round in this venv, and the table's ratios and verdicts."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
RUNNER = BENCHMARKS / "run.py"
MODULES = ("rows", "rounds", "ratios", "report", "environments", "settings_load")


@pytest.mark.slow
def test_bench_runner_smoke_round() -> None:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    proc = subprocess.run(
        [sys.executable, str(RUNNER), "--smoke"],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert proc.returncode == 0, proc.stderr
    raw = json.loads(proc.stdout.strip().splitlines()[-1])["smoke"]
    assert set(raw) == {
        "middleware",
        "lbheartbeat",
        "formatter",
        "otel_lookup",
        "heartbeat_slow",
        "heartbeat_fast",
    }
    otel = raw.pop("otel_lookup")["ours"][0]
    # A difference of two timings (can be about 0), or why it could not be timed.
    assert otel.get("after_us", 0) > 0 or otel["not_measured"]["value"], otel
    for measure, per_side in raw.items():
        (result,) = per_side["ours"]
        assert result["value"] > 0 or measure == "middleware", (measure, result)
    formatter = raw["formatter"]["ours"][0]
    assert formatter["orjson"] > 0  # the dev venv has orjson
    # The peer is timed when python-json-logger is installed, and otherwise says why not.
    assert (
        formatter.get("peer_orjson", 0) > 0
        or "python-json-logger" in (formatter["not_measured"]["peer_orjson"])
    )
    slow = raw["heartbeat_slow"]["ours"][0]
    assert slow["status"] == 200
    # Five 100 ms checks: run one after another they would take 500 ms.
    assert 100 <= slow["value"] < 450, slow
    assert raw["heartbeat_fast"]["ours"][0]["status"] == 200


@pytest.fixture
def bench() -> Iterator[SimpleNamespace]:
    """The runner's modules, imported from benchmarks/ and forgotten afterwards."""
    sys.path.insert(0, str(BENCHMARKS))
    try:
        yield SimpleNamespace(**{name: importlib.import_module(name) for name in MODULES})
    finally:
        sys.path.remove(str(BENCHMARKS))
        for name in (*MODULES, "plain_settings"):
            sys.modules.pop(name, None)


def formatter_runs(ours: list[float], peer: list[float], pydf: list[float]) -> dict:
    return {
        "formatter": {
            "ours": [
                {"value": 1.0, "orjson": o, "peer_orjson": p}
                for o, p in zip(ours, peer, strict=True)
            ],
            "pydf": [{"value": 1.0, "peer_orjson": p} for p in pydf],
        }
    }


def row(bench: SimpleNamespace, key: str):
    (found,) = [r for r in bench.rows.ROWS if r.key == key]
    return found


def test_orjson_row_divides_by_the_peer_in_our_own_processes(bench: SimpleNamespace) -> None:
    raw = formatter_runs(ours=[300.0, 260.0, 280.0], peer=[200.0, 200.0, 100.0], pydf=[1e6] * 3)
    result = bench.ratios.summarize(row(bench, "formatter_orjson_peer"), raw)
    assert result["ratio"] == pytest.approx(280 / 200)
    assert result["met"] is True  # 1.4x >= 1.3x
    assert (result["round_ratio_min"], result["round_ratio_max"]) == (1.3, 2.8)
    peer = bench.ratios.summarize(row(bench, "formatter_peer"), raw)
    assert peer["ratio"] == pytest.approx(200 / 1e6)
    assert peer["met"] is None


def test_revised_targets_and_informational_rows(bench: SimpleNamespace) -> None:
    targets = {r.key: r.target for r in bench.rows.ROWS}
    assert targets["middleware"] is None  # its target is in instructions (bench_instructions)
    assert targets["formatter"] == 1.4
    assert targets["formatter_orjson_peer"] == 1.3
    assert (targets["lbheartbeat"], targets["lbheartbeat_quiet"]) == (0.85, 0.6)
    assert targets["formatter_peer"] is None
    raw = {
        "middleware": {"ours": [{"value": 21.0}], "pydf": [{"value": 50.0}]},
        "lbheartbeat": {
            "ours": [{"value": 45.0, "quiet": 34.0, "floor_us": 33.0}],
            "pydf": [{"value": 55.0, "quiet": 55.0, "floor_us": 33.0}],
        },
    }
    results = bench.ratios.summarize_all(bench.rows.ROWS, raw, {})
    table = "\n".join(bench.report.render_table(results, None))
    (middleware,) = [line for line in table.splitlines() if "| middleware overhead |" in line]
    assert "in instructions: <= 0.40x by benchmarks/bench_instructions.py" in middleware
    assert middleware.endswith("| informational |")
    (lb,) = [line for line in table.splitlines() if "| /__lbheartbeat__, probes logged" in line]
    assert "**0.82x**" in lb
    assert lb.endswith("| met |")
    (quiet,) = [line for line in table.splitlines() if "probes not logged |" in line]
    assert "**0.62x**" in quiet
    assert "**MISSED**: needs ≤ 33.0, is 34.0" in quiet
    (note,) = bench.ratios.run_notes({"lbheartbeat": raw["lbheartbeat"]})
    assert note.endswith(
        "above it: dockerflow-settings 12.0 µs, dockerflow-settings with probes not logged "
        "1.0 µs, python-dockerflow 22.0 µs"
    )


def test_a_missing_peer_says_why_instead_of_a_ratio(bench: SimpleNamespace) -> None:
    why = "python-json-logger's OrjsonFormatter cannot be imported (No module named x)"
    raw = {
        "formatter": {
            "ours": [{"value": 1.0, "orjson": 2.0, "not_measured": {"peer_orjson": why}}],
            "pydf": [{"value": 1.0, "not_measured": {"peer_orjson": why}}],
        }
    }
    result = bench.ratios.summarize(row(bench, "formatter_orjson_peer"), raw)
    assert result == f"not measured: {why} (dockerflow-settings)"
    table = bench.report.render_table({"formatter_orjson_peer": result}, None)
    assert why in table[-1]


def test_a_row_without_denominator_has_an_absolute_target(bench: SimpleNamespace) -> None:
    otel = row(bench, "otel_lookup")
    assert otel.target_text == "≤ 1 µs/record"
    raw = {"otel_lookup": {"ours": [{"value": v} for v in (0.4, 1.6, 1.2)]}}
    result = bench.ratios.summarize(otel, raw)
    assert (result["value"], result["met"]) == (1.2, False)
    previous = {"rows": {"otel_lookup": {"value": 0.6}}}
    (line,) = bench.report.render_table({"otel_lookup": result}, previous)[2:]
    cells = [cell.strip() for cell in line.split("|")[1:-1]]
    assert cells[2:7] == [
        "**1.20** (0.40-1.60)",
        "-",
        "-",
        "-",
        "0.60 (+100%) **not reproduced within ±10%**",
    ]
    assert cells[8] == "**MISSED**: needs ≤ 1.00, is 1.20"


def test_results_md_and_history_are_written(
    bench: SimpleNamespace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bench.report, "RESULTS_MD", tmp_path / "RESULTS.md")
    monkeypatch.setattr(bench.report, "RESULTS_JSON", tmp_path / "results.json")
    versions = {
        "python": "3.11.7",
        "django": "5.2.19",
        "whitenoise": "6.12.0",
        "orjson": "3.13.0",
        "python-json-logger": "4.2.0",
    }
    info = {
        "ours": {**versions, "dockerflow-settings": "0.1.0"},
        "pydf": {**versions, "dockerflow": "2026.3.4"},
    }
    header = bench.report.make_header(info, 9, "1.00 0.50 0.25", 4.2)
    raw = formatter_runs(ours=[300.0], peer=[200.0], pydf=[210.0])
    results = bench.ratios.summarize_all(bench.rows.ROWS, raw, {"heartbeat_pg": "not measured: x"})
    table = bench.report.render_table(results, None)
    bench.report.write_markdown(header, table, ["a note"], None)
    bench.report.save_history([{"commit": "old"}], header, results)
    text = (tmp_path / "RESULTS.md").read_text()
    assert "load average at start 1.00 0.50 0.25" in text
    assert "python-json-logger 4.2.0" in text
    assert "| heartbeat, fast checks, PostgreSQL | ms | - |" in text
    assert "- a note" in text
    runs = json.loads((tmp_path / "results.json").read_text())["runs"]
    assert (len(runs), runs[0]["commit"]) == (2, "old")
    assert runs[-1]["rows"]["formatter_orjson_peer"]["ratio"] == 1.5
    assert "heartbeat_pg" not in runs[-1]["rows"]  # a reason, not a result
    info["pydf"]["orjson"] = "3.12.0"
    with pytest.raises(SystemExit, match="orjson"):
        bench.report.make_header(info, 9, "", 1.0)


def test_the_plain_settings_py_is_the_mixins_prod(bench: SimpleNamespace) -> None:
    # The settings-load row compares the mixin with a hand-written settings.py: it must
    # stay equivalent as the table changes, or the row measures something else.
    loader = bench.settings_load.settings_load(Path(sys.executable))
    assert loader.differences() == []
