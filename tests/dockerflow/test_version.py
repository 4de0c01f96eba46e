from __future__ import annotations

import json
from pathlib import Path

import pytest

from dockerflow.version import get_version

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


def test_invalid_json_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "version.json"
    path.write_text('{"version": ')
    with pytest.raises(json.JSONDecodeError, match=r"version\.json is not valid JSON") as info:
        get_version(tmp_path)
    assert str(path) in str(info.value)
    assert isinstance(info.value, ValueError)
