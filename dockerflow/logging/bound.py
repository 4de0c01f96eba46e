"""Log lines of bounded size: the longest values cut, with a marker, the line still JSON.

Log shippers truncate or drop lines over 16-256 KiB, so a formatter must never write
one: a 2 MB request body quoted in an exception message would otherwise make the one
line alerting depends on unreadable. Only the largest values are cut, each to the same
size, so short fields (ids, codes, the start of the message) survive whole.
"""

from __future__ import annotations

from json.encoder import encode_basestring_ascii
from typing import Any

from dockerflow.logging.encoding import clean, encode_stdlib

#: The smallest bound a formatter accepts: room for the envelope and a few fields.
MIN_LINE_SIZE = 1024
# Below this a value cannot hold its cut marker: its container is written as text.
_MIN_CUT = 40


def cut_text(text: str, size: int) -> str:
    """``text``, or its start and a marker saying how much was cut, so that its JSON
    string takes at most ``size`` characters (``size`` >= 40)."""
    if len(encode_basestring_ascii(text)) <= size:
        return text
    keep = size  # characters of text; each takes one to twelve once encoded
    while True:
        cut = f"{text[:keep]}[... {len(text) - keep} characters cut]"
        encoded = len(encode_basestring_ascii(cut))
        if encoded <= size or keep == 0:
            return cut
        keep = max(0, min(keep - 1, keep * (size - 30) // encoded))


def _size(value: Any) -> int:
    return len(encode_stdlib(value))


def _caps(sizes: list[int], budget: int) -> list[int] | None:
    """Each value's room: all it needs, except that the largest share what is left
    equally. None when that share is too small to hold a cut marker."""
    left, count = budget, len(sizes)
    for size in sorted(sizes):
        if size * count > left:
            share = left // count
            return None if share < _MIN_CUT else [min(size, share) for size in sizes]
        left -= size
        count -= 1
    return sizes


def _fit(value: Any, size: int) -> Any:
    """``value`` (JSON-ready, see :func:`~dockerflow.logging.encoding.clean`) with its
    largest parts cut so that its JSON takes at most ``size`` characters."""
    if _size(value) <= size:
        return value
    if type(value) is dict:
        keys, items = list(value), list(value.values())
        overhead = sum(_size(key) + 2 for key in keys) + 1  # "key": and a comma; braces
    elif type(value) is list:
        keys, items = None, value
        overhead = len(items) + 1
    else:
        return cut_text(value if type(value) is str else encode_stdlib(value), size)
    caps = _caps([_size(item) for item in items], size - overhead)
    if caps is None:  # too many items or keys: the container as text
        return cut_text(encode_stdlib(value), size)
    fitted = [_fit(item, cap) for item, cap in zip(items, caps, strict=True)]
    return fitted if keys is None else dict(zip(keys, fitted, strict=True))


def bounded_line(record: dict[str, Any], size: int) -> str:
    """``record`` (a mozlog dict) as one ASCII JSON line of at most ``size`` characters:
    long values cut (:func:`cut_text`), every envelope value kept, ``Fields`` still an
    object."""
    record = clean(record)
    fitted = _fit(record, size)
    if type(fitted) is dict and type(fitted.get("Fields", {})) is str:
        # Too many fields (or too long names) to cut one by one: all of them as one text.
        fitted["Fields"] = {"fields": ""}
        room = size - len(encode_stdlib(fitted)) + 2
        if room >= _MIN_CUT:
            fitted["Fields"]["fields"] = cut_text(encode_stdlib(record["Fields"]), room)
    line = encode_stdlib(fitted)
    if type(fitted) is not dict or len(line) > size:  # an envelope too large to cut
        line = encode_stdlib({"truncated": cut_text(encode_stdlib(record), size - 16)})
    return line
