"""A private PostgreSQL database per test module, and a view of the app's connections."""

from __future__ import annotations

import secrets
import subprocess
import sys
import time
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

from tests.backing_services.processes import project_env
from tests.servers.process import REPO_ROOT


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


class ScratchDatabase:
    """``CREATE DATABASE dfs_<random>`` on the server of ``admin_url``; :meth:`drop` removes it.

    The shared ``test`` database has other users; scenarios that terminate
    backends or count connections must only ever touch their own.
    """

    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url
        self.name = f"dfs_{secrets.token_hex(6)}"
        self.url = _with_database(admin_url, self.name)
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.name)))

    def migrate(self, env: dict[str, str] | None = None) -> None:
        """``django-admin migrate`` of the services project, in a subprocess."""
        result = subprocess.run(
            [sys.executable, "-m", "django", "migrate", "--noinput", "-v", "0"],
            cwd=REPO_ROOT,
            env=project_env({"DFS_DATABASE_URL": self.url, **(env or {})}),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, f"migrate failed:\n{result.stdout}\n{result.stderr}"

    def query(self, query: str, params: tuple = ()) -> list[tuple]:
        with psycopg.connect(self.url, autocommit=True) as conn:
            return conn.execute(query, params).fetchall()  # type: ignore[arg-type]

    def backends(self, application_name: str) -> list[int]:
        """PIDs of the server processes serving connections named ``application_name``."""
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            rows = conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE application_name = %s ORDER BY pid",
                (application_name,),
            ).fetchall()
        return [pid for (pid,) in rows]

    def sessions_opened(self) -> int:
        """``pg_stat_database.sessions`` of this database: every session ever opened on it.

        Backends report the count in batches (at most once a second, and when they
        exit), so this waits until two readings half a second apart agree.
        """
        query = "SELECT sessions FROM pg_stat_database WHERE datname = %s"
        previous = None
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            time.sleep(0.6)
            # A new connection each time: a connection's statistics snapshot is fixed.
            with psycopg.connect(self.admin_url, autocommit=True) as conn:
                [(count,)] = conn.execute(query, (self.name,)).fetchall()
            if count == previous:
                return count
            previous = count
        raise AssertionError(f"pg_stat_database.sessions of {self.name} never settled")

    def terminate(self, application_name: str) -> list[int]:
        """``pg_terminate_backend`` every connection named ``application_name``; their PIDs."""
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            rows = conn.execute(
                "SELECT pid, pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE application_name = %s",
                (application_name,),
            ).fetchall()
        assert all(done for _, done in rows), f"could not terminate all of {rows}"
        return sorted(pid for pid, _ in rows)

    def drop(self) -> None:
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(self.name))
            )
