"""The example project, prepared outside the repository for real servers to serve."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.servers.process import EXAMPLE_DIR, REPO_ROOT, run_quick, server_env

VERSION = {
    "source": "https://github.com/example/dockerflow-example",
    "version": "v1.2.3-test",
    "commit": "0123456789abcdef0123456789abcdef01234567",
    "build": "https://ci.example.com/job/42",
}


def example_env(base_dir: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """Environment running the example in Prod with its files under ``base_dir``."""
    return server_env(
        {
            # example/ first: its `example` package, not the repository's example/ dir.
            "PYTHONPATH": os.pathsep.join(
                p for p in (str(EXAMPLE_DIR), str(REPO_ROOT), os.environ.get("PYTHONPATH")) if p
            ),
            "DJANGO_SETTINGS_MODULE": "example.settings",
            "DJANGO_CONFIGURATION": "Prod",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "localhost,127.0.0.1",
            "DJANGO_BASE_DIR": str(base_dir),
            "DJANGO_STATIC_ROOT": str(base_dir / "staticfiles"),
            "DATABASE_URL": f"sqlite:///{base_dir / 'db.sqlite3'}",
            # As behind a load balancer that ends TLS (tests send X-Forwarded-Proto).
            "DJANGO_SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO,https",
            # The tests count one request.summary per request, probes included (Prod's
            # default logs failing probes only: test_example_gunicorn has that case).
            "DJANGO_DOCKERFLOW_SUMMARY_LOG_PROBES": "all",
            **(extra or {}),
        }
    )


@dataclass
class ExampleSite:
    """The example's database, static files and version.json, all under ``base_dir``."""

    base_dir: Path
    env: dict[str, str]
    version: dict[str, str] = field(default_factory=lambda: dict(VERSION))

    def manage(
        self, *args: str, env: Mapping[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return run_quick(
            [sys.executable, "manage.py", *args], {**self.env, **(env or {})}, cwd=EXAMPLE_DIR
        )

    def must(self, *args: str) -> str:
        result = self.manage(*args)
        assert result.returncode == 0, (
            f"manage.py {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
        )
        return result.stdout

    def static_source(self, name: str) -> bytes:
        return (EXAMPLE_DIR / "greetings" / "static" / name).read_bytes()

    def manifest(self) -> dict[str, Any]:
        return json.loads((self.base_dir / "staticfiles" / "staticfiles.json").read_text())


@pytest.fixture(scope="package")
def example_site(tmp_path_factory: pytest.TempPathFactory) -> ExampleSite:
    """Migrated, static files collected, version.json written (once for the package)."""
    base_dir = tmp_path_factory.mktemp("example-site")
    site = ExampleSite(base_dir, example_env(base_dir))
    site.must("migrate", "--noinput", "--verbosity", "0")
    site.must("collectstatic", "--noinput", "--verbosity", "0")
    (base_dir / "version.json").write_text(json.dumps(VERSION))
    return site
