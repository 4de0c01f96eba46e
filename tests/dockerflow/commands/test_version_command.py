"""manage.py dockerflow_version: print, --write, --check, flags and exit codes."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from .conftest import clean_env, manage

SHA = "0123456789abcdef0123456789abcdef01234567"
VALID = {"source": "https://github.com/o/r", "version": "v1", "commit": SHA, "build": ""}


def run(*args, **options):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("dockerflow_version", *args, stdout=out, stderr=err, **options)
    except CommandError as exc:
        return out.getvalue(), err.getvalue(), exc
    return out.getvalue(), err.getvalue(), None


@pytest.fixture
def ci_env(monkeypatch):
    for name in list(os.environ):
        if name.startswith(("GITHUB_", "CIRCLE", "CI_", "TASK", "VCS_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("CIRCLE_SHA1", SHA)
    monkeypatch.setenv("CIRCLE_REPOSITORY_URL", "git@github.com:o/r.git")
    monkeypatch.setenv("CIRCLE_TAG", "v1")


# --- subprocess --------------------------------------------------------------------


def test_subprocess_write_then_check(plain_project):
    env = clean_env(GITHUB_SHA=SHA, GITHUB_REPOSITORY="o/r", GITHUB_RUN_ID="5")
    written = manage(plain_project, "dockerflow_version", "--write", "--version", "v2", env=env)
    assert written.returncode == 0, written.stderr
    path = plain_project / "version.json"  # BASE_DIR/version.json
    # Relative to the working directory (the project): no machine's layout in the output.
    assert written.stdout.strip() == "Wrote version.json"
    assert json.loads(path.read_text()) == {
        "source": "https://github.com/o/r",
        "version": "v2",
        "commit": SHA,
        "build": "https://github.com/o/r/actions/runs/5",
    }
    assert oct(path.stat().st_mode & 0o777) == "0o644"
    assert [p.name for p in plain_project.iterdir() if p.name.startswith(".")] == []

    checked = manage(plain_project, "dockerflow_version", "--check")
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.strip() == f"version.json: valid (commit {SHA}, version v2)"

    elsewhere = manage(plain_project, "dockerflow_version", "--check", str(path.parent.parent))
    assert elsewhere.stderr.strip().startswith(f"CommandError: {path.parent.parent}: ")


def test_subprocess_failures(plain_project, tmp_path):
    missing = manage(plain_project, "dockerflow_version", "--check", str(tmp_path / "nope.json"))
    assert missing.returncode == 3
    assert missing.stderr.strip() == f"CommandError: {tmp_path / 'nope.json'}: missing"

    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({**VALID, "commit": "xyz"}))
    invalid = manage(plain_project, "dockerflow_version", "--check", str(bad))
    assert invalid.returncode == 1
    assert invalid.stderr.strip() == (
        f"CommandError: {bad}: commit 'xyz' is not a 7-40 character hexadecimal SHA"
    )

    bad_flag = manage(plain_project, "dockerflow_version", "--commit", "xyz")
    assert bad_flag.returncode == 2
    assert bad_flag.stderr == (
        "CommandError: --commit: commit 'xyz' is not a 7-40 character hexadecimal SHA\n"
    )

    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        env = clean_env(CI_COMMIT_SHA=SHA)
        unwritable = manage(
            plain_project, "dockerflow_version", "--write", str(locked / "v.json"), env=env
        )
    finally:
        locked.chmod(0o700)
    if os.geteuid() == 0:
        # root ignores directory permissions; the missing-directory case still fails.
        unwritable = manage(
            plain_project, "dockerflow_version", "--write", str(tmp_path / "no/v.json"), env=env
        )
        assert unwritable.stderr.strip().endswith(f"directory {tmp_path / 'no'} does not exist")
    else:
        assert "Permission denied" in unwritable.stderr
    assert unwritable.returncode == 3
    for result in (missing, invalid, bad_flag, unwritable):
        assert "Traceback" not in result.stderr


def test_subprocess_no_commit_anywhere(plain_project):
    result = manage(plain_project, "dockerflow_version", "--no-git")
    assert result.returncode == 1
    assert result.stderr.startswith("CommandError: invalid version object: could not determine")
    assert len(result.stderr.strip().splitlines()) == 1


# --- in process --------------------------------------------------------------------


def test_print_and_verbose_origins(ci_env):
    out, err, error = run("--no-git", verbosity=2)
    assert error is None
    assert json.loads(out) == {**VALID, "source": "https://github.com/o/r"}
    assert "commit: '0123456789abcdef0123456789abcdef01234567' from CIRCLE_SHA1" in err
    assert "source: 'https://github.com/o/r' from CIRCLE_REPOSITORY_URL" in err


def test_version_flag_is_the_field_not_djangos(ci_env):
    out, _, _ = run("--no-git", "--version", "custom", "--build", "https://ci/1")
    assert json.loads(out)["version"] == "custom"
    assert json.loads(out)["build"] == "https://ci/1"


def test_write_json_to_default_path(ci_env, settings, tmp_path):
    settings.BASE_DIR = tmp_path
    out, _, error = run("--no-git", "--write", "--json")
    assert error is None
    assert json.loads(out) == {"path": str(tmp_path / "version.json"), "version": VALID}
    assert json.loads((tmp_path / "version.json").read_text()) == VALID


def test_write_replaces_atomically_and_cleans_up_on_failure(ci_env, tmp_path, monkeypatch):
    target = tmp_path / "version.json"
    target.write_text("old")
    inode = target.stat().st_ino
    run("--no-git", "--write", str(target))
    assert json.loads(target.read_text()) == VALID
    assert target.stat().st_ino != inode  # a new file renamed over the old one

    def refuse(*args):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)
    _, _, error = run("--no-git", "--write", str(target))
    assert error.returncode == 3
    assert str(error) == f"cannot write {target}: Permission denied"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["version.json"]


def test_invalid_environment_value(ci_env, monkeypatch):
    monkeypatch.setenv("CIRCLE_BUILD_URL", "not a url")
    _, _, error = run("--no-git")
    assert error.returncode == 1
    assert str(error) == (
        "invalid version object: build 'not a url' is not an http(s) URL (or empty) "
        "(from CIRCLE_BUILD_URL)"
    )


@pytest.mark.parametrize(
    ("content", "problem", "code"),
    [
        ("{not json", "is not valid JSON (Expecting property name", 1),
        ('["a"]', "must contain a JSON object, not a JSON array", 1),
        (b"\xff\xfe", "is not UTF-8 text", 1),
    ],
)
def test_check_invalid_files(tmp_path, content, problem, code):
    path = tmp_path / "version.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    out, _, error = run("--check", str(path), "--json")
    assert error.returncode == code
    assert problem in str(error)
    report = json.loads(out)
    assert report["valid"] is False
    assert report["version"] is None
    assert problem in report["problems"][0]


def test_check_valid_json_report_and_unreadable(tmp_path):
    path = tmp_path / "version.json"
    path.write_text(json.dumps(VALID))
    out, _, error = run("--check", str(path), "--json")
    assert error is None
    assert json.loads(out) == {"path": str(path), "valid": True, "problems": [], "version": VALID}

    _, _, error = run("--check", str(tmp_path))  # a directory cannot be read as a file
    assert error.returncode == 3
    assert str(error) == f"{tmp_path}: is not a regular file"


def test_check_rejects_build_flags(tmp_path):
    _, _, error = run("--check", str(tmp_path / "v.json"), "--commit", SHA, "--no-git")
    assert error.returncode == 2
    assert str(error) == "--check cannot be combined with --commit, --no-git"


def test_in_process_missing_file_missing_directory_and_bad_flag(ci_env, tmp_path):
    _, _, error = run("--check", str(tmp_path / "absent.json"))
    assert (error.returncode, str(error)) == (3, f"{tmp_path / 'absent.json'}: missing")

    _, _, error = run("--no-git", "--write", str(tmp_path / "no" / "v.json"))
    assert error.returncode == 3
    assert (
        str(error)
        == f"cannot write {tmp_path / 'no' / 'v.json'}: directory {tmp_path / 'no'} does not exist"
    )

    _, _, error = run("--source", "ftp://x")
    assert error.returncode == 2
    assert str(error) == "--source: source 'ftp://x' is not an http(s) URL (or empty)"


def test_version_flag_survives_django_configurations_parser_patch(tmp_path):
    # django-configurations replaces BaseCommand.create_parser with a function that
    # takes no keyword arguments; --version must still be our field, not Django's.
    script = (
        "import django; from django.conf import settings\n"
        f"settings.configure(INSTALLED_APPS=['dockerflow.django'], BASE_DIR={str(tmp_path)!r})\n"
        "django.setup()\n"
        "from configurations import importer; importer.install()\n"
        "from django.core.management import call_command\n"
        "call_command('dockerflow_version', '--no-git', '--commit', 'a' * 40,"
        " '--version', 'v9', '--write')\n"
    )
    result = subprocess.run(
        [sys.executable, "-W", "error", "-c", script],
        capture_output=True,
        text=True,
        check=False,
        cwd=str(Path(__file__).resolve().parents[3]),
        # install() insists on both; the settings are configured by hand above.
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "unused", "DJANGO_CONFIGURATION": "Unused"},
    )
    assert result.returncode == 0, result.stderr
    written = json.loads((tmp_path / "version.json").read_text())
    assert written["version"] == "v9"
    assert written["commit"] == "a" * 40


def test_paths_inside_the_working_directory_are_shown_relative(ci_env, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sub").mkdir()
    out, _, error = run("--no-git", "--write", str(tmp_path / "sub" / "v.json"))
    assert (out.strip(), error) == ("Wrote sub/v.json", None)
    out, _, error = run("--check", "sub/v.json", "--json")
    assert json.loads(out)["path"] == "sub/v.json"
