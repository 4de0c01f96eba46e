"""Reading ``version.json`` (no Django needed), and other small files with the same guards.
A good file is parsed again only when its inode, size, mtime or ctime change: polling
``/__version__`` costs one ``os.stat``.
"""

from __future__ import annotations

import json
import math
import os
import stat
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

__all__ = ["UnusableFile", "VersionFileError", "get_version"]

#: Where the Dockerflow spec puts ``version.json`` when a project has no ``BASE_DIR``.
DEFAULT_ROOT = "/app"
FILE_NAME = "version.json"
#: A version object is a few hundred bytes; a file this large is not one.
MAX_BYTES = 64 * 1024
#: Nor is one nested more levels deep than this (a limit that also keeps walks short).
MAX_DEPTH = 32


class UnusableFile(ValueError):
    """A file exists but cannot be used: ``path``, and ``reason``, which reads after it
    (``"is not a regular file"``, ``"cannot be read (Permission denied)"``...)."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path} {reason}")
        self.path = path
        self.reason = reason


class VersionFileError(UnusableFile):
    """``version.json`` was read but holds no usable JSON object (a ``ValueError``, as
    python-dockerflow's ``json.JSONDecodeError`` was)."""


def read_small_file(path: str | os.PathLike[str], max_bytes: int) -> bytes | None:
    """The bytes of the regular file at ``path`` (links followed), or ``None`` if none.
    :class:`UnusableFile` for anything else: not a regular file (refused unread: a FIFO
    never blocks), larger than ``max_bytes`` (at most one byte more is read), unreadable."""
    path = os.fspath(path)
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            raise UnusableFile(path, "is not a regular file")
        # O_NONBLOCK: should a FIFO replace the file after the stat(), open() still
        # returns at once and the fstat() below turns it away.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise UnusableFile(path, f"cannot be read ({exc.strerror or exc})") from exc
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise UnusableFile(path, "is not a regular file")
        data = b""
        while len(data) <= max_bytes and (chunk := os.read(fd, max_bytes + 1 - len(data))):
            data += chunk
    except OSError as exc:
        raise UnusableFile(path, f"cannot be read ({exc.strerror or exc})") from exc
    finally:
        os.close(fd)
    if len(data) > max_bytes:
        raise UnusableFile(path, f"is larger than {max_bytes} bytes")
    return data


# path -> (the file's signature when read, its parsed object)
_cache: dict[str, tuple[tuple[int, int, int, int], Mapping[str, Any]]] = {}


def get_version(root: str | os.PathLike[str]) -> Mapping[str, Any] | None:
    """The object in ``root/version.json``, or ``None`` if there is none.

    Read-only and shared by every caller (``MappingProxyType``, nested ones too, arrays
    as tuples; ``dict(...)`` copies the top level). Raises :class:`UnusableFile` (a
    ``ValueError`` naming the file) when it is not a regular file, over 64 KiB or not
    readable, and its subclass :class:`VersionFileError` when it is not UTF-8, not JSON,
    not an object, or holds what JSON cannot send back: ``NaN``, ``Infinity``, a number
    too large for a float, a lone surrogate, more than 32 levels of nesting.
    """
    return read_version_file(os.path.join(os.fspath(root), FILE_NAME))


def read_version_file(path: str | os.PathLike[str]) -> Mapping[str, Any] | None:
    """:func:`get_version` for a file at any path (``dockerflow_version --check``)."""
    path = os.fspath(path)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise UnusableFile(path, f"cannot be read ({exc.strerror or exc})") from exc
    signature = (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
    cached = _cache.get(path)
    if cached is not None and cached[0] == signature:
        return cached[1]
    raw = read_small_file(path, MAX_BYTES)
    if raw is None:  # removed since the stat()
        return None
    data = _parse(path, raw)
    # Stored under the signature seen before reading: if the file changed in between,
    # the next call sees a new signature and reads it again.
    _cache[path] = (signature, data)
    return data


def json_default(value: object) -> object:
    """``json.dumps``'s ``default`` for a version object: a mapping (:func:`get_version`'s
    are read-only) is an object; another value JSON has no type for is its ``str()``."""
    return dict(value) if isinstance(value, Mapping) else str(value)


def _parse(path: str, raw: bytes) -> Mapping[str, Any]:
    try:
        # A UTF-8 byte order mark is allowed (RFC 8259); UTF-16 and UTF-32 are not.
        data = json.loads(
            raw.decode("utf-8-sig"), parse_constant=_reject_constant, parse_float=_finite_float
        )
        if isinstance(data, dict):
            return _frozen(data, MAX_DEPTH - 1)
        kind = {list: "array", str: "string", bool: "boolean", type(None): "null"}
        reason = f"must contain a JSON object, not a JSON {kind.get(type(data), 'number')}"
    except UnicodeDecodeError as exc:
        reason = f"is not UTF-8 text ({exc.reason} at byte {exc.start})"
    except json.JSONDecodeError as exc:
        reason = f"is not valid JSON ({exc.msg}: line {exc.lineno} column {exc.colno})"
    except RecursionError:
        reason = f"is not valid JSON (nested more than {MAX_DEPTH} levels deep)"
    except ValueError as exc:  # from the hooks below, or an integer too long to convert
        reason = f"is not valid JSON ({exc})"
    raise VersionFileError(path, reason)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the number {text[:40]} is too large for a float")
    return value


def _frozen(value: Any, depth: int) -> Any:
    if depth < 0:
        raise ValueError(f"nested more than {MAX_DEPTH} levels deep")
    if isinstance(value, dict):
        return MappingProxyType({_utf8(k): _frozen(v, depth - 1) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(_frozen(item, depth - 1) for item in value)
    return _utf8(value) if isinstance(value, str) else value


def _utf8(text: str) -> str:
    # json.loads accepts "\ud800", which no UTF-8 response can carry.
    try:
        text.encode()
    except UnicodeEncodeError:
        raise ValueError("a string holds a lone surrogate escape such as \\ud800") from None
    return text
