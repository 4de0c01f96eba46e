"""The raw WSGI loop every request benchmark runs: a browser's GET, timed per request.

Shared by ``bench_middleware.py`` and ``workload.py``; it imports nothing from either
package, so both benchmark virtualenvs can use it.
"""

from __future__ import annotations

import io
import sys
import time
from collections.abc import Callable
from typing import Any


def start_response(status: str, headers: list[Any], exc_info: Any = None) -> None:
    return None


def per_request_us(handler: Callable[..., Any], environ: dict[str, Any], requests: int) -> float:
    """Mean µs per request over one batch (the environ is copied per request, as a server does)."""
    perf = time.perf_counter
    begin = perf()
    for _ in range(requests):
        response = handler(environ.copy(), start_response)
        b"".join(response)
        response.close()
    return (perf() - begin) / requests * 1e6


def make_environ(path_info: str) -> dict[str, Any]:
    """A GET for ``path_info`` with a browser's headers and no request id."""
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path_info,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "testserver",
        "HTTP_USER_AGENT": "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
        "HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.5",
        "HTTP_ACCEPT": "text/html,application/xhtml+xml,*/*;q=0.8",
        "HTTP_ACCEPT_ENCODING": "gzip, deflate, br",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
