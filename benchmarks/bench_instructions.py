"""Where the middleware's time goes, in CPU instructions per request (valgrind).

Run: ``.venv/bin/python benchmarks/bench_instructions.py [--python PY ...] [--requests N]``

Timings on a shared machine move by a few µs from run to run, which is the size of
most optimisations of the request path. Instruction counts do not: this script runs
the raw WSGI loop of ``bench_middleware.py`` under ``valgrind --tool=callgrind``
(fixed hash seed), once with ``N`` requests and once with none, and divides the
difference by ``N``. Each variant removes one stage of the ``request.summary``
path, so the differences attribute the instructions to:

* the middleware without logging (request id, context, clock, endpoint lookup);
* making the record and its fields;
* handler dispatch (``Logger.handle``, filters, locks, the stream write);
* formatting (``JsonLogFormatter.format``).

``--python`` may be given several times, e.g. the ``make bench`` environments of both
packages (``benchmarks/.venv-ours/bin/python`` and ``benchmarks/.venv-pydf/bin/python``):
both import their package as ``dockerflow`` and run the same loop. Instructions are not
time (cache misses are not counted), but a change that removes instructions from this
loop removes time, and the count is the same on every run.
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
VARIANTS = {
    "bare": "trivial view, no middleware",
    "full": "with DockerflowMiddleware",
    "no-format": "... formatter replaced by a constant",
    "no-handle": "... record made, not handled",
    "disabled": "... request.summary logger disabled",
}


def child(variant: str, requests: int) -> None:
    """The measured process: set up, warm up, then ``requests`` requests."""
    sys.path.insert(0, str(HERE))
    import bench_middleware
    from wsgi_loop import make_environ, per_request_us

    bench_middleware.setup()
    middleware = [] if variant == "bare" else [bench_middleware.MIDDLEWARE]
    handler = bench_middleware.make_handler(middleware)
    summary = logging.getLogger("request.summary")
    if variant == "no-format":
        summary.handlers[0].format = lambda record: "{}"
    elif variant == "no-handle":
        summary.handle = lambda record: None
    elif variant == "disabled":
        summary.setLevel(logging.ERROR)
    environ = make_environ("/trivial/")
    per_request_us(handler, environ, 300)  # imports, URL resolver, caches
    if requests:
        per_request_us(handler, environ, requests)


def instructions(python: str, variant: str, requests: int, workdir: Path) -> int:
    out = workdir / f"callgrind.{variant}.{requests}"
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    cmd = [
        "valgrind",
        "--tool=callgrind",
        f"--callgrind-out-file={out}",
        python,
        str(Path(__file__).resolve()),
        "--child",
        variant,
        str(requests),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False, cwd=HERE)
    if proc.returncode != 0:
        raise SystemExit(f"{variant} failed under valgrind:\n{proc.stderr[-2000:]}")
    match = re.search(r"^(?:summary|totals): (\d+)", out.read_text(), re.MULTILINE)
    if match is None:
        raise SystemExit(f"no instruction total in {out}")
    return int(match.group(1))


def per_request(python: str, requests: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="bench-ir-") as tmp:
        counts = {}
        for variant in VARIANTS:
            base = instructions(python, variant, 0, Path(tmp))
            loaded = instructions(python, variant, requests, Path(tmp))
            counts[variant] = (loaded - base) / requests
    return counts


def report(python: str, counts: dict[str, float]) -> float:
    version = subprocess.run(
        [python, "-c", "import dockerflow, django, sys; print(dockerflow.__file__, "
         "django.get_version(), sys.version.split()[0])"],
        capture_output=True, text=True, check=True, cwd=HERE,
    ).stdout.split()  # fmt: skip
    print(f"\n{python}\n  dockerflow from {version[0]}; Django {version[1]}, Python {version[2]}")
    for variant, label in VARIANTS.items():
        print(f"  {label:<42} {counts[variant]:>10,.0f} instructions/request")
    bare = counts["bare"]
    stages = {
        "middleware overhead": counts["full"] - bare,
        "  without logging": counts["disabled"] - bare,
        "  making the record and its fields": counts["no-handle"] - counts["disabled"],
        "  handler dispatch and write": counts["no-format"] - counts["no-handle"],
        "  formatting": counts["full"] - counts["no-format"],
    }
    for label, value in stages.items():
        print(f"  {label:<42} {value:>10,.0f}")
    return stages["middleware overhead"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", action="append", help="interpreter(s) to measure")
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--child", nargs=2, metavar=("VARIANT", "REQUESTS"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child[0], int(args.child[1]))
        return 0
    if shutil.which("valgrind") is None:
        print("valgrind is not installed (apt install valgrind)", file=sys.stderr)
        return 2
    overheads = {}
    for python in args.python or [sys.executable]:
        # Absolute, not resolved: the children run in benchmarks/, and a venv's python
        # is a symlink whose target would lose the venv.
        python = os.path.abspath(shutil.which(python) or python)
        overheads[python] = report(python, per_request(python, args.requests))
    if len(overheads) == 2:
        ours, theirs = overheads.values()
        print(f"\nmiddleware overhead, first / second: {ours / theirs:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
