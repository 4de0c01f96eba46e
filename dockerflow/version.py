"""Reading ``version.json`` (no Django needed), and small files read with the same guards.

``/__version__`` is polled by deploy tooling and monitors, so a good file is parsed once
and again only when it changes on disk (its inode, size, mtime or ctime differ): a
request then costs one ``os.stat``. The parsed object is read-only all the way down, so
every caller shares it without a copy. A bad file is read again on each call.
"""

from __future__ import annotations

import json
import math
import os
import stat
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

__all__ = ["UnusableFile", "VersionFileError", "get_version", "read_small_file"]

#: Where the Dockerflow spec puts ``version.json`` when a project has no ``BASE_DIR``.
DEFAULT_ROOT = "/app"
FILE_NAME = "version.json"
#: A version object is a few hundred bytes; a file this large is not one.
MAX_BYTES = 64 * 1024
#: Nor is one nested more levels deep than this (a limit that also keeps walks short).
MAX_DEPTH = 32


class UnusableFile(ValueError):
    """A file exists but cannot be used; ``reason`` says why, ``path`` where.

    ``reason`` reads after the path: ``"is not a regular file"``, ``"is larger than 65536
    bytes"``, ``"cannot be read (Permission denied)"``.
    """

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path} {reason}")
        self.path = path
        self.reason = reason


class VersionFileError(UnusableFile):
    """``version.json`` was read, but is not UTF-8, not JSON, or not a JSON object.

    A ``ValueError``, like the ``json.JSONDecodeError`` python-dockerflow's
    ``get_version`` lets through for a file that is not JSON.
    """


def read_small_file(path: str | os.PathLike[str], max_bytes: int) -> bytes | None:
    """The bytes of the regular file at ``path``, or ``None`` when nothing is there.

    Raises :class:`UnusableFile` for anything else: a directory, FIFO, socket or device
    (refused without reading, so a FIFO never blocks and ``/dev/zero`` allocates
    nothing), a file larger than ``max_bytes`` (at most ``max_bytes + 1`` bytes are
    read to tell), or one that cannot be opened or read. Symbolic links are followed; a
    dangling one counts as nothing there.
    """
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
    """The object in ``version.json`` in directory ``root``, or ``None`` if there is none.

    The object is read-only (``MappingProxyType``; nested objects too, arrays as
    tuples); ``dict(...)`` gives a mutable copy of its top level. Raises
    :class:`UnusableFile` (a ``ValueError`` naming the file and the reason) when the
    file is not a regular file, is larger than :data:`MAX_BYTES` or cannot be read,
    and its subclass :class:`VersionFileError` when it is not UTF-8, not JSON, not a
    JSON object, or holds what JSON cannot send back: ``NaN``, ``Infinity``, a number
    too large for a float, a lone surrogate escape, or more than :data:`MAX_DEPTH`
    levels of nesting.
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
