"""JSON for log records that never fails and is always valid.

One output format whichever encoder runs: compact separators, insertion key order,
ASCII only (non-ASCII, DEL and lone surrogates as ``\\uXXXX`` escapes, so the line
survives any stream encoding), Python's ``repr`` for floats, NaN and infinities as the
strings ``"NaN"``, ``"Infinity"``, ``"-Infinity"``, ``repr()`` for anything JSON has no
type for. orjson is used when importable and when it would produce exactly the same
bytes; otherwise the standard library encodes the record.
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Callable
from enum import Enum
from typing import Any
from uuid import UUID

try:
    import orjson
except ImportError:  # pragma: no cover - the dev venv has orjson; tox covers its absence
    orjson = None  # type: ignore[assignment]

#: Containers nested deeper than this are replaced by a marker string.
MAX_DEPTH = 100

_INF = math.inf
_KEYWORDS = {True: "true", False: "false", None: "null"}


def safe_repr(value: object) -> str:
    """``repr(value)``, or a marker naming the type if ``__repr__`` itself fails."""
    try:
        text = repr(value)
        # A str subclass from __repr__ could misbehave later: keep only its characters.
        return text if type(text) is str else str.__str__(text)
    except Exception as exc:
        try:
            return f"<unrepresentable {type(value).__name__} object: {type(exc).__name__}>"
        except Exception:  # a metaclass whose __name__ raises
            return "<unrepresentable object>"


def safe_str(value: object) -> str:
    """``str(value)``, or :func:`safe_repr` if ``__str__`` fails; always an exact ``str``.

    A ``str`` subclass gives its characters without calling its ``__str__``.
    """
    t = type(value)
    if t is str:
        return value  # type: ignore[return-value]
    if issubclass(t, str):
        return str.__str__(value)  # type: ignore[arg-type]  # its characters, whatever __str__ does
    try:
        text = str(value)
        return text if type(text) is str else str.__str__(text)
    except Exception:
        return safe_repr(value)


# --- standard library -------------------------------------------------------------

# One encoder for every record: JSONEncoder.encode() is cheaper than json.dumps(),
# which checks its arguments and builds an encoder per call.
_stdlib_encode = json.JSONEncoder(
    ensure_ascii=True,
    separators=(",", ":"),
    allow_nan=False,
    check_circular=False,  # a cycle fails with RecursionError and goes to _clean()
    default=safe_repr,
).encode


def _clean_float(value: float) -> float | str:
    if value != value:
        return "NaN"
    if value == _INF:
        return "Infinity"
    if value == -_INF:
        return "-Infinity"
    return value


def _clean_int(value: int) -> int | str:
    # Python refuses to print ints of more than sys.get_int_max_str_digits() digits
    # (4300 by default, at least 640): give those in hex rather than lose the record.
    if value.bit_length() > 2000:
        try:
            int.__repr__(value)
        except ValueError:
            return hex(value)
    return value


def _clean_key(key: object) -> str:
    # The conversions the stdlib applies to non-str keys; repr() for the rest.
    t = type(key)
    if t is str:
        return key  # type: ignore[return-value]
    if key is True or key is False or key is None:
        return _KEYWORDS[key]  # type: ignore[index]
    if issubclass(t, str):
        return str.__str__(key)  # type: ignore[arg-type]
    if issubclass(t, int):
        return str(_clean_int(int.__index__(key)))  # type: ignore[arg-type]
    if issubclass(t, float):
        cleaned = _clean_float(float.__float__(key))  # type: ignore[arg-type]
        return cleaned if type(cleaned) is str else float.__repr__(cleaned)  # type: ignore[return-value,arg-type]
    return safe_repr(key)


def _clean(value: Any, active: set[int], depth: int) -> Any:
    """A copy of ``value`` that the strict stdlib encoder cannot refuse.

    Only ``type(value)`` is trusted: a subclass's own methods (``items``, ``__iter__``,
    ``__str__``...) and ``isinstance``, which reads ``__class__``, may raise. Builtin
    subclasses give what the stdlib encoder writes for them: their base type's value.
    """
    t = type(value)
    if t is str or value is None or value is True or value is False:
        return value
    if issubclass(t, str):
        return str.__str__(value)
    if issubclass(t, int):
        return _clean_int(int.__index__(value))
    if issubclass(t, float):
        return _clean_float(float.__float__(value))
    if not issubclass(t, (dict, list, tuple)):
        return safe_repr(value)
    kind = t.__name__
    if id(value) in active:
        return f"<cyclic reference to {kind}>"
    if depth >= MAX_DEPTH:
        return f"<{kind} nested too deeply>"
    active.add(id(value))
    try:
        if issubclass(t, dict):
            # The stdlib encoder calls a dict subclass's items() (e.g. a QueryDict's last
            # values): so do we, and fall back to its repr() when that fails.
            items = value.items() if t is dict else list(value.items())
            return {_clean_key(k): _clean(v, active, depth + 1) for k, v in items}
        # The stdlib encoder reads a list's or tuple's items, never its __iter__.
        items = list.__iter__(value) if issubclass(t, list) else tuple.__iter__(value)
        return [_clean(v, active, depth + 1) for v in items]
    except Exception:
        return safe_repr(value)
    finally:
        active.discard(id(value))


def dumps_stdlib(obj: dict[str, Any]) -> str:
    """Encode ``obj`` with the standard library; never raises for bad values."""
    try:
        return _stdlib_encode(obj)
    except Exception:
        pass  # whatever a value did (a cycle, NaN, a raising items()...): clean it
    try:
        return _stdlib_encode(_clean(obj, set(), 0))
    except Exception as exc:
        # E.g. the stack was already nearly exhausted by the caller: keep the top
        # level, flattened to strings, which needs no recursion at all.
        flat = {_clean_key(k): safe_repr(v) for k, v in dict.items(obj)}
        flat["encoding_error"] = safe_repr(exc)
        return _stdlib_encode(flat)


# --- orjson -----------------------------------------------------------------------

# Types orjson would write differently from the stdlib (enum values, UUID strings,
# subclasses of builtins). Exact builtin types are handled before this check.
_ORJSON_DIFFERENT: tuple[type, ...] = (str, int, float, dict, list, tuple, Enum, UUID)

if orjson is not None:  # pragma: no branch
    _ORJSON_DIFFERENT += (getattr(orjson, "Fragment", Enum),)  # raw JSON, orjson >= 3.9.16
    _orjson_dumps = orjson.dumps
    # Let default() (repr) handle what the stdlib would hand to it anyway.
    _ORJSON_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


def _orjson_same(value: Any, depth: int) -> bool:
    """Whether orjson would write ``value`` exactly like the stdlib encoder."""
    t = type(value)
    if t is str or t is int or t is bool or value is None:
        return True
    if t is float:
        # orjson writes 1e-05 as 0.00001 and 1e-07 as 1e-7, NaN as null: only floats
        # from 1e-4 up print the same.
        return 1e-4 <= abs(value) < _INF or value == 0.0
    if t is dict or t is list or t is tuple:
        if depth >= MAX_DEPTH:
            return False
        depth += 1
        # Inline checks for the usual str/int items: this runs for every record.
        for item in value.values() if t is dict else value:
            t = type(item)
            if not (t is str or t is int or _orjson_same(item, depth)):
                return False
        return True
    # Anything else goes to safe_repr() in both encoders. (Not isinstance(): it reads
    # __class__, which a proxy may fake or an object make raise.)
    return not issubclass(t, _ORJSON_DIFFERENT)


_NOT_PRINTABLE_ASCII = re.compile(r"[^\x00-\x7e]")


def _escape_char(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 | (code >> 10):04x}\\u{0xDC00 | (code & 0x3FF):04x}"


def _dumps_orjson(
    fallback: Callable[[dict[str, Any]], str | None], obj: dict[str, Any]
) -> str | None:
    """``obj`` encoded by orjson when that gives the stdlib's bytes, else ``fallback(obj)``."""
    if not _orjson_same(obj, 0):
        return fallback(obj)
    try:
        text = _orjson_dumps(obj, default=safe_repr, option=_ORJSON_OPTIONS).decode()
    except Exception:
        # orjson.JSONEncodeError: non-str key, int over 64 bits, lone surrogate, or
        # default() returned something it refuses. The stdlib copes with all of them.
        return fallback(obj)
    # str.isascii() is O(1); DEL is ASCII but the stdlib escapes it.
    if text.isascii() and "\x7f" not in text:
        return text
    return _NOT_PRINTABLE_ASCII.sub(_escape_char, text)


