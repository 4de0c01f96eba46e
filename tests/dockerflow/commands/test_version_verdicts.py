"""/__version__ and ``dockerflow_version --check`` give the same verdict on every file.

One corpus of files, each fed to the endpoint (test client) and to the command: both
must find it valid, missing, or unusable for the same reason. Every usable file holds
a valid version object, so the command's extra key checks never decide.
"""

from __future__ import annotations

import io
import json
import os
import socket
from collections.abc import Callable
from pathlib import Path
from types import MappingProxyType

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from dockerflow.version import MAX_BYTES, MAX_DEPTH

SHA = "0123456789abcdef0123456789abcdef01234567"
VALID = {"source": "https://github.com/o/r", "version": "v1", "commit": SHA, "build": ""}
BODY = json.dumps(VALID)[1:-1]  # the valid keys, to put next to a hostile one


def text(content: str) -> Callable[[Path], object]:
    return lambda path: path.write_text(content, encoding="utf-8")


def raw(content: bytes) -> Callable[[Path], object]:
    return lambda path: path.write_bytes(content)


def unix_socket(path: Path) -> None:
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(path))


def unreadable(path: Path) -> None:
    path.write_text(json.dumps(VALID))
    path.chmod(0)  # root reads it anyway: then both must find it valid


CORPUS: dict[str, Callable[[Path], object]] = {
    "valid": text(json.dumps(VALID)),
    "valid, extra keys": text(json.dumps({**VALID, "n": 1.5, "tags": ["a", {"b": None}]})),
    "valid, huge int": text("{" + BODY + ', "n": ' + "9" * 4000 + "}"),
    "valid, byte order mark": raw(b"\xef\xbb\xbf" + json.dumps(VALID).encode()),
    "valid, non-ASCII": text(json.dumps({**VALID, "version": "v1 \u2013 \u00e9\U0001f600"})),
    "valid, via symlink": lambda path: (
        path.with_name("real.json").write_text(json.dumps(VALID)),
        path.symlink_to("real.json"),
    ),
    "missing": lambda path: None,
    "dangling symlink": lambda path: path.symlink_to("nowhere.json"),
    "NaN": text("{" + BODY + ', "n": NaN}'),
    "Infinity": text("{" + BODY + ', "n": Infinity}'),
    "-Infinity": text("{" + BODY + ', "n": -Infinity}'),
    "float overflow": text("{" + BODY + ', "n": 1e999}'),
    "int beyond the digit limit": text("{" + BODY + ', "n": ' + "9" * 5000 + "}"),
    "lone surrogate value": text("{" + BODY + ', "n": "\\ud800"}'),
    "lone surrogate key": text("{" + BODY + ', "\\udfff": 1}'),
    "lone surrogate nested": text("{" + BODY + ', "n": [{"m": "\\udbff"}]}'),
    "too deep": text("{" + BODY + ', "n": ' + "[" * MAX_DEPTH + "]" * MAX_DEPTH + "}"),
    "deep beyond recursion": text("{" + BODY + ', "n": ' + "[" * 30_000 + "]" * 30_000 + "}"),
    "array": text(json.dumps([VALID])),
    "string": text('"v1"'),
    "number": text("1"),
    "null": text("null"),
    "true": text("true"),
    "empty": text(""),
    "whitespace": text(" \n"),
    "truncated": text(json.dumps(VALID)[:-1]),
    "trailing data": text(json.dumps(VALID) + " {}"),
    "not UTF-8": raw(
        json.dumps({**VALID, "version": "v1 \xe9"}, ensure_ascii=False).encode("latin-1")
    ),
    "UTF-16": raw(json.dumps(VALID).encode("utf-16")),
    "NUL bytes": raw(b"\x00" * 10),
    "too large": text("{" + BODY + ', "pad": "' + "x" * MAX_BYTES + '"}'),
    "FIFO": lambda path: os.mkfifo(path),  # no writer: reading would block for ever
    "directory": lambda path: path.mkdir(),
    "socket": unix_socket,
    "/dev/zero via symlink": lambda path: path.symlink_to("/dev/zero"),
    "/dev/null via symlink": lambda path: path.symlink_to("/dev/null"),
    "symlink loop": lambda path: path.symlink_to(path.name),
    "unreadable": unreadable,
}


def endpoint_verdict(client, settings, root: Path) -> tuple[str, str | None]:
    settings.BASE_DIR = root
    response = client.get("/__version__")
    body = json.loads(response.content)
    if response.status_code == 200:
        assert body == json.loads(json.dumps(body))  # sent back as valid JSON
        return "valid", None
    if response.status_code == 404:
        return "missing", None
    assert response.status_code == 500, response.content
    return "unusable", body["error"].removeprefix("version.json ")


def check_verdict(path: Path) -> tuple[str, str | None, int]:
    out = io.StringIO()
    try:
        call_command("dockerflow_version", "--check", str(path), "--json", stdout=out)
    except CommandError as exc:
        (problem,) = json.loads(out.getvalue())["problems"]
        if problem == "missing":
            return "missing", None, exc.returncode
        return "unusable", problem, exc.returncode
    return "valid", None, 0


@pytest.mark.parametrize("case", list(CORPUS))
def test_endpoint_and_check_agree(client, settings, tmp_path: Path, case: str) -> None:
    path = tmp_path / "version.json"
    CORPUS[case](path)
    verdict, reason, code = check_verdict(path)
    assert endpoint_verdict(client, settings, tmp_path) == (verdict, reason)
    if case.startswith("valid") or (case == "unreadable" and os.geteuid() == 0):
        assert (verdict, code) == ("valid", 0)
    elif verdict == "missing":
        assert code == 3
    else:
        assert verdict == "unusable"
        # Content problems are the file's fault (1); not getting at it is 3.
        content = reason.startswith(("is not valid JSON", "is not UTF-8", "must contain"))
        assert code == (1 if content else 3), reason


def test_what_the_old_check_accepted_is_refused(tmp_path: Path) -> None:
    # Before one reader: --check parsed with json.loads and said "valid" for all of these,
    # while /__version__ answered 500.
    for case in ("NaN", "Infinity", "float overflow", "lone surrogate value", "too deep"):
        CORPUS[case](tmp_path / f"{case}.json")
        verdict, reason, code = check_verdict(tmp_path / f"{case}.json")
        assert (verdict, code) == ("unusable", 1), case
        assert reason.startswith("is not valid JSON ("), reason


def test_the_view_serves_any_mapping(client, settings, tmp_path: Path) -> None:
    data = MappingProxyType({"version": "v1", "tags": ("a", MappingProxyType({"b": None}))})
    settings.DOCKERFLOW_VERSION_CALLBACK = lambda root: data
    assert client.get("/__version__").json() == {"version": "v1", "tags": ["a", {"b": None}]}
