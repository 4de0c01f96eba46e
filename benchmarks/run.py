"""``make bench``: this package against python-dockerflow, same workload, one run, ratios.

Builds two virtualenvs with the same Python and the same pinned Django, WhiteNoise,
orjson and python-json-logger (``requirements.txt``; see ``environments.py``). Then,
for each round and each measure, it runs ``workload.py`` in one environment and then
the other as separate processes (``rounds.py``). Each side's figure is the median
over rounds; the ratio is ours / python-dockerflow, or ours / python-json-logger for
the orjson formatter row (``rows.py``, ``ratios.py``).

Usage::

    .venv/bin/python benchmarks/run.py [--rounds N] [--scale F] [--no-write] [--only ROW ...]
    .venv/bin/python benchmarks/run.py --smoke   # one tiny round, dev venv only

Writes ``benchmarks/RESULTS.md`` (the table, versions, date) and appends the run to
``benchmarks/results.json``, whose previous run is shown beside each ratio so a rerun's
spread is visible (``report.py``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import environments
import ratios
import report
from rounds import prepare, run_rounds
from rows import OURS, ROWS
from settings_load import SettingsLoad, checked_settings_load

#: Rows that need what the smoke run does not build (venvs, the example, PostgreSQL).
NOT_IN_SMOKE = ("memory", "settings", "heartbeat_pg")


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
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
    if args.smoke:
        args.rounds, args.scale, args.no_write = 1, min(args.scale, 0.01), True
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    load_start = report.load_average()
    rows = [row for row in ROWS if not args.only or row.key in args.only]
    if args.smoke:
        rows = [row for row in rows if row.key not in NOT_IN_SMOKE]
    measures = list(dict.fromkeys(row.measure for row in rows))
    notes: list[str] = []
    skipped: dict[str, str] = {}

    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        if args.smoke:
            state = Path(tmp) / "smoke"
            state.mkdir()
            sides = {OURS: environments.Side(OURS, Path(sys.executable), state)}
        else:
            sides = environments.bench_sides(log, sys.executable)
        pg = environments.postgres_env() if "heartbeat_pg" in measures else None
        if isinstance(pg, str):
            skipped["heartbeat_pg"] = pg
        info = prepare(sides, pg)
        if not args.smoke:
            for name, side_info in info.items():
                if not side_info["dockerflow_file"].startswith(str(sides[name].python.parents[1])):
                    raise SystemExit(f"{name}: dockerflow imported from the wrong place: {info}")
        loader = None
        if "settings" in measures:
            loader, note = checked_settings_load(sides[OURS].python)
            if not isinstance(loader, SettingsLoad):
                skipped["settings"] = loader
            if note:
                notes.append(note)
        try:
            raw = run_rounds(sides, rows, args.rounds, args.scale, pg, loader, log)
        finally:
            if isinstance(pg, dict):
                environments.drop_postgres_database()

    results = ratios.summarize_all(rows, raw, skipped)
    notes += ratios.run_notes(raw)
    history = report.load_history()
    previous = history[-1] if history else None
    table = report.render_table(results, previous)
    print("\n".join(table))
    for note in notes:
        print(f"note: {note}")
    if args.smoke:
        print(json.dumps({"smoke": raw}))
    if args.no_write:
        return 0

    minutes = (time.perf_counter() - started) / 60
    header = report.make_header(info, args.rounds, load_start, minutes)
    report.write_markdown(header, table, notes, previous)
    report.save_history(history, header, results)
    log(f"wrote {report.RESULTS_MD.relative_to(environments.ROOT)} ({minutes:.1f} min)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
