"""example/Dockerfile follows the Dockerflow container rules.

No Docker engine runs here: these tests read the Dockerfile, its ignore file and its
entry point; test_example_gunicorn.py runs its HEALTHCHECK against a real server and
its build steps outside Docker. The image build itself is not exercised.
"""

from __future__ import annotations

import fnmatch
import os
import re
import shlex
import subprocess
import sys

import pytest

from tests.servers import dockerfile
from tests.servers.process import EXAMPLE_DIR, REPO_ROOT

pytestmark = pytest.mark.servers

DOCKERFILE = EXAMPLE_DIR / "Dockerfile"
IGNORE_FILE = EXAMPLE_DIR / "Dockerfile.dockerignore"
ENTRYPOINT_SCRIPT = EXAMPLE_DIR / "bin" / "run.sh"

INSTRUCTIONS = dockerfile.parse_file(DOCKERFILE)
FINAL_STAGE = max(i.stage for i in INSTRUCTIONS)
FINAL = [i for i in INSTRUCTIONS if i.stage == FINAL_STAGE]


def final(keyword: str) -> list[dockerfile.Instruction]:
    return [i for i in FINAL if i.keyword == keyword]


def env_values(instruction: dockerfile.Instruction) -> dict[str, str]:
    return dict(part.split("=", 1) for part in shlex.split(instruction.args))


def test_parser_reads_continuations_comments_and_stages() -> None:
    parsed = dockerfile.parse(
        '# c\nFROM a AS b\nRUN x \\\n  # inside\n  && y\nFROM b\ncmd ["z"]\nENV A=1\n'
    )
    assert [(i.keyword, i.args, i.stage, i.line) for i in parsed] == [
        ("FROM", "a AS b", 0, 2),
        ("RUN", "x && y", 0, 3),
        ("FROM", "b", 1, 6),
        ("CMD", '["z"]', 1, 7),
        ("ENV", "A=1", 1, 8),
    ]
    assert parsed[3].exec_form() == ["z"]
    assert parsed[4].exec_form() is None
    with pytest.raises(AssertionError):
        dockerfile.parse("RUN a \\\n")


def test_final_stage_is_an_official_python_image() -> None:
    (base,) = final("FROM")
    stages = {
        i.args.split()[-1]: i for i in INSTRUCTIONS if i.keyword == "FROM" and " AS " in i.args
    }
    assert base.args in stages  # the final stage builds on the shared base stage
    assert stages[base.args].args.startswith("python:${PYTHON_VERSION}-slim")


def test_sources_in_app() -> None:
    assert [i.args for i in final("WORKDIR")] == ["/app"]
    copies = [i.args for i in final("COPY")]
    assert "example/ /app/" in copies
    # The package itself is installed from this checkout in the builder stage.
    builder_copies = " ".join(i.args for i in INSTRUCTIONS if i.stage < FINAL_STAGE)
    for path in ("pyproject.toml", "dockerflow ", "dockerflow_settings "):
        assert path in builder_copies


def test_app_user_and_group_with_id_10001() -> None:
    runs = " ".join(i.args for i in final("RUN"))
    assert re.search(r"groupadd --gid 10001 app\b", runs)
    assert re.search(
        r"useradd --uid 10001 --gid 10001 .*\bapp$|useradd --uid 10001 --gid 10001 .*\bapp ", runs
    )
    users = final("USER")
    assert [u.args for u in users] == ["app"]
    # Everything after USER runs as app: no RUN may need root after it.
    assert not [i for i in FINAL if i.keyword == "RUN" and i.line > users[0].line]


def test_entrypoint_and_cmd_in_exec_form() -> None:
    (entrypoint,) = final("ENTRYPOINT")
    (cmd,) = final("CMD")
    assert entrypoint.exec_form() == ["/app/bin/run.sh"]
    assert cmd.exec_form() == ["web"]
    assert os.access(ENTRYPOINT_SCRIPT, os.X_OK)


def test_port_8000_by_default() -> None:
    env = {k: v for i in final("ENV") for k, v in env_values(i).items()}
    assert env["PORT"] == "8000"
    assert env["DJANGO_CONFIGURATION"] == "Prod"
    assert env["DJANGO_SETTINGS_MODULE"] == "example.settings"
    assert [i.args for i in final("EXPOSE")] == ["8000"]


