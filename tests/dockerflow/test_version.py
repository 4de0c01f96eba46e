from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dockerflow.version import VersionFileError, clear_cache, get_version

VERSION = {
    "source": "https://github.com/mozilla-services/example",
    "version": "v1.2.3",
    "commit": "0123456789abcdef0123456789abcdef01234567",
    "build": "https://ci.example.com/build/42",
}


def test_present_with_path(tmp_path: Path) -> None:
    (tmp_path / "version.json").write_text(json.dumps(VERSION))
    assert get_version(tmp_path) == VERSION


def test_present_with_str(tmp_path: Path) -> None:
    (tmp_path / "version.json").write_text(json.dumps(VERSION))
    assert get_version(str(tmp_path)) == VERSION


def test_utf8_content(tmp_path: Path) -> None:
    (tmp_path / "version.json").write_bytes('{"version": "v1 \u2013 \u00e9"}'.encode())
    assert get_version(tmp_path) == {"version": "v1 \u2013 \u00e9"}


def test_absent(tmp_path: Path) -> None:
    assert get_version(tmp_path) is None
    assert get_version(str(tmp_path)) is None


def test_missing_directory(tmp_path: Path) -> None:
    assert get_version(tmp_path / "nope") is None


@pytest.fixture(autouse=True)
def _fresh_cache():
    clear_cache()
    yield
    clear_cache()


def test_invalid_json_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "version.json"
    path.write_text('{"version": ')
    # A ValueError, as python-dockerflow's json.JSONDecodeError is.
    with pytest.raises(ValueError, match=r"version\.json is not valid JSON") as info:
        get_version(tmp_path)
    assert isinstance(info.value, VersionFileError)
    assert str(path) in str(info.value)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ('{"n": NaN}', "NaN is not a JSON number"),
        ('{"n": Infinity}', "Infinity is not a JSON number"),
        ('{"n": -Infinity}', "-Infinity is not a JSON number"),
        ('{"n": 1e999}', "the number 1e999 is too large for a float"),
        ('{"version": "\\ud800"}', "lone surrogate"),
        ('{"\\udfff": "v1"}', "lone surrogate"),
    ],
)
def test_what_cannot_be_sent_as_json_is_rejected(tmp_path: Path, content: str, reason: str) -> None:
    # json.loads accepts all of these; re-encoded, they would be invalid JSON or no UTF-8.
    (tmp_path / "version.json").write_text(content)
    with pytest.raises(VersionFileError, match="is not valid JSON") as info:
        get_version(tmp_path)
    assert reason in info.value.reason


def test_big_integers_and_finite_floats_are_fine(tmp_path: Path) -> None:
    (tmp_path / "version.json").write_text('{"n": 1e308, "i": 123456789012345678901234567890}')
    assert get_version(tmp_path) == {"n": 1e308, "i": 123456789012345678901234567890}


def test_each_call_returns_its_own_copy(tmp_path: Path) -> None:
    (tmp_path / "version.json").write_text(json.dumps({**VERSION, "nested": {"a": [1]}}))
    first = get_version(tmp_path)
    first["version"] = "changed"
    first["nested"]["a"].append(2)
    assert get_version(tmp_path) == {**VERSION, "nested": {"a": [1]}}


def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "version.json")  # no writer: open() or read() would block
    with pytest.raises(VersionFileError, match="is not a regular file"):
        get_version(tmp_path)


def test_a_fifo_swapped_in_after_the_stat_is_refused(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "version.json"
    path.write_text("{}")
    real_open = os.open

    def swap(name, flags, *args):
        os.unlink(name)
        os.mkfifo(name)
        # Without O_NONBLOCK this open() would wait for a writer.
        assert flags & os.O_NONBLOCK
        return real_open(name, flags, *args)

    monkeypatch.setattr(os, "open", swap)
    with pytest.raises(VersionFileError, match="is not a regular file"):
        get_version(tmp_path)


def test_unreadable_file(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "version.json").write_text("{}")

    def refuse(*args):
        raise PermissionError(13, "Permission denied")

    # Forced: the tests may run as root, which reads any file.
    monkeypatch.setattr(os, "open", refuse)
    with pytest.raises(VersionFileError, match=r"cannot be read \(Permission denied\)"):
        get_version(tmp_path)


def test_needs_no_django_settings() -> None:
    code = "import dockerflow.version, sys; print('django.conf' in sys.modules)"
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert (done.returncode, done.stdout.strip()) == (0, "False"), done.stderr
