"""dockerflow.version: get_version, its cache, and the guarded read_small_file."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from types import MappingProxyType

import pytest

import dockerflow.version
from dockerflow.version import (
    MAX_DEPTH,
    UnusableFile,
    VersionFileError,
    get_version,
    read_small_file,
)

VERSION = {
    "source": "https://github.com/mozilla-services/example",
    "version": "v1.2.3",
    "commit": "0123456789abcdef0123456789abcdef01234567",
    "build": "https://ci.example.com/build/42",
}


def test_present_with_path_and_str(tmp_path: Path) -> None:
    (tmp_path / "version.json").write_text(json.dumps(VERSION))
    assert get_version(tmp_path) == VERSION
    assert get_version(str(tmp_path)) == VERSION


def test_utf8_content_and_a_byte_order_mark(tmp_path: Path) -> None:
    (tmp_path / "version.json").write_bytes('\ufeff{"version": "v1 \u2013 \u00e9"}'.encode())
    assert get_version(tmp_path) == {"version": "v1 \u2013 \u00e9"}


def test_absent(tmp_path: Path) -> None:
    assert get_version(tmp_path) is None
    assert get_version(tmp_path / "nope") is None
    (tmp_path / "version.json").symlink_to(tmp_path / "dangling")
    assert get_version(tmp_path) is None


def test_invalid_json_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "version.json"
    path.write_text('{"version": ')
    # A ValueError, as python-dockerflow's json.JSONDecodeError is.
    with pytest.raises(ValueError, match=r"version\.json is not valid JSON") as info:
        get_version(tmp_path)
    assert isinstance(info.value, VersionFileError)
    assert info.value.path == str(path)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ('{"n": NaN}', "NaN is not a JSON number"),
        ('{"n": Infinity}', "Infinity is not a JSON number"),
        ('{"n": -Infinity}', "-Infinity is not a JSON number"),
        ('{"n": 1e999}', "the number 1e999 is too large for a float"),
        ('{"version": "\\ud800"}', "lone surrogate"),
        ('{"\\udfff": "v1"}', "lone surrogate"),
        ('{"a": [["\\ud800"]]}', "lone surrogate"),
        ('{"i": ' + "1" * 5000 + "}", "Exceeds the limit"),
        ('{"a": ' + "[" * MAX_DEPTH + "]" * MAX_DEPTH + "}", f"more than {MAX_DEPTH} levels deep"),
        ('{"a": ' + "[" * 20_000 + "]" * 20_000 + "}", "levels deep"),  # RecursionError
    ],
)
def test_what_cannot_be_sent_as_json_is_rejected(tmp_path: Path, content: str, reason: str) -> None:
    # json.loads accepts most of these; re-encoded, they would be invalid JSON or no UTF-8.
    (tmp_path / "version.json").write_text(content)
    with pytest.raises(VersionFileError, match="is not valid JSON") as info:
        get_version(tmp_path)
    assert reason in info.value.reason


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "is not valid JSON (Expecting value: line 1 column 1)"),
        (b'{"v": "\xff"}', "is not UTF-8 text (invalid start byte at byte 7)"),
        ('{"v": 1}'.encode("utf-16"), "is not UTF-8 text"),
        (b"[]", "must contain a JSON object, not a JSON array"),
        (b"null", "must contain a JSON object, not a JSON null"),
        (b"true", "must contain a JSON object, not a JSON boolean"),
        (b"1.5", "must contain a JSON object, not a JSON number"),
        (b'"v1"', "must contain a JSON object, not a JSON string"),
    ],
)
def test_not_a_utf8_json_object(tmp_path: Path, content: bytes, reason: str) -> None:
    (tmp_path / "version.json").write_bytes(content)
    with pytest.raises(VersionFileError) as info:
        get_version(tmp_path)
    assert info.value.reason.startswith(reason)


def test_big_integers_finite_floats_and_nesting_up_to_the_limit_are_fine(tmp_path: Path) -> None:
    nested = "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1)  # with the object: MAX_DEPTH levels
    (tmp_path / "version.json").write_text(
        '{"n": 1e308, "i": 123456789012345678901234567890, "a": ' + nested + "}"
    )
    data = get_version(tmp_path)
    assert (data["n"], data["i"]) == (1e308, 123456789012345678901234567890)


def test_the_object_is_shared_and_read_only_all_the_way_down(tmp_path: Path) -> None:
    (tmp_path / "version.json").write_text(json.dumps({**VERSION, "nested": {"a": [1, {"b": 2}]}}))
    first = get_version(tmp_path)
    assert first is get_version(tmp_path)  # no copy per call
    assert isinstance(first, MappingProxyType)
    assert first == {**VERSION, "nested": {"a": (1, {"b": 2})}}
    with pytest.raises(TypeError):
        first["version"] = "changed"
    with pytest.raises(TypeError):
        first["nested"]["a"][1]["b"] = 3
    assert dict(first)["version"] == VERSION["version"]


def count_reads(monkeypatch) -> list[str]:
    reads: list[str] = []
    real = dockerflow.version.read_small_file
    monkeypatch.setattr(
        dockerflow.version, "read_small_file", lambda path, n: reads.append(path) or real(path, n)
    )
    return reads


def test_read_once_then_again_only_when_the_file_changes(tmp_path: Path, monkeypatch) -> None:
    reads = count_reads(monkeypatch)
    path = tmp_path / "version.json"
    path.write_text(json.dumps({"version": "1"}))
    assert [get_version(tmp_path)["version"] for _ in range(3)] == ["1"] * 3
    assert len(reads) == 1

    # Same size, new contents, mtime forced back to the old value: the ctime differs.
    st = path.stat()
    time.sleep(0.01)
    path.write_text(json.dumps({"version": "2"}))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert get_version(tmp_path)["version"] == "2"

    # Atomic replace (new inode), as a deploy does; then deleted and recreated.
    (tmp_path / "new.json").write_text(json.dumps({"version": "3"}))
    os.replace(tmp_path / "new.json", path)
    assert get_version(tmp_path)["version"] == "3"
    path.unlink()
    assert get_version(tmp_path) is None
    path.write_text(json.dumps({"version": "4"}))
    assert get_version(tmp_path)["version"] == "4"
    assert len(reads) == 4


def test_a_bad_file_is_read_again_each_time(tmp_path: Path, monkeypatch) -> None:
    reads = count_reads(monkeypatch)
    (tmp_path / "version.json").write_text("{broken")
    for _ in range(2):
        with pytest.raises(VersionFileError):
            get_version(tmp_path)
    assert len(reads) == 2


def test_root_that_is_a_file(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("")
    with pytest.raises(UnusableFile, match=r"cannot be read \(Not a directory\)"):
        get_version(tmp_path / "a-file")


# --- read_small_file -----------------------------------------------------------------


def test_read_small_file_returns_bytes_up_to_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"x" * 10)
    assert read_small_file(path, 10) == b"x" * 10
    assert read_small_file(str(path), 100) == b"x" * 10
    with pytest.raises(UnusableFile) as info:
        read_small_file(path, 9)
    assert (info.value.path, info.value.reason) == (str(path), "is larger than 9 bytes")
    assert not isinstance(info.value, VersionFileError)
    assert read_small_file(tmp_path / "missing", 10) is None


def test_a_huge_sparse_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "huge"
    with open(path, "wb") as fh:
        fh.truncate(8 * 1024**3)  # 8 GiB of holes: reading it all would take memory and time
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()
    with pytest.raises(UnusableFile, match="is larger than 4096 bytes"):
        read_small_file(path, 4096)
    assert time.monotonic() - started < 1
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 10_000  # KiB


@pytest.mark.parametrize("kind", ["fifo", "directory", "dev-zero", "dev-null", "socket"])
def test_anything_but_a_regular_file_is_refused_at_once(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "secret"
    if kind == "fifo":
        os.mkfifo(path)  # no writer: open() or read() would block
    elif kind == "directory":
        path.mkdir()
    elif kind == "socket":
        import socket

        sock = socket.socket(socket.AF_UNIX)
        sock.bind(str(path))
        sock.close()
    else:
        path.symlink_to("/dev/zero" if kind == "dev-zero" else "/dev/null")
    with pytest.raises(UnusableFile) as info:
        read_small_file(path, 1024)
    assert info.value.reason == "is not a regular file"


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
    with pytest.raises(UnusableFile, match="is not a regular file"):
        read_small_file(path, 100)


@pytest.mark.parametrize(
    ("call", "error"),
    [
        ("open", PermissionError(13, "Permission denied")),
        ("read", OSError(5, "Input/output error")),
    ],
)
def test_open_or_read_failing(tmp_path: Path, monkeypatch, call: str, error: OSError) -> None:
    (tmp_path / "f").write_text("{}")

    def fail(*args):
        raise error

    # Forced: the tests may run as root, which reads any file.
    monkeypatch.setattr(os, call, fail)
    with pytest.raises(UnusableFile) as info:
        read_small_file(tmp_path / "f", 100)
    assert info.value.reason == f"cannot be read ({error.strerror})"


def test_needs_no_django_settings() -> None:
    code = "import dockerflow.version, sys; print('django.conf' in sys.modules)"
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert (done.returncode, done.stdout.strip()) == (0, "False"), done.stderr
