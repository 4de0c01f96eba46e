"""``benchmarks/run.py --smoke`` runs every workload measure once, briefly, in this venv."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

RUNNER = Path(__file__).resolve().parent.parent / "benchmarks" / "run.py"


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
        "heartbeat_slow",
        "heartbeat_fast",
    }
    for measure, per_side in raw.items():
        (result,) = per_side["ours"]
        assert result["value"] > 0 or measure == "middleware", (measure, result)
    slow = raw["heartbeat_slow"]["ours"][0]
    assert slow["status"] == 200
    # Five 100 ms checks: run one after another they would take 500 ms.
    assert 100 <= slow["value"] < 450, slow
    assert raw["heartbeat_fast"]["ours"][0]["status"] == 200