def dumps_orjson(obj: dict[str, Any]) -> str:
    """Encode ``obj`` with orjson when that gives the stdlib's bytes, else the stdlib."""
    return _dumps_orjson(dumps_stdlib, obj)  # type: ignore[return-value]


def _dumps_stdlib_plain(obj: dict[str, Any]) -> str | None:
    try:
        return _stdlib_encode(obj)
    except Exception:
        return None


# One call per record: partial() adds no Python frame.
_dumps_orjson_plain = functools.partial(_dumps_orjson, _dumps_stdlib_plain)


#: Encodes one record: ``dumps_orjson`` when orjson is importable, else ``dumps_stdlib``.
#: Never raises because of a value in ``obj``. Switch with :func:`use_orjson`.
dumps: Callable[[dict[str, Any]], str] = dumps_stdlib

#: ``obj`` encoded exactly as :func:`dumps` would, if no value needs cleaning (NaN, a
#: cycle, an int too big for JSON...); else None, and the caller encodes a larger whole
#: with :func:`dumps` so that cleaning applies to it exactly as it would have.
dumps_plain: Callable[[dict[str, Any]], str | None] = _dumps_stdlib_plain


def use_orjson(enabled: bool) -> bool:
    """Choose the encoder behind :func:`dumps`; returns the previous choice.

    Tests force the standard library with ``use_orjson(False)`` without uninstalling
    orjson. Both encoders produce the same bytes for the same record.
    """
    global dumps, dumps_plain
    if enabled and orjson is None:
        raise RuntimeError("use_orjson(True): orjson is not installed (pip install orjson)")
    previous = dumps is dumps_orjson
    dumps = dumps_orjson if enabled else dumps_stdlib
    dumps_plain = _dumps_orjson_plain if enabled else _dumps_stdlib_plain
    return previous


use_orjson(orjson is not None)
