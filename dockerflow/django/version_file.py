"""``version.json``, read once and re-read only when the file changes on disk.

``/__version__`` is polled by deploy tooling and monitors; python-dockerflow re-opened
and re-parsed the file on every request. Here each request costs one ``os.stat``:
the parsed object (and its encoded JSON body) is kept until the file's identity or
contents change -- device, inode, size, mtime or ctime -- so an atomic replace
(``mv``), an in-place rewrite and a deleted-then-recreated file are all noticed.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass
from typing import Any

#: Where the Dockerflow spec puts ``version.json`` when a project has no ``BASE_DIR``.
DEFAULT_ROOT = "/app"

FILE_NAME = "version.json"


class VersionFileError(Exception):
    """``version.json`` exists but cannot be used (unreadable, not JSON, not an object)."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


@dataclass(frozen=True)
class VersionInfo:
    """The parsed ``version.json`` and its JSON encoding, ready to send."""

    data: dict[str, Any]
    body: bytes


_Signature = tuple[int, int, int, int, int]
_cache: dict[str, tuple[_Signature, VersionInfo | VersionFileError]] = {}
_lock = threading.Lock()


def version_path(root: str | os.PathLike[str]) -> str:
    """The path of ``version.json`` under ``root``."""
    return os.path.join(os.fspath(root), FILE_NAME)


def read_version(root: str | os.PathLike[str]) -> VersionInfo | None:
    """The contents of ``<root>/version.json``; ``None`` when there is no such file.

    Raises :class:`VersionFileError` when the file cannot be read, is not valid JSON,
    or does not hold a JSON object. A bad file is remembered like a good one, so it is
    not re-parsed on every request either.
    """
    path = version_path(root)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        _cache.pop(path, None)
        return None
    except OSError as exc:
        raise VersionFileError(path, f"cannot be read ({exc.strerror or exc})") from exc
    signature = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
    cached = _cache.get(path)
    if cached is None or cached[0] != signature:
        # Parse outside the lock; the lock only keeps concurrent refreshes from
        # interleaving their cache writes. The last parse to finish wins, and every
        # parse is of a file at least as new as the signature it is stored under.
        result = _load(path)
        if result is None:
            return None
        cached = (signature, result)
        with _lock:
            _cache[path] = cached
    result = cached[1]
    if isinstance(result, VersionFileError):
        raise result
    return result


def _load(path: str) -> VersionInfo | VersionFileError | None:
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except FileNotFoundError:  # removed between stat() and open()
        return None
    except OSError as exc:
        return VersionFileError(path, f"cannot be read ({exc.strerror or exc})")
    try:
        data = json.loads(raw)
    except UnicodeDecodeError as exc:
        return VersionFileError(path, f"is not UTF-8 text ({exc.reason} at byte {exc.start})")
    except json.JSONDecodeError as exc:
        return VersionFileError(
            path, f"is not valid JSON ({exc.msg}: line {exc.lineno} column {exc.colno})"
        )
    except ValueError as exc:  # e.g. a number too long to convert
        return VersionFileError(path, f"is not valid JSON ({exc})")
    if not isinstance(data, dict):
        return VersionFileError(
            path, f"must contain a JSON object, not a JSON {_json_type_name(data)}"
        )
    return VersionInfo(data=data, body=encode_json(data))


def encode_json(data: Any) -> bytes:
    """Compact UTF-8 JSON; values JSON cannot hold are written with ``str()``."""
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False, default=str).encode()


def _json_type_name(value: Any) -> str:
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "boolean"
    if value is None:
        return "null"
    return "number"


def clear_cache() -> None:
    """Forget every remembered ``version.json`` (tests; never needed in production)."""
    with _lock:
        _cache.clear()
