"""Fixtures shared by the whole suite."""

from __future__ import annotations

import socket

import pytest

from tests import services


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
