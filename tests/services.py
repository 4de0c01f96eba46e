"""Finding the real PostgreSQL and Redis the service tests talk to.

A test that needs a service calls :func:`require` (or uses the fixtures in
``tests/conftest.py``). When the service is unreachable the test is skipped with
the reason, unless ``DOCKERFLOW_TEST_SERVICES=required`` (set by ``.ci/run``), in
which case it fails: CI must never go green by skipping them.
"""

from __future__ import annotations

import os
import socket
from typing import NoReturn
from urllib.parse import urlsplit

import pytest

POSTGRES_URL = os.environ.get(
    "DOCKERFLOW_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("DOCKERFLOW_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def services_required() -> bool:
    return os.environ.get("DOCKERFLOW_TEST_SERVICES", "").strip().lower() == "required"


def unavailable(message: str) -> NoReturn:
    """Skip the test with ``message``, or fail it when DOCKERFLOW_TEST_SERVICES=required."""
    if services_required():
        pytest.fail(f"{message}; DOCKERFLOW_TEST_SERVICES=required", pytrace=False)
    pytest.skip(message)


def reachable(url: str, timeout: float = 1.0) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port), timeout=timeout):
            return True
    except OSError:
        return False


def require(name: str, url: str) -> str:
    """Return ``url`` if the service answers; otherwise skip or fail the test."""
    if reachable(url):
        return url
    parts = urlsplit(url)
    where = f"{parts.hostname}:{parts.port}"
    if services_required():
        pytest.fail(
            f"{name} is required (DOCKERFLOW_TEST_SERVICES=required) "
            f"but nothing answers at {where}",
            pytrace=False,
        )
    pytest.skip(
        f"{name} not reachable at {where} (set DOCKERFLOW_TEST_SERVICES=required to fail instead)"
    )
    raise AssertionError("unreachable")  # pragma: no cover
