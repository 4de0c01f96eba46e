"""Run the whole tox matrix the way CI does, then print one summary.

tox already prints a duration per environment; this adds what tox cannot know:
how many tests each environment actually ran (from its JUnit report), and a
failure when an environment that should have run tests ran none -- so a run that
"passed" by collecting nothing (pytest's exit code 5, or every interpreter
missing) is reported as exactly that instead of a green line.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPORTS = ROOT / "reports"


def read_report(path: Path) -> dict[str, int]:
    counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    root = ET.parse(path).getroot()
    suites = [root] if root.tag == "testsuite" else list(root)
    for suite in suites:
        for key in counts:
            counts[key] += int(suite.get(key, 0))
    return counts


def main(argv: list[str]) -> int:
    REPORTS.mkdir(exist_ok=True)
    for old in REPORTS.glob("junit-*.xml"):
        old.unlink()
    tox = [str(Path(sys.executable).with_name("tox")), "run", *argv]
    started = time.monotonic()
    print(f"run_matrix: {' '.join(tox)}", flush=True)
    status = subprocess.call(tox, cwd=ROOT, env=os.environ.copy())
    elapsed = time.monotonic() - started

    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    print(f"\n{'environment':<16} {'tests':>6} {'failed':>6} {'skipped':>7}")
    reports = sorted(REPORTS.glob("junit-*.xml"))
    empty = []
    for report in reports:
        env = report.stem.removeprefix("junit-")
        counts = read_report(report)
        for key in totals:
            totals[key] += counts[key]
        failed = counts["failures"] + counts["errors"]
        print(f"{env:<16} {counts['tests']:>6} {failed:>6} {counts['skipped']:>7}")
        if counts["tests"] == 0:
            empty.append(env)
    print(f"run_matrix: tox exited {status} after {elapsed:.0f}s")
    if not reports:
        print("run_matrix: no test environment ran (are all interpreters missing?)")
        status = status or 1
    if empty:
        print(f"run_matrix: these environments collected no tests: {', '.join(empty)}")
        status = status or 1
    passed = totals["tests"] - totals["failures"] - totals["errors"] - totals["skipped"]
    failed = totals["failures"] + totals["errors"]
    print(f"{passed} passed, {failed} failed, {totals['skipped']} skipped")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
