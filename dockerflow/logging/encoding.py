"""JSON for log records that never fails, is always valid and never shows a secret.

:func:`dumps_stdlib` writes compact, ASCII-only JSON (non-ASCII as ``\\uXXXX``) and
``repr()`` for anything JSON has no type for. When a value makes it fail (NaN, a cycle,
an int too long to print, a non-str key, a hostile object), :func:`clean` repairs only
the offending values and the record is encoded again. :func:`dumps` is
:func:`dumps_orjson` when orjson is importable (the same keys and values; see
docs/logging.rst for how its bytes differ), else :func:`dumps_stdlib`; tests and
benchmarks switch by replacing that one name.
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
except ImportError:  # pragma: no cover - the dev venv has orjson; tox covers its absence
    orjson = None  # type: ignore[assignment]

#: Containers nested deeper than this are replaced by a marker string.
MAX_DEPTH = 100

_INF = float("inf")
_KEYWORDS = {True: "true", False: "false", None: "null"}
_SAFE_KEYS_SIZE = 4096
#: Names seen not to be secret (see :func:`is_secret_key`).
safe_keys: set[str] = set()


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


def is_secret_key(key: str) -> bool:
    """:func:`~dockerflow.masking.is_secret_name` of an exact ``str``, remembered: records
    repeat their keys, and checking one must cost a set lookup, not microseconds."""
    if key in safe_keys:
        return False
    if is_secret_name(key):
        return True
    if len(safe_keys) >= _SAFE_KEYS_SIZE:
        safe_keys.clear()  # e.g. a key per request: stay bounded
    safe_keys.add(key)
    return False


def _log_querystring() -> bool:
    # A request object means Django is imported; its settings may still be unusable.
    django_conf = sys.modules.get("django.conf")
    if django_conf is None or not django_conf.settings.configured:
        return False
    from dockerflow.django import conf

    return bool(conf.get("DOCKERFLOW_SUMMARY_LOG_QUERYSTRING"))


def describe(value: object) -> str:
    """The text written for a value JSON has no type for: :func:`safe_repr`, except for a
    Django request, reduced to its method and path (its query string only when
    ``DOCKERFLOW_SUMMARY_LOG_QUERYSTRING`` is on, masked as in ``request.summary``)."""
    http = sys.modules.get("django.http.request")
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


def clean(value: Any, active: set[int] | None = None, depth: int = 0) -> Any:
    """A copy of ``value`` that the strict stdlib encoder cannot refuse and that holds no
    value under a secret-named key (masked at any depth), no request object (see
    :func:`describe`), no NaN, cycle or nesting deeper than :data:`MAX_DEPTH`.

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
        return describe(value)
    active = set() if active is None else active
    kind = t.__name__
    if id(value) in active:
        return f"<cyclic reference to {kind}>"
    if depth >= MAX_DEPTH:
        return f"<{kind} nested too deeply>"
    active.add(id(value))
    try:
        if issubclass(t, dict):
            # The stdlib encoder calls a dict subclass's items() (e.g. a QueryDict's last
            # values): so do we, and fall back to its stored items when that fails.
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
        return f"<unreadable {kind}>"
    finally:
        active.discard(id(value))


# One encoder for every record: JSONEncoder.encode() is cheaper than json.dumps(),
# which checks its arguments and builds an encoder per call.
encode_stdlib: Callable[[Any], str] = json.JSONEncoder(
    ensure_ascii=True,
    separators=(",", ":"),
    allow_nan=False,
    check_circular=False,  # a cycle fails with RecursionError and goes to clean()
    default=describe,
).encode


def dumps_stdlib(obj: dict[str, Any]) -> str:
    """Encode ``obj`` with the standard library; never raises for bad values."""
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
        """Encode ``obj`` with orjson; what it refuses (a non-str key, an int over 64
        bits, a lone surrogate...) with :func:`dumps_stdlib`."""
        try:
            return orjson.dumps(obj, default=describe, option=_ORJSON_OPTIONS).decode()
        except Exception:
            return dumps_stdlib(obj)


#: Encodes one record; never raises because of a value in it.
dumps: Callable[[dict[str, Any]], str] = dumps_stdlib if orjson is None else dumps_orjson
