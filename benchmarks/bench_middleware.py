"""What DockerflowMiddleware costs per request, measured in a raw WSGI loop.

Run: ``.venv/bin/python benchmarks/bench_middleware.py [--rounds N] [--requests N]``

Django's ``WSGIHandler`` is called directly with a prebuilt environ (no server, no
socket) for a trivial view, once without any middleware and once with only
``DockerflowMiddleware``; the ``request.summary`` record is formatted by
``JsonLogFormatter`` and written to a stream that discards it. The four cases are
interleaved round by round. Printed per case: the median and the best round; the
overhead lines are medians of per-round differences (robust to load that changes
between rounds) and the difference of the best rounds (least disturbed).
"""

from __future__ import annotations

import argparse
import gc
import io
import logging
import statistics
import sys

import django
from django.conf import settings
from django.http import HttpResponse
from django.urls import path
from wsgi_loop import make_environ, per_request_us, start_response

MIDDLEWARE = "dockerflow.django.middleware.DockerflowMiddleware"


def trivial(request):
    return HttpResponse(b"ok")


urlpatterns = [path("trivial/", trivial)]


class NullStream(io.TextIOBase):
    """Accepts and discards: the cost measured is formatting, not the kernel's write."""

    def write(self, text: str) -> int:
        return len(text)


def setup() -> None:
    settings.configure(
        DEBUG=False,
        SECRET_KEY="benchmark-only-" + "x" * 40,
        ALLOWED_HOSTS=["testserver"],
        ROOT_URLCONF=__name__,
        INSTALLED_APPS=["dockerflow.django"],
        MIDDLEWARE=[],
        DATABASES={},
        USE_TZ=True,
        LOGGING_CONFIG=None,
    )
    django.setup()
    from dockerflow.logging import JsonLogFormatter

    handler = logging.StreamHandler(NullStream())
    handler.setFormatter(JsonLogFormatter(logger_name="bench"))
    summary = logging.getLogger("request.summary")
    summary.addHandler(handler)
    summary.setLevel(logging.INFO)
    summary.propagate = False


def make_handler(middleware: list[str]):
    from django.core.handlers.wsgi import WSGIHandler
    from django.test.utils import override_settings

    with override_settings(MIDDLEWARE=middleware):
        return WSGIHandler()  # loads the middleware chain now, from these settings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--requests", type=int, default=2000, help="requests per case per round")
    args = parser.parse_args()

    setup()
    bare = make_handler([])
    with_mw = make_handler([MIDDLEWARE])
    cases = {
        "trivial view, no middleware": (bare, make_environ("/trivial/")),
        "trivial view, DockerflowMiddleware": (with_mw, make_environ("/trivial/")),
        "/__lbheartbeat__, DockerflowMiddleware": (with_mw, make_environ("/__lbheartbeat__")),
        "trivial view + valid X-Request-ID": (
            with_mw,
            {
                **make_environ("/trivial/"),
                "HTTP_X_REQUEST_ID": "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
            },
        ),
    }
    for handler, environ in cases.values():  # warm up: imports, URL resolver, caches
        per_request_us(handler, environ, 200)
        assert handler(environ.copy(), start_response).status_code == 200

    samples: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(args.rounds):
        for name, (handler, environ) in cases.items():
            gc.collect()
            samples[name].append(per_request_us(handler, environ, args.requests))
    median = {name: statistics.median(values) for name, values in samples.items()}
    best = {name: min(values) for name, values in samples.items()}

    def paired(case: str, baseline: str) -> float:
        # Difference within each round, then the median: a load change between rounds
        # shifts both cases of a round alike and cancels out.
        return statistics.median(
            a - b for a, b in zip(samples[case], samples[baseline], strict=True)
        )

    py = sys.version.split()[0]
    print(f"Python {py}, Django {django.get_version()}: ", end="")
    print(f"{args.rounds} rounds x {args.requests} requests per case; µs/request")
    print(f"  {'case':<42} {'median':>7} {'best':>7}")
    for name in cases:
        print(f"  {name:<42} {median[name]:7.1f} {best[name]:7.1f}")
    bare, mw, lb, _ = cases
    print(f"  {'middleware overhead':<42} {paired(mw, bare):7.1f} {best[mw] - best[bare]:7.1f}")
    lb_label = "/__lbheartbeat__ minus trivial view"
    print(f"  {lb_label:<42} {paired(lb, mw):+7.1f} {best[lb] - best[mw]:+7.1f}")


if __name__ == "__main__":
    main()
