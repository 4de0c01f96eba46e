"""The code in the docs and the README works.

Conventions for ``.. code-block::`` examples in ``docs/*.rst`` and ``README.rst``:

* ``python``: compiled, every one.
* ``python`` with ``:class: runnable``: also run in a fresh interpreter by
  ``run_example.py`` (a ``LOGGING`` dict goes through ``dictConfig``; a settings
  module with ``INSTALLED_APPS`` configures and sets up Django). No ``DJANGO_*``,
  ``DOCKERFLOW_*`` or ``DATABASE_URL`` variable is inherited; the environment is
  :data:`EXAMPLE_ENVIRONMENT`: what the quickstart tells a reader to set for
  production, so a ``configure(globals())`` example runs as it would there.
* ``json``: parsed.
* any block mentioning ``manage.py dockerflow_*``: every ``--option`` it uses exists.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import load_command_class

from tests.docs.rst import ROOT, CodeBlock, code_blocks, documented_files

BLOCKS = [block for path in documented_files() for block in code_blocks(path)]
RUNNER = Path(__file__).with_name("run_example.py")
#: The least a production configuration needs (quickstart, step 4).
#: A fresh random key: Prod refuses a short or low-variety one (Django's security.W009).
EXAMPLE_ENVIRONMENT = {"DJANGO_SECRET_KEY": secrets.token_urlsafe(50)}


def blocks(language: str, *, runnable: bool | None = None) -> list[CodeBlock]:
    found = [b for b in BLOCKS if b.language == language]
    if runnable is not None:
        found = [b for b in found if ("runnable" in b.classes) == runnable]
    return found


def ids(found: list[CodeBlock]) -> list[str]:
    return [block.where for block in found]


def test_the_pages_have_examples_to_test() -> None:
    # Guards the reader: a change in the directive syntax must not silently leave
    # nothing to test.
    assert len(blocks("python")) >= 3
    assert len(blocks("python", runnable=True)) >= 1
    assert len(blocks("json")) >= 3


@pytest.mark.parametrize("block", blocks("python"), ids=ids(blocks("python")))
def test_python_example_compiles(block: CodeBlock) -> None:
    try:
        compile(block.code, block.where, "exec")
    except SyntaxError as exc:
        pytest.fail(f"{block.where}: {exc}\n{block.code}")


RUNNABLE = blocks("python", runnable=True)


@pytest.mark.parametrize("block", RUNNABLE, ids=ids(RUNNABLE))
def test_runnable_python_example_runs(block: CodeBlock, tmp_path: Path) -> None:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DOCKERFLOW_")) and key != "DATABASE_URL"
    }
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    env.update(EXAMPLE_ENVIRONMENT)
    completed = subprocess.run(
        [sys.executable, "-W", "error", str(RUNNER)],
        input=block.code,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=60,
    )
    assert completed.returncode == 0, (
        f"{block.where} failed:\n{block.code}\n--- stdout\n{completed.stdout}"
        f"\n--- stderr\n{completed.stderr}"
    )


@pytest.mark.parametrize("block", blocks("json"), ids=ids(blocks("json")))
def test_json_example_parses(block: CodeBlock) -> None:
    # One JSON document, or else JSON Lines (log output: one object per line).
    try:
        json.loads(block.code)
        return
    except ValueError as exc:
        whole_error = exc
    lines = [line for line in block.code.splitlines() if line.strip()]
    try:
        for line in lines:
            json.loads(line)
    except ValueError:
        pytest.fail(f"{block.where}: {whole_error}\n{block.code}")
    assert len(lines) > 1, f"{block.where}: {whole_error}"


_COMMAND = re.compile(r"manage\.py\W+(dockerflow_\w+)(.*)")
_OPTION = re.compile(r"(?<![\w-])(--?[a-z][\w-]*)")


def command_uses() -> list[tuple[str, str, str]]:
    """(where, command, option) for each option given to a dockerflow_* command."""
    uses = []
    for block in BLOCKS:
        for number, line in enumerate(block.code.splitlines(), start=block.line + 1):
            match = _COMMAND.search(line)
            if match:
                where = f"{block.path.relative_to(ROOT)}:{number}"
                options = _OPTION.findall(match[2]) or [""]
                uses.extend((where, match[1], option) for option in options)
    return uses


def test_the_pages_show_the_commands() -> None:
    shown = {command for _, command, _ in command_uses()}
    assert shown >= {"dockerflow_heartbeat", "dockerflow_version", "dockerflow_settings"}


@pytest.mark.parametrize(("where", "command", "option"), command_uses())
def test_command_options_shown_exist(where: str, command: str, option: str) -> None:
    app = "dockerflow_settings" if command == "dockerflow_settings" else "dockerflow.django"
    parser = load_command_class(app, command).create_parser("manage.py", command)
    if option:
        assert option in parser._option_string_actions, f"{where}: {command} has no {option}"
