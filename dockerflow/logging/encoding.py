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
import json.encoder
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


def safe_repr(value: object) -> str:
    """``repr(value)``, or a marker naming the type if ``__repr__`` itself fails."""
    try:
        return repr(value)
    except Exception as exc:
        return f"<unrepresentable {type(value).__name__} object: {type(exc).__name__}>"


# --- standard library -------------------------------------------------------------

# JSONEncoder.encode() rebuilds its C encoder on every call; building it once saves
# about a microsecond per record. The signature of c_make_encoder is the same on
# CPython 3.10-3.13; anything else falls back to the public API.
_json_encoder = json.JSONEncoder(
    ensure_ascii=True,
    separators=(",", ":"),
    allow_nan=False,
    check_circular=False,  # a cycle fails with RecursionError and goes to _clean()
    default=safe_repr,
)


def _make_stdlib_encode() -> Callable[[Any], str]:
    c_make_encoder = getattr(json.encoder, "c_make_encoder", None)
    if c_make_encoder is not None:
        try:
            c_encode = c_make_encoder(
                None, safe_repr, json.encoder.encode_basestring_ascii, None, ":", ",",
                False, False, False,
            )  # fmt: skip
            if "".join(c_encode({"a": [1.5, None]}, 0)) == '{"a":[1.5,null]}':
                return lambda obj: "".join(c_encode(obj, 0))
        except Exception:  # pragma: no cover - only on interpreters with another _json
            pass
    return _json_encoder.encode  # pragma: no cover


_stdlib_encode = _make_stdlib_encode()


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
    if isinstance(key, str):
        return key
    if key is True:
        return "true"
    if key is False:
        return "false"
    if key is None:
        return "null"
    if isinstance(key, int):
        return str(_clean_int(int.__index__(key)))
    if isinstance(key, float):
        cleaned = _clean_float(key)
        return cleaned if isinstance(cleaned, str) else float.__repr__(cleaned)
    return safe_repr(key)


def _clean(value: Any, active: set[int], depth: int) -> Any:
    """A copy of ``value`` that the strict stdlib encoder cannot refuse."""
    if isinstance(value, str) or value is None or value is True or value is False:
        return value
    if isinstance(value, int):
        return _clean_int(value)
    if isinstance(value, float):
        return _clean_float(value)
    if isinstance(value, (dict, list, tuple)):
        kind = type(value).__name__
        if id(value) in active:
            return f"<cyclic reference to {kind}>"
        if depth >= MAX_DEPTH:
            return f"<{kind} nested too deeply>"
        active.add(id(value))
        try:
            if isinstance(value, dict):
                return {_clean_key(k): _clean(v, active, depth + 1) for k, v in value.items()}
            return [_clean(v, active, depth + 1) for v in value]
        finally:
            active.discard(id(value))
    return safe_repr(value)


def dumps_stdlib(obj: dict[str, Any]) -> str:
    """Encode ``obj`` with the standard library; never raises for bad values."""
    try:
        return _stdlib_encode(obj)
    except (ValueError, TypeError, RecursionError):
        pass
    try:
        return _stdlib_encode(_clean(obj, set(), 0))
    except Exception as exc:
        # E.g. the stack was already nearly exhausted by the caller: keep the top
        # level, flattened to strings, which needs no recursion at all.
        flat = {_clean_key(k): safe_repr(v) for k, v in obj.items()}
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
    # Anything else goes to safe_repr() in both encoders.
    return not isinstance(value, _ORJSON_DIFFERENT)


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
    # _orjson_same(obj, 0) with its first two levels inlined: obj is a record's Fields
    # or a whole envelope, checked for every record, and function calls are most of
    # what the check costs.
    for value in obj.values():
        t = type(value)
        if t is str or t is int or value is None or t is bool:
            continue
        if t is float:
            if 1e-4 <= abs(value) < _INF or value == 0.0:
                continue
            return fallback(obj)
        if t is dict or t is list or t is tuple:
            for item in value.values() if t is dict else value:
                t = type(item)
                if t is str or t is int or item is None or t is bool:
                    continue
                if t is float:
                    if 1e-4 <= abs(item) < _INF or item == 0.0:
                        continue
                    return fallback(obj)
                if not _orjson_same(item, 2):
                    return fallback(obj)
        elif not _orjson_same(value, 1):
            return fallback(obj)
    try:
        text = _orjson_dumps(obj, default=safe_repr, option=_ORJSON_OPTIONS).decode()
    except TypeError:
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
    except (ValueError, TypeError, RecursionError):
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
