"""An earlier revision of this package against today's and python-dockerflow, same run.

Run: ``.venv/bin/python benchmarks/against_revision.py REV [--measure M ...] [--rounds N]``

``make bench`` compares this checkout with python-dockerflow. This script answers the
question a target revision raises: what did a change of our own cost, measured side
by side on the same machine state? It installs REV (any git revision, e.g. the
commit before an architecture pass) into ``benchmarks/.venv-rev-<sha>`` with the
same pins and the ``orjson`` extra, then runs the chosen ``workload.py`` measures in
three processes per round -- this checkout, REV, python-dockerflow -- and prints
each side's median over rounds and both ratios to python-dockerflow. Not part of
``make bench`` or ``make test``; nothing is written but the venv.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from environments import PINS, ROOT, Side, bench_sides, quiet, run
from rows import OURS, PYDF

HERE = Path(__file__).resolve().parent
#: workload.py measures whose result field "value" is a per-request or per-record figure
MEASURES = ("middleware", "formatter", "lbheartbeat")


def revision_side(rev: str, python: str) -> Side:
    """REV installed (not editable, with orjson) into its own venv, built once per commit."""
    sha = run(["git", "rev-parse", "--short", rev], cwd=ROOT, capture_output=True).stdout.strip()
    venv = HERE / f".venv-rev-{sha}"
    py = venv / "bin" / "python"
    if not py.exists():
        print(f"installing {rev} ({sha}) into {venv.relative_to(ROOT)} ...", flush=True)
        run([python, "-m", "venv", str(venv)])
        pip = [str(py), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        quiet([*pip, "-r", str(PINS)])
        with tempfile.TemporaryDirectory() as tmp:
            source = Path(tmp) / "src"
            run(["git", "worktree", "add", "--detach", str(source), sha], cwd=ROOT,
                capture_output=True)  # fmt: skip
            try:
                quiet([*pip, "-c", str(PINS), f"{source}[orjson]"])
            finally:
                run(["git", "worktree", "remove", "--force", str(source)], cwd=ROOT)
    state = venv / "state"
    state.mkdir(exist_ok=True)
    return Side(f"rev {sha}", py, state)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rev", help="git revision to compare, e.g. 0a496f2")
    parser.add_argument("--measure", nargs="+", choices=MEASURES, default=["middleware"])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args(argv)

    sides = bench_sides(lambda line: print(line, flush=True), sys.executable)
    order = [sides[OURS], revision_side(args.rev, sys.executable), sides[PYDF]]
    for side in order:
        side.workload("migrate", 1)
    for measure in args.measure:
        values: dict[str, list[float]] = {side.name: [] for side in order}
        for number in range(1, args.rounds + 1):
            for side in order:  # alternating: load that comes and goes hits all three
                values[side.name].append(side.workload(measure, 1)["value"])
            print(f"{measure} round {number}: "
                  + ", ".join(f"{name} {v[-1]:,.1f}" for name, v in values.items()),
                  flush=True)  # fmt: skip
        medians = {name: statistics.median(v) for name, v in values.items()}
        theirs = medians[order[-1].name]
        print(f"\n{measure} ({args.rounds} rounds, median; 'value' of workload.py):")
        for name, median in medians.items():
            print(f"  {name:<20} {median:>12,.2f}   {median / theirs:.3f}x python-dockerflow")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except subprocess.CalledProcessError as exc:
        sys.exit(f"{' '.join(map(str, exc.cmd))} failed ({exc.returncode})")