def test_collectstatic_at_build_time_with_the_build_configuration() -> None:
    runs = [i.args for i in final("RUN")]
    assert any(
        "DJANGO_CONFIGURATION=Build python manage.py collectstatic --noinput" in run for run in runs
    )


def test_version_json_written_at_build_time_from_build_args() -> None:
    args = {i.args.split("=")[0] for i in final("ARG")}
    assert args >= {"SOURCE", "VERSION", "COMMIT", "BUILD_URL"}
    (run,) = [i.args for i in final("RUN") if "dockerflow_version" in i.args]
    assert "--write /app/version.json" in run
    assert "--no-git" in run  # the image has neither git nor .git: only the build args count
    for flag, arg in (("source", "SOURCE"), ("version", "VERSION"), ("commit", "COMMIT")):
        assert f'${{{arg}:+--{flag} "${arg}"}}' in run
    assert '${BUILD_URL:+--build "$BUILD_URL"}' in run


def test_healthcheck_polls_lbheartbeat_on_port() -> None:
    (check,) = final("HEALTHCHECK")
    options, _, command = check.args.partition(" CMD ")
    assert "--interval=" in options
    assert "--timeout=" in options
    argv = dockerfile.Instruction("CMD", command, 0, 0).exec_form()
    assert argv is not None
    assert argv[:2] == ["python", "-c"]
    assert "__lbheartbeat__" in argv[2]
    assert "os.environ.get('PORT')" in argv[2]


def _matches(path: str, pattern: str) -> bool:
    if pattern.startswith("**/"):  # any number of leading directories
        parts = path.split("/")
        return any(fnmatch.fnmatchcase("/".join(parts[i:]), pattern[3:]) for i in range(len(parts)))
    return fnmatch.fnmatchcase(path, pattern)


def ignored(path: str, patterns: list[str]) -> bool:
    """Docker's rule: the last pattern matching the path or a directory above it wins."""
    parts = path.split("/")
    paths = ["/".join(parts[:n]) for n in range(1, len(parts) + 1)]
    result = False
    for pattern in patterns:
        negated = pattern.startswith("!")
        pattern = pattern.removeprefix("!").rstrip("/")
        if any(_matches(p, pattern) for p in paths):
            result = not negated
    return result


def ignore_patterns(text: str | None = None) -> list[str]:
    text = IGNORE_FILE.read_text() if text is None else text
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def test_ignore_file_sends_only_the_package_and_the_example() -> None:
    patterns = ignore_patterns()
    for sent in (
        "pyproject.toml",
        "README.rst",
        "dockerflow/logging/formatter.py",
        "dockerflow_settings/gunicorn.py",
        "example/manage.py",
        "example/bin/run.sh",
        "example/greetings/static/greetings/site.css",
    ):
        assert not ignored(sent, patterns), sent
    for kept_out in (
        ".git/HEAD",
        ".venv/bin/python",
        "tests/conftest.py",
        "example/db.sqlite3",
        "example/version.json",
        "example/staticfiles/greetings/site.css",
        "example/greetings/__pycache__/views.cpython-312.pyc",
        "example/Dockerfile",
    ):
        assert ignored(kept_out, patterns), kept_out
    # Everything the builder stage copies exists in the context.
    for path in ("pyproject.toml", "setup.py", "README.rst", "dockerflow", "dockerflow_settings"):
        assert (REPO_ROOT / path).exists(), path


def test_ignore_file_keeps_every_env_file_out() -> None:
    patterns = ignore_patterns()
    for secret_file in (
        "example/.env",
        "example/.env.local",
        "example/example/.env",
        ".env",
        "dockerflow_settings/.env",
    ):
        assert ignored(secret_file, patterns), secret_file
    # Files that only look alike still go in.
    for sent in ("example/example/settings.py", "example/greetings/templates/env.html"):
        assert not ignored(sent, patterns), sent


def run_entrypoint(*args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PATH": f"{os.path.dirname(sys.executable)}{os.pathsep}{os.environ['PATH']}",
    }
    return subprocess.run(
        [str(ENTRYPOINT_SCRIPT), *args],
        cwd=EXAMPLE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_entrypoint_runs_other_commands_as_given() -> None:
    result = run_entrypoint("echo", "hello", "world")
    assert (result.returncode, result.stdout) == (0, "hello world\n")
    result = run_entrypoint("sh", "-c", "exit 7")
    assert result.returncode == 7
