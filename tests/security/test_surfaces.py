"""The corpus through the operator's commands, for real: subprocesses on the example project.

``python -m dockerflow_settings check`` runs once per database URL of the corpus (it is
cheap: it imports no Django app); ``manage.py`` commands run on a representative subset,
and one batched subprocess takes every case through ``check`` and the startup error.
stdout and stderr are both searched: log lines (mozlog JSON with DEBUG off) included.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.servers.process import EXAMPLE_DIR, REPO_ROOT, server_env

from .corpus import DATABASE_URLS, SECRET_KEYS, STRONG_SECRET_KEY, Case, leaks

#: Valid URLs whose passwords end up in DATABASES (PASSWORD or OPTIONS).
SHOWN = ("encoded-all", "raw-at", "query-sslpassword", "query-password-int",
         "query-password-twice", "query-key-token-secret", "ipv6", "quotes")  # fmt: skip
#: Invalid URLs that stop the settings from loading.
REFUSED = ("raw-slash", "raw-slash-digits", "raw-all", "one-slash-scheme", "forgotten-host",
           "raw-newline")  # fmt: skip
BY_LABEL = {case.label: case for case in DATABASE_URLS + SECRET_KEYS}


def env(**variables: str) -> dict[str, str]:
    return server_env(
        {
            "DJANGO_SETTINGS_MODULE": "example.settings",
            "DJANGO_CONFIGURATION": "Prod",
            "DJANGO_SECRET_KEY": STRONG_SECRET_KEY,
            "DJANGO_ALLOWED_HOSTS": "app.example.com",
            "PYTHONPATH": f"{REPO_ROOT}:{EXAMPLE_DIR}",
            **variables,
        }
    )


def run(argv: list[str], environ: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-W", "error", *argv],
        cwd=EXAMPLE_DIR,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )


def output(result: subprocess.CompletedProcess[str]) -> str:
    return result.stdout + result.stderr


def test_module_check_on_every_database_url() -> None:
    def check(case: Case) -> tuple[Case, subprocess.CompletedProcess[str]]:
        return case, run(["-m", "dockerflow_settings", "check"], env(DATABASE_URL=case.value))

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(check, DATABASE_URLS))
    for case, result in results:
        assert result.returncode == (0 if case.valid else 1), (case.label, output(result))
        if not case.valid:
            assert "DATABASE_URL='" in result.stdout, output(result)
        assert not leaks(output(result), [case]), output(result)


@pytest.mark.parametrize("label", SHOWN)
def test_settings_command_table_and_json(label: str) -> None:
    case = BY_LABEL[label]
    environ = env(DATABASE_URL=case.value)
    as_json = run(["manage.py", "dockerflow_settings", "--json"], environ)
    assert as_json.returncode == 0, output(as_json)
    rows = {row["name"]: row for row in json.loads(as_json.stdout)["settings"]}
    assert rows["DATABASES"]["value"]["default"]["HOST"] in ("db", "::1")
    table = run(["manage.py", "dockerflow_settings"], environ)
    assert table.returncode == 0, output(table)
    assert not leaks(output(as_json) + output(table), [case]), output(as_json)


@pytest.mark.parametrize("case", SECRET_KEYS, ids=[case.label for case in SECRET_KEYS])
def test_settings_command_with_a_tricky_secret_key(case: Case) -> None:
    result = run(["manage.py", "dockerflow_settings", "--json"], env(DJANGO_SECRET_KEY=case.value))
    assert result.returncode == 0, output(result)
    assert not leaks(output(result), [case]), output(result)


@pytest.mark.parametrize("label", REFUSED)
def test_startup_error(label: str) -> None:
    case = BY_LABEL[label]
    result = run(["manage.py", "check"], env(DATABASE_URL=case.value))
    assert result.returncode != 0
    assert "DATABASE_URL=" in result.stderr, output(result)
    assert "percent-encode" in result.stderr or "no scheme://" in result.stderr
    assert not leaks(output(result), [case]), output(result)
    settings = run(["manage.py", "dockerflow_settings", "--json"], env(DATABASE_URL=case.value))
    assert settings.returncode != 0
    assert not leaks(output(settings), [case]), output(settings)


BATCH = """
import contextlib, io, json, os, sys
from dockerflow_settings.__main__ import main
from dockerflow_settings.errors import ConfigurationError
from dockerflow_settings.resolve import resolve
from pathlib import Path

for value in json.loads(sys.stdin.read()):
    os.environ["DATABASE_URL"] = value
    main(["check"])
    resolution = resolve({}, base_dir=Path.cwd(), project="example", testing=False)
    try:
        resolution.raise_for_problems()
    except ConfigurationError as error:
        print(error)
    print("=" * 20, flush=True)
"""


def test_one_batched_process_takes_every_case_through_check_and_the_startup_error() -> None:
    cases = DATABASE_URLS
    result = subprocess.run(
        [sys.executable, "-W", "error", "-c", textwrap.dedent(BATCH)],
        input=json.dumps([case.value for case in cases]),
        cwd=EXAMPLE_DIR,
        env=env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, output(result)
    blocks = result.stdout.split("=" * 20 + "\n")
    assert len(blocks) == len(cases) + 1  # one per case and the empty tail
    assert blocks[1].startswith("Invalid configuration"), blocks[1]  # raw-slash-digits
    assert not leaks(output(result), cases), output(result)


@pytest.mark.parametrize("label", ["raw-slash", "query-sslpassword", "no-scheme", "raw-space"])
def test_module_check_masks_the_settings_modules_own_import_error(label: str, tmp_path) -> None:
    case = BY_LABEL[label]
    (tmp_path / "quoting_settings.py").write_text(
        "import os\nraise RuntimeError('cannot use ' + os.environ['DATABASE_URL'])\n"
    )
    environ = env(DATABASE_URL=case.value, DJANGO_SETTINGS_MODULE="quoting_settings")
    del environ["DJANGO_CONFIGURATION"]
    environ["PYTHONPATH"] = f"{tmp_path}:{REPO_ROOT}"
    result = run(["-m", "dockerflow_settings", "check"], environ)
    assert "cannot import quoting_settings (RuntimeError: cannot use " in result.stderr
    assert not leaks(output(result), [case]), output(result)
