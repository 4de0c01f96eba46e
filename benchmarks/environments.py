"""The two benchmark virtualenvs, and running ``workload.py`` in either of them.

Both packages are imported as ``dockerflow``, hence two environments with the same
Python and the same pins (``requirements.txt``): ``.venv-ours`` with this checkout
installed (not editable, with its ``orjson`` extra), ``.venv-pydf`` with
python-dockerflow from PyPI.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rows import OURS, PYDF

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORKLOAD = HERE / "workload.py"
PINS = HERE / "requirements.txt"
PYDF_REQUIREMENT = "dockerflow==2026.3.4"
STRIPPED_ENV = ("PYTHONPATH", "DJANGO_SETTINGS_MODULE", "DJANGO_CONFIGURATION", "VIRTUAL_ENV")


def run(cmd: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, check=True, text=True, **kwargs)


def quiet(cmd: list[str]) -> None:
    """Run ``cmd``; show its output only if it fails (pip warns about every index)."""
    proc = subprocess.run(cmd, text=True, capture_output=True)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stdout}{proc.stderr}")


def source_digest() -> str:
    """Hash of what a non-editable install of this checkout copies."""
    digest = hashlib.sha256()
    for top in ("dockerflow", "dockerflow_settings"):
        for path in sorted((ROOT / top).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(ROOT)).encode())
                digest.update(path.read_bytes())
    digest.update((ROOT / "pyproject.toml").read_bytes())
    return digest.hexdigest()


def ensure_venv(side: str, python: str, log: Callable[[str], None]) -> Path:
    """Create or refresh ``.venv-<side>``; returns its python."""
    venv = HERE / f".venv-{side}"
    py = venv / "bin" / "python"
    stamp = venv / ".bench-stamp"
    wanted = hashlib.sha256(PINS.read_bytes() + python.encode()).hexdigest()
    if side == OURS:
        wanted += ":" + source_digest()
    if stamp.exists() and stamp.read_text() == wanted and py.exists():
        return py
    pip = [str(py), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    if not py.exists() or not stamp.exists() or stamp.read_text()[:64] != wanted[:64]:
        log(f"creating {venv.relative_to(ROOT)} ...")
        shutil.rmtree(venv, ignore_errors=True)
        run([python, "-m", "venv", str(venv)])
        quiet([*pip, "-r", str(PINS)])
        if side == PYDF:
            quiet([*pip, "-c", str(PINS), PYDF_REQUIREMENT])
    if side == OURS:
        log(f"installing this checkout into {venv.relative_to(ROOT)} ...")
        # Not editable: the benchmark imports what a user's pip install would give.
        with tempfile.TemporaryDirectory() as build:
            copy = Path(build) / "src"
            shutil.copytree(
                ROOT,
                copy,
                ignore=shutil.ignore_patterns(
                    ".git", ".venv*", ".tox", "build", "*.egg-info", "__pycache__", "docs",
                    "tests", ".hypothesis", ".ruff_cache", "reports",
                ),
            )  # fmt: skip
            quiet([*pip, "--force-reinstall", "--no-deps", str(copy)])
            quiet([*pip, "-c", str(PINS), f"{copy}[orjson]"])
    stamp.write_text(wanted)
    return py


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in STRIPPED_ENV}
    env.update(extra)
    return env


@dataclass
class Side:
    """One environment: its python and a scratch directory for the workload's files."""

    name: str
    python: Path
    state: Path

    def workload(
        self, measure: str, scale: float, env: dict[str, str] | None = None
    ) -> dict[str, Any]:
        proc = subprocess.run(
            [str(self.python), str(WORKLOAD), measure, "--scale", str(scale)],
            capture_output=True,
            text=True,
            cwd=self.state,
            env=clean_env(BENCH_STATE_DIR=str(self.state), **(env or {})),
            timeout=300,
        )
        if proc.returncode != 0:
            raise RuntimeError(
                f"{measure} failed in {self.name} ({proc.returncode}):\n{proc.stderr[-3000:]}"
            )
        return json.loads(proc.stdout.strip().splitlines()[-1])


def bench_sides(log: Callable[[str], None], python: str) -> dict[str, Side]:
    """Both environments, built or refreshed, each with an empty state directory."""
    sides = {}
    for name in (OURS, PYDF):
        venv_python = ensure_venv(name, python, log)
        state = HERE / f".venv-{name}" / "state"
        shutil.rmtree(state, ignore_errors=True)
        state.mkdir()
        sides[name] = Side(name, venv_python, state)
    return sides


# --- PostgreSQL for the heartbeat_pg row ---------------------------------------------

PG_DATABASE = "bench_heartbeat"
DEFAULT_POSTGRES_DSN = "host=127.0.0.1 port=5432 user=postgres dbname=test"


def postgres_dsn() -> str:
    return os.environ.get("BENCH_POSTGRES_DSN", DEFAULT_POSTGRES_DSN)


def drop_postgres_database() -> None:
    import psycopg

    with psycopg.connect(postgres_dsn(), autocommit=True, connect_timeout=3) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE}")


def postgres_env() -> dict[str, str] | str:
    """``BENCH_DATABASE`` for the PostgreSQL row (a fresh database), or why it is skipped."""
    try:
        import psycopg

        with psycopg.connect(postgres_dsn(), autocommit=True, connect_timeout=3) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE}")
            conn.execute(f"CREATE DATABASE {PG_DATABASE}")
            info = conn.info
            database = {
                "ENGINE": "django.db.backends.postgresql",
                "NAME": PG_DATABASE,
                "USER": info.user,
                "PASSWORD": info.password or "",
                "HOST": info.host,
                "PORT": str(info.port),
                # Persistent connections, as production settings usually ask for.
                "CONN_MAX_AGE": 60,
            }
    except Exception as exc:  # no driver, no server, no rights: the row says so
        return f"not measured: no usable PostgreSQL ({type(exc).__name__}; BENCH_POSTGRES_DSN)"
    return {"BENCH_DATABASE": json.dumps(database)}
