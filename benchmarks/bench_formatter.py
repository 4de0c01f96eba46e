"""Records per second of the mozlog formatter against a plain ``json.dumps``.

Run: ``.venv/bin/python benchmarks/bench_formatter.py [--rounds N] [--number N]``.

For two kinds of record (a ``request.summary`` record: ten small str/int extras and
an empty message; and an application record with a %-formatted message and a few
extras of mixed types), it times:

* baseline -- building the same mozlog dict (our ``convert_record``) and serialising
  it the way python-dockerflow does, ``json.dumps(d, cls=<encoder with default=repr>)``;
* plain json.dumps -- the same, with ``json.dumps(d)`` (its cached default encoder;
  it would raise on a value JSON has no type for, so it is only a reference);
* ours, stdlib -- ``MozlogFormatter.format`` with ``encoding.dumps`` the stdlib's;
* ours, orjson -- ``MozlogFormatter.format`` with orjson (if installed);
* python-json-logger -- its ``OrjsonFormatter`` writing the same information as a
  mozlog line (``peer_formatter.py``), if installed: the peer of ``make bench``'s
  orjson row, whose target is ours >= 1.3x it.

Each figure is the median of several rounds. Two ratios are printed per variant:
``vs plain`` (records/s against building the dict + plain ``json.dumps``: the
historical definition of the formatter's speed target), ``vs baseline`` (against
python-dockerflow's way) and, with python-json-logger installed, ``vs peer`` (against
its OrjsonFormatter). Each is the median of the per-round ratios.
"""

from __future__ import annotations

import argparse
import functools
import json
import logging
import statistics
import sys
import timeit
from collections.abc import Callable

from peer_formatter import peer_formatters

from dockerflow.logging import MozlogFormatter, encoding


class _ReprEncoder(json.JSONEncoder):
    def default(self, o: object) -> str:
        return repr(o)


def summary_record() -> logging.LogRecord:
    record = logging.LogRecord("request.summary", logging.INFO, __file__, 1, "", (), None)
    extras = {
        "agent": "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
        "path": "/api/v1/items/42",
        "method": "GET",
        "code": 200,
        "lang": "en-US,en;q=0.5",
        "t": 12,
        "errno": 0,
        "rid": "6f1c9a3e-5b2d-4c8e-9f7a-0d1e2f3a4b5c",
        "uid": "",
        "querystring": "page=2",
    }
    record.__dict__.update(extras)
    return record


def app_record() -> logging.LogRecord:
    record = logging.LogRecord(
        "myapp.tasks", logging.WARNING, __file__, 1, "job %s took %d ms", ("sync", 1234), None
    )
    record.__dict__.update({"job_id": 1234567, "ok": True, "tags": ["a", "b"], "ratio": 0.25})
    return record


def _timer(func: Callable[[], str], use_orjson: bool | None, number: int) -> float:
    previous = encoding.dumps
    if use_orjson is not None:
        encoding.dumps = encoding.dumps_orjson if use_orjson else encoding.dumps_stdlib
    try:
        return timeit.timeit(func, number=number)
    finally:
        encoding.dumps = previous


def bench(name: str, record: logging.LogRecord, number: int, rounds: int) -> dict[str, float]:
    formatter = MozlogFormatter(logger_name="bench")

    def baseline(rec: logging.LogRecord) -> str:
        return json.dumps(formatter.convert_record(rec), cls=_ReprEncoder)

    def plain(rec: logging.LogRecord) -> str:
        return json.dumps(formatter.convert_record(rec))

    variants: dict[str, tuple[Callable[[logging.LogRecord], str], bool | None]] = {
        "baseline json.dumps": (baseline, None),
        "plain json.dumps": (plain, None),
        "ours, stdlib": (formatter.format, False),
    }
    if encoding.orjson is not None:
        variants["ours, orjson"] = (formatter.format, True)
    peer = peer_formatters()[0].get("peer_orjson")
    if peer is not None:
        variants["python-json-logger"] = (peer.format, None)

    # Rounds interleave the variants, so a burst of load on a shared machine hits all
    # of them alike; each ratio is the median of the per-round ratios.
    times: dict[str, list[float]] = {label: [] for label in variants}
    for _ in range(rounds):
        for label, (func, use_orjson) in variants.items():
            times[label].append(_timer(functools.partial(func, record), use_orjson, number))
    base = times["baseline json.dumps"]
    plain_times = times["plain json.dumps"]
    print(f"\n{name} ({len(formatter.format(record))} bytes per line)")
    references = {"vs plain": plain_times, "vs baseline": base}
    if peer is not None:
        references["vs peer"] = times["python-json-logger"]
    print(f"  {'':<20} {'records/s':>10} {'us':>6}" + "".join(f"  {r:>11}" for r in references))
    results = {}
    for label, values in times.items():
        results[label] = number / statistics.median(values)
        ratios = [
            statistics.median(r / t for r, t in zip(ref, values, strict=True))
            for ref in references.values()
        ]
        rate, per_record = results[label], 1e6 / results[label]
        cells = "".join(f"  {ratio:10.2f}x" for ratio in ratios)
        print(f"  {label:<20} {rate:>10,.0f} {per_record:6.2f}{cells}")
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--number", type=int, default=20_000)
    args = parser.parse_args(argv)
    print(f"Python {sys.version.split()[0]}, orjson {getattr(encoding.orjson, '__version__', '-')}")
    print(f"median of {args.rounds} rounds of {args.number} records")
    bench("request.summary record", summary_record(), args.number, args.rounds)
    bench("application record", app_record(), args.number, args.rounds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
