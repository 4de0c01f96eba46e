"""A WSGI application with no framework, for testing the gunicorn configuration alone.

``/`` answers with the worker's pid; ``/log`` also logs a record on the root logger
and emits a Python warning (both must come out as mozlog JSON).
"""

from __future__ import annotations

import json
import logging
import os
import warnings
from collections.abc import Callable, Iterable
from typing import Any

logger = logging.getLogger("tests.servers.wsgi_app")


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    if environ.get("PATH_INFO") == "/log":
        logger.warning("logged from the application")
        warnings.warn("warned from the application", UserWarning, stacklevel=1)
    body = json.dumps({"pid": os.getpid()}).encode()
    start_response("200 OK", [("Content-Type", "application/json")])
    return [body]
