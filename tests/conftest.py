"""Fixtures shared by the whole suite."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from tests import services

TESTS_DIR = Path(__file__).parent

#: Modules whose tests start real servers or many interpreters without carrying the
#: ``servers``/``slow`` markers. With those markers they make up ``heavy``: tox.ini runs
#: the heavy tests in one env per Django major (and on the oldest and newest Python), and
#: everything else in every env.
HEAVY_PATHS = (
    "servers/",
    "lifecycle/",
    "backing_services/",
    "adoption/test_gunicorn.py",
    "adoption/test_manage.py",
    "sentry/test_end_to_end.py",
    "sentry/test_celery.py",
    "security/test_surfaces.py",
)
HEAVY_MARKERS = ("servers", "slow")


def is_heavy(item: pytest.Item) -> bool:
    if any(item.get_closest_marker(name) for name in HEAVY_MARKERS):
        return True
    path = item.path
    return path.is_relative_to(TESTS_DIR) and (
        path.relative_to(TESTS_DIR).as_posix().startswith(HEAVY_PATHS)
    )


@pytest.hookimpl(tryfirst=True)  # before -m deselects, so that `-m "not heavy"` sees the marker
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # A module moved away would silently start its servers in every env again.
    gone = [f"tests/{path}" for path in HEAVY_PATHS if not (TESTS_DIR / path).exists()]
    if gone:
        raise pytest.UsageError(f"HEAVY_PATHS in tests/conftest.py: no {', '.join(gone)}")
    for item in items:
        if is_heavy(item):
            item.add_marker(pytest.mark.heavy)


@pytest.fixture
def postgres_url() -> str:
    """URL of the real PostgreSQL (skips, or fails when services are required)."""
    return services.require("PostgreSQL", services.POSTGRES_URL)


@pytest.fixture
def redis_url() -> str:
    """URL of the real Redis (skips, or fails when services are required)."""
    return services.require("Redis", services.REDIS_URL)


@pytest.fixture
def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
