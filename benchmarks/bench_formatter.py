"""Records per second of the mozlog formatter against a plain ``json.dumps``.

Run: ``.venv/bin/python benchmarks/bench_formatter.py [--rounds N] [--number N]``.

For two kinds of record (a ``request.summary`` record: ten small str/int extras and
an empty message; and an application record with a %-formatted message and a few
extras of mixed types), it times:

* baseline -- building the same mozlog dict (our ``convert_record``) and serialising
  it the way python-dockerflow does, ``json.dumps(d, cls=<encoder with default=repr>)``;
* ours, stdlib -- ``MozlogFormatter.format`` with orjson switched off;
* ours, orjson -- ``MozlogFormatter.format`` with orjson (if installed).

Each figure is the median of several rounds.
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import sys
import timeit

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


def rate(func, number: int, rounds: int) -> float:
    times = timeit.repeat(func, number=number, repeat=rounds)
    return number / statistics.median(times)


def bench(name: str, record: logging.LogRecord, number: int, rounds: int) -> dict[str, float]:
    formatter = MozlogFormatter(logger_name="bench")

    def baseline() -> str:
        return json.dumps(formatter.convert_record(record), cls=_ReprEncoder)

    def ours() -> str:
        return formatter.format(record)

    results = {"baseline json.dumps": rate(baseline, number, rounds)}
    enabled = encoding.use_orjson(False)
    try:
        results["ours, stdlib"] = rate(ours, number, rounds)
        if encoding.orjson is not None:
            encoding.use_orjson(True)
            results["ours, orjson"] = rate(ours, number, rounds)
    finally:
        encoding.use_orjson(enabled)

    print(f"\n{name} ({len(formatter.format(record))} bytes per line)")
    base = results["baseline json.dumps"]
    for label, value in results.items():
        print(
            f"  {label:<22} {value:>12,.0f} records/s  {1e6 / value:6.2f} us  x{value / base:.2f}"
        )
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
