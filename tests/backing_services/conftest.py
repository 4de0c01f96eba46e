"""Fixtures: one scratch database and a set of reusable servers per test module."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.backing_services.postgres import ScratchDatabase
from tests.backing_services.processes import (
    ClosedPort,
    GunicornServer,
    RedisServer,
    SilentListener,
    redis_server_binary,
)
from tests.servers.process import pick_free_port


class Stack:
    """Everything a test module starts, created on first use and torn down once.

    Servers are keyed by a scenario name so tests sharing a configuration share a
    server (gunicorn + Django take about a second to start on this machine).
    """

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self._database: ScratchDatabase | None = None
        self._servers: dict[str, GunicornServer] = {}
        self._app_names: dict[str, str] = {}
        self._listeners: list[SilentListener | ClosedPort] = []
        self._redis: list[RedisServer] = []

    def database(self, postgres_url: str) -> ScratchDatabase:
        if self._database is None:
            database = ScratchDatabase(postgres_url)
            self._database = database
            database.migrate()
        return self._database

    def application_name(self, scenario: str) -> str:
        """The unique ``application_name`` of one scenario's PostgreSQL connections."""
        return self._app_names.setdefault(scenario, f"dfs-{scenario}-{secrets.token_hex(4)}")

    def server(
        self,
        scenario: str,
        *,
        port: int,
        env: dict[str, str],
        workers: int = 1,
        threads: int = 4,
    ) -> GunicornServer:
        """The scenario's server, started on ``port`` with ``env`` when first asked for."""
        if scenario not in self._servers:
            assert self._database is not None, "ask for the database before any server"
            full_env = {
                "DFS_DATABASE_URL": self._database.url,
                "DFS_APPLICATION_NAME": self.application_name(scenario),
                **env,
            }
            self._servers[scenario] = GunicornServer(
                port=port,
                env=full_env,
                logdir=self.workdir,
                workers=workers,
                threads=threads,
                name=scenario,
            )
        return self._servers[scenario]

    def silent_listener(self) -> SilentListener:
        listener = SilentListener()
        self._listeners.append(listener)
        return listener

    def closed_port(self) -> int:
        """A port that refuses connections for the rest of the module."""
        closed = ClosedPort()
        self._listeners.append(closed)
        return closed.port

    def free_port(self) -> int:
        return pick_free_port()

    def redis_server(self, port: int) -> RedisServer:
        server = RedisServer(binary=redis_server_binary(), port=port, workdir=self.workdir)
        self._redis.append(server)
        return server

    def close(self) -> None:
        for server in self._servers.values():
            server.stop()
        for listener in self._listeners:
            listener.close()
        for redis in self._redis:
            redis.stop()
        if self._database is not None:
            self._database.drop()


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    resources = Stack(tmp_path_factory.mktemp("backing-services"))
    try:
        yield resources
    finally:
        resources.close()


@pytest.fixture
def database(stack: Stack, postgres_url: str) -> ScratchDatabase:
    """This module's private, migrated PostgreSQL database."""
    return stack.database(postgres_url)
