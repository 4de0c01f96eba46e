"""Fixtures of the lifecycle tests, and the request counts they report at the end of the run."""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator

import pytest

from tests import services
from tests.lifecycle.example_server import STARTED
from tests.servers.conftest import example_site  # noqa: F401  (the package's fixture, shared)

#: One line per rolling deploy behind HAProxy, written in the terminal summary.
DEPLOY_REPORTS: list[str] = []


@pytest.fixture(scope="session")
def haproxy_binary() -> str:
    """Path of Debian's haproxy; skipped when absent, failed when services are required."""
    path = shutil.which("haproxy")
    if path is None:
        services.unavailable("haproxy is not installed (apt-get install haproxy; see README)")
    return path


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if DEPLOY_REPORTS:
        terminalreporter.section("rolling deploys behind HAProxy")
        for line in DEPLOY_REPORTS:
            terminalreporter.write_line(line)


@pytest.fixture(autouse=True)
def stop_leftover_servers() -> Iterator[None]:
    yield
    while STARTED:
        server = STARTED.pop()
        if server.process.poll() is None:
            with contextlib.suppress(AssertionError):  # killed after the timeout: fine here
                server.stop()
