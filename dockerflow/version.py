"""Reading the Dockerflow ``version.json`` file (no Django needed).

``/__version__`` is polled by deploy tooling and monitors; python-dockerflow re-opened
and re-parsed the file on every request. Here a call costs one ``os.stat``: the parsed
object -- or the reason the file is unusable -- is kept until the file's identity or
contents change (device, inode, size, mtime or ctime), so an atomic replace (``mv``),
an in-place rewrite and a deleted-then-recreated file are all noticed.
"""

from __future__ import annotations

import copy
import json
import math
import os
import stat
import threading
from typing import Any

__all__ = ["VersionFileError", "get_version"]

#: Where the Dockerflow spec puts ``version.json`` when a project has no ``BASE_DIR``.
DEFAULT_ROOT = "/app"

FILE_NAME = "version.json"


class VersionFileError(ValueError):
    """``version.json`` exists but cannot be used; ``reason`` says why, ``path`` where.

    A ``ValueError``, like the ``json.JSONDecodeError`` python-dockerflow's
    ``get_version`` lets through for a file that is not JSON.
    """

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path} {reason}")
        self.path = path
        self.reason = reason


_Signature = tuple[int, int, int, int, int]
# path -> (signature, parsed object or the reason it is unusable)
_cache: dict[str, tuple[_Signature, dict[str, Any] | str]] = {}
_lock = threading.Lock()


def version_path(root: str | os.PathLike[str]) -> str:
    """The path of ``version.json`` under ``root``."""
    return os.path.join(os.fspath(root), FILE_NAME)


def get_version(root: str | os.PathLike[str]) -> dict[str, Any] | None:
    """The parsed ``version.json`` in directory ``root``, or ``None`` if there is none.

    Raises :class:`VersionFileError` (a ``ValueError`` naming the file and the reason)
    when the file cannot be read, is not a regular file, is not valid JSON (``NaN``,
    ``Infinity`` and numbers too large for a float included), holds a string that
    cannot be encoded as UTF-8 (a lone surrogate escape), or is not a JSON object.

    The file is parsed once and again only when it changes on disk; a bad file is
    remembered like a good one. Each call returns its own copy, free to modify.
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
        result = _load(path, st)
        if result is None:
            return None
        cached = (signature, result)
        with _lock:
            _cache[path] = cached
    result = cached[1]
    if isinstance(result, str):
        # A new exception each time: re-raising one cached instance would grow its
        # traceback with every request.
        raise VersionFileError(path, result)
    return copy.deepcopy(result)


def _load(path: str, st: os.stat_result) -> dict[str, Any] | str | None:
    """The parsed object, the reason it is unusable, or None if the file vanished."""
    if not stat.S_ISREG(st.st_mode):
        # A FIFO would block the request thread in open() or read() until a writer
        # came; a device could stream forever.
        return "is not a regular file"
    try:
        # O_NONBLOCK: should the path become a FIFO after the stat(), open() still
        # returns at once and the fstat() below turns it away.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:  # removed between stat() and open()
        return None
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})"
    with open(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return "is not a regular file"
        raw = fh.read()
    return _parse(raw)


def _parse(raw: bytes) -> dict[str, Any] | str:
    try:
        data = json.loads(raw, parse_constant=_reject_constant, parse_float=_finite_float)
    except UnicodeDecodeError as exc:
        return f"is not UTF-8 text ({exc.reason} at byte {exc.start})"
    except json.JSONDecodeError as exc:
        return f"is not valid JSON ({exc.msg}: line {exc.lineno} column {exc.colno})"
    except ValueError as exc:  # a non-finite number, or an integer too long to convert
        return f"is not valid JSON ({exc})"
    if not isinstance(data, dict):
        return f"must contain a JSON object, not a JSON {_json_type_name(data)}"
    try:
        json.dumps(data, ensure_ascii=False).encode()
    except UnicodeEncodeError:
        # "\ud800" is accepted by json.loads but cannot be sent as UTF-8.
        return "is not valid JSON (a string holds a lone surrogate escape such as \\ud800)"
    return data


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the number {text[:40]} is too large for a float")
    return value


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
