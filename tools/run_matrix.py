"""Run the whole tox matrix the way CI does, then print one summary.

First every environment is built, one after another (``tox run --notest``): the
wheel is built once and no two installers write the same cache at a time. Then
the environments run their commands (``tox run --skip-pkg-install``), up to
``--jobs`` at a time: most of the suite waits on servers and subprocesses, so
two environments share two cores well. An environment in ``SOLO`` runs alone,
first: the rolling deploys in ``load`` count failed requests against deadlines.
Each one's output is printed whole when it ends.

The summary gives each environment's build and run times and how many tests its
JUnit report counted, and fails the run when an environment that should have run
tests ran none -- so a run that "passed" by collecting nothing (pytest's exit
code 5, or every interpreter missing) is reported as exactly that instead of a
green line. Under ``CI`` an environment skipped for a missing interpreter fails
the run too: CI has them all.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parent.parent
REPORTS = ROOT / "reports"
TOX = str(Path(sys.executable).with_name("tox"))
SOLO = ("load",)
COUNTS = ("tests", "failures", "errors", "skipped")


@dataclass
class Env:
    name: str
    setup: float = 0.0
    ok: bool = True
    skipped: bool = False
    run: float | None = None
    counts: dict[str, int] | None = None
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    log: IO[bytes] | None = field(default=None, repr=False)
    started: float = 0.0


def read_report(path: Path) -> dict[str, int]:
    counts = dict.fromkeys(COUNTS, 0)
    root = ET.parse(path).getroot()
    suites = [root] if root.tag == "testsuite" else list(root)
    for suite in suites:
        for key in counts:
            counts[key] += int(suite.get(key, 0))
    return counts


def minutes(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    return f"{int(seconds // 60)}:{int(seconds % 60):02d}"


def build(names: list[str]) -> list[Env]:
    """Create every environment and install the package, one after another."""
    results = REPORTS / "setup.json"
    command = [TOX, "run", "--notest", "--result-json", str(results), "-e", ",".join(names)]
    print(f"run_matrix: {' '.join(command)}", flush=True)
    subprocess.call(command, cwd=ROOT)
    found = json.loads(results.read_text())["testenvs"] if results.exists() else {}
    envs = []
    for name in names:
        result = found.get(name, {}).get("result", {})
        envs.append(
            Env(
                name,
                setup=result.get("duration", 0.0),
                ok=result.get("success", False),
                skipped=result.get("skipped", False),
            )
        )
    return envs


def start(env: Env) -> None:
    env.log = (REPORTS / f"tox-{env.name}.log").open("w+b")
    env.started = time.monotonic()
    env.process = subprocess.Popen(
        [TOX, "run", "--skip-pkg-install", "-e", env.name],
        cwd=ROOT,
        stdout=env.log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # so that an interrupted run can end the whole env
    )


def finish(env: Env, status: int) -> None:
    assert env.log is not None
    env.run = time.monotonic() - env.started
    env.ok = status == 0
    env.log.seek(0)
    verdict = "ok" if env.ok else f"FAILED (exit {status})"
    print(f"\nrun_matrix: {env.name} {verdict} in {minutes(env.run)}; its output:", flush=True)
    sys.stdout.buffer.write(env.log.read())
    sys.stdout.flush()
    env.log.close()
    report = REPORTS / f"junit-{env.name}.xml"
    if report.exists():
        env.counts = read_report(report)


def run_all(envs: list[Env], jobs: int) -> None:
    """Run the built environments, ``jobs`` at a time (``SOLO`` ones alone, first)."""
    queue = sorted(
        (env for env in envs if env.ok and not env.skipped), key=lambda env: env.name not in SOLO
    )
    running: list[Env] = []
    try:
        while queue or running:
            while queue and len(running) < jobs:
                solo = queue[0].name in SOLO or any(env.name in SOLO for env in running)
                if solo and running:
                    break
                env = queue.pop(0)
                print(f"run_matrix: {env.name} started", flush=True)
                start(env)
                running.append(env)
            time.sleep(0.5)
            for env in list(running):
                assert env.process is not None
                status = env.process.poll()
                if status is not None:
                    running.remove(env)
                    finish(env, status)
    finally:
        for env in running:
            assert env.process is not None
            os.killpg(env.process.pid, signal.SIGTERM)


def summarize(envs: list[Env], total: float, since: float | None) -> int:
    status = 0
    totals = dict.fromkeys(COUNTS, 0)
    print(
        f"\n{'environment':<14} {'result':<8} {'build':>6} {'run':>6} {'tests':>6} "
        f"{'failed':>6} {'skipped':>7}"
    )
    for env in envs:
        counts = env.counts or {}
        for key in totals:
            totals[key] += counts.get(key, 0)
        result = "skipped" if env.skipped else "ok" if env.ok else "FAILED"
        failed = counts.get("failures", 0) + counts.get("errors", 0)
        tests = counts.get("tests", "-")
        print(
            f"{env.name:<14} {result:<8} {minutes(env.setup):>6} {minutes(env.run):>6} "
            f"{tests:>6} {failed if counts else '-':>6} {counts.get('skipped', '-'):>7}"
        )
        if not env.ok and not env.skipped:
            status = 1
    empty = [env.name for env in envs if env.counts is not None and env.counts["tests"] == 0]
    if empty:
        print(f"run_matrix: these environments collected no tests: {', '.join(empty)}")
        status = 1
    if not any(env.counts for env in envs):
        print("run_matrix: no test environment ran (are all interpreters missing?)")
        status = 1
    skipped = [env.name for env in envs if env.skipped]
    if skipped and os.environ.get("CI"):
        print(f"run_matrix: no interpreter for {', '.join(skipped)}; CI must run them all")
        status = 1
    timing = f"run_matrix: the matrix took {minutes(total)}"
    if since is not None:
        timing += f", make test {minutes(time.time() - since)}"
    print(timing)
    passed = totals["tests"] - totals["failures"] - totals["errors"] - totals["skipped"]
    failed = totals["failures"] + totals["errors"]
    print(f"{passed} passed, {failed} failed, {totals['skipped']} skipped", flush=True)
    return status


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-j", "--jobs", type=int, default=2, help="environments run at once")
    parser.add_argument("--since", type=float, help="when make test started (epoch seconds)")
    parser.add_argument("envs", nargs="*", help="tox environments (default: tox's envlist)")
    args = parser.parse_args(argv)
    names = args.envs or subprocess.check_output([TOX, "-l"], cwd=ROOT, text=True).split()
    REPORTS.mkdir(exist_ok=True)
    for old in [*REPORTS.glob("junit-*.xml"), *REPORTS.glob("tox-*.log")]:
        old.unlink()
    started = time.monotonic()
    envs = build(names)
    run_all(envs, max(1, args.jobs))
    return summarize(envs, time.monotonic() - started, args.since)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
