"""JSON for log records that never fails, is always valid and never shows a secret.

:func:`dumps` is orjson when importable, else the standard library (the same keys and
values; see docs/logging.rst); tests and benchmarks switch by replacing that name.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from dockerflow.masking import is_secret_name, mask, mask_query

try:
    import orjson
except ImportError:  # pragma: no cover - a subprocess test runs without it
    orjson = None  # type: ignore[assignment]

#: Containers nested deeper than this are replaced by a marker string.
MAX_DEPTH = 100

_INF = float("inf")
#: Names seen not to be secret (see :func:`is_secret_key`).
safe_keys: set[str] = set()
#: Values of these types are written as they are; a float is cleaned (NaN, infinities).
PLAIN = frozenset({str, int, bool, type(None)})


def is_plain(value: Any) -> bool:
    """Whether ``value`` needs no :func:`clean` for masking: a plain value, or a flat list,
    tuple or dict of them under names already seen (one C-level check, no walk)."""
    t = type(value)
    if t is list or t is tuple:
        return PLAIN.issuperset(map(type, value))
    if t is dict:
        return value.keys() <= safe_keys and PLAIN.issuperset(map(type, value.values()))
    return t in PLAIN


def safe_repr(value: object) -> str:
    """``repr(value)``, or a marker naming the type if ``__repr__`` itself fails."""
    try:
        text = repr(value)
        return str.__str__(text)  # a str subclass's methods could misbehave later
    except Exception as exc:
        try:
            return f"<unrepresentable {type(value).__name__} object: {type(exc).__name__}>"
        except Exception:  # a metaclass whose __name__ raises
            return "<unrepresentable object>"


def safe_str(value: object) -> str:
    """``str(value)`` as an exact ``str`` (a ``str`` subclass's characters, whatever its
    ``__str__`` does), or :func:`safe_repr` if that fails."""
    try:
        return str.__str__(value if issubclass(type(value), str) else str(value))  # type: ignore[arg-type]
    except Exception:
        return safe_repr(value)


def is_secret_key(key: str) -> bool:
    """:func:`~dockerflow.masking.is_secret_name` of an exact ``str``, remembered: records
    repeat their keys, and checking one must cost a set lookup, not microseconds."""
    if key in safe_keys:
        return False
    if is_secret_name(key):
        return True
    if len(safe_keys) >= 4096:
        safe_keys.clear()  # e.g. a key per request: stay bounded
    safe_keys.add(key)
    return False


def describe(value: object) -> str:
    """The text written for a value JSON has no type for: :func:`safe_repr`, but a Django
    request is reduced to its method and path (its query string only when
    ``DOCKERFLOW_SUMMARY_LOG_QUERYSTRING`` is on, masked as in ``request.summary``)."""
    http = sys.modules.get("django.http.request")  # a request means Django is imported
    if http is None or not issubclass(type(value), http.HttpRequest):
        return safe_repr(value)
    try:
        target = safe_str(value.path)  # type: ignore[attr-defined]
        query = value.META.get("QUERY_STRING") if _log_querystring() else None  # type: ignore[attr-defined]
        if query:
            target = f"{target}?{unquote(mask_query(safe_str(query)))}"
        return f"<{type(value).__name__}: {safe_str(value.method)} {target!r}>"  # type: ignore[attr-defined]
    except Exception:
        return f"<{type(value).__name__}>"


def _log_querystring() -> bool:
    if not sys.modules["django.conf"].settings.configured:
        return False
    from dockerflow.django import conf

    return bool(conf.get("DOCKERFLOW_SUMMARY_LOG_QUERYSTRING"))


def _clean_key(key: object) -> str:
    return str.__str__(key) if issubclass(type(key), str) else safe_repr(key)  # type: ignore[arg-type]


def clean(value: Any, active: set[int] | None = None, depth: int = 0) -> Any:
    """A copy of ``value`` that the strict stdlib encoder cannot refuse, with values under
    secret-named keys masked at any depth and requests described (:func:`describe`). Only
    ``type(value)`` is trusted (a subclass's methods and ``__class__`` may raise); builtin
    subclasses give their base type's value, as the stdlib encoder writes them."""
    t = type(value)
    if t is str or value is None or value is True or value is False:
        return value
    if issubclass(t, str):
        return str.__str__(value)
    if issubclass(t, int):
        number = int.__index__(value)
        if number.bit_length() > 2000:  # 640 digits at least: the lowest digit limit
            try:
                int.__repr__(number)
            except ValueError:  # over sys.get_int_max_str_digits(): hex, not a lost record
                return hex(number)
        return number
    if issubclass(t, float):
        number = float.__float__(value)
        if number != number or number in (_INF, -_INF):
            return "NaN" if number != number else "Infinity" if number > 0 else "-Infinity"
        return number
    if not issubclass(t, (dict, list, tuple)):
        return describe(value)
    active = set() if active is None else active
    if id(value) in active:
        return f"<cyclic reference to {t.__name__}>"
    if depth >= MAX_DEPTH:
        return f"<{t.__name__} nested too deeply>"
    active.add(id(value))
    try:
        if issubclass(t, dict):
            # The stdlib encoder calls a dict subclass's items() (a QueryDict's last
            # values); its stored items when that fails, so that masking still applies.
            try:
                items = value.items() if t is dict else list(value.items())
            except Exception:
                items = list(dict.items(value))
            cleaned = {}
            for k, v in items:
                key = _clean_key(k)
                cleaned[key] = mask(v) if is_secret_key(key) else clean(v, active, depth + 1)
            return cleaned
        # The stdlib encoder reads a list's or tuple's items, never its __iter__.
        items = list.__iter__(value) if issubclass(t, list) else tuple.__iter__(value)
        return [clean(v, active, depth + 1) for v in items]
    except Exception:
        return f"<unreadable {t.__name__}>"
    finally:
        active.discard(id(value))


# One encoder for every record: JSONEncoder.encode() is cheaper than json.dumps(),
# which checks its arguments and builds an encoder per call.
encode_stdlib: Callable[[Any], str] = json.JSONEncoder(
    separators=(",", ":"),
    allow_nan=False,
    check_circular=False,  # a cycle fails with RecursionError and goes to clean()
    default=describe,
).encode


def dumps_stdlib(obj: dict[str, Any]) -> str:
    """``obj`` as ASCII-only JSON; never raises because of a value in it."""
    try:
        return encode_stdlib(obj)
    except Exception:
        pass  # whatever a value did (a cycle, NaN, a raising items()...): clean it
    try:
        return encode_stdlib(clean(obj))
    except Exception as exc:
        # E.g. the stack was already nearly exhausted by the caller: keep the top
        # level, flattened to strings, which needs no recursion at all.
        flat = {_clean_key(k): safe_repr(v) for k, v in dict.items(obj)}
        flat["encoding_error"] = safe_repr(exc)
        return encode_stdlib(flat)


if orjson is not None:  # pragma: no branch
    # Dataclasses and datetimes go to describe(), as with the stdlib.
    _ORJSON_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS

    def dumps_orjson(obj: dict[str, Any]) -> str:
        """``obj`` as JSON by orjson, or by :func:`dumps_stdlib` when orjson refuses it
        (a non-str key, an int over 64 bits, a lone surrogate...)."""
        try:
            line = orjson.dumps(obj, default=describe, option=_ORJSON_OPTIONS).decode()
        except Exception:
            return dumps_stdlib(obj)
        if not line.isascii():  # str.isascii() is O(1)
            # Not escaped by orjson, but line breaks to str.splitlines() and some tools.
            for char in "\x85\u2028\u2029":
                line = line.replace(char, f"\\u{ord(char):04x}")
        return line


#: Encodes one record; never raises because of a value in it.
dumps: Callable[[dict[str, Any]], str] = dumps_stdlib if orjson is None else dumps_orjson
