"""Log lines of bounded size: log shippers truncate or drop lines over 16-256 KiB, and a
2 MB request body quoted in an exception must not cost the line alerting depends on. Only
the largest values are cut (to the same size, with a marker), so ids and codes survive.
"""

from __future__ import annotations

from json.encoder import encode_basestring_ascii
from typing import Any

from dockerflow.logging.encoding import clean, encode_stdlib

#: The smallest bound a formatter accepts: room for the envelope and a few fields.
MIN_LINE_SIZE = 1024
# Below this a value cannot hold its cut marker (nor a container its text, cut).
_MIN_CUT = 60


def cut_text(text: str, size: int) -> str:
    """``text``, or its start and a marker saying how much was cut, so that its JSON
    string takes at most ``size`` (>= 40) characters."""
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
    """Each value's room: all it needs, but the largest share what is left equally;
    None when that share cannot hold a cut marker."""
    left, count = budget, len(sizes)
    for size in sorted(sizes):
        if size * count > left:
            share = left // count
            return None if share < _MIN_CUT else [min(size, share) for size in sizes]
        left -= size
        count -= 1
    return sizes


def _fit(value: Any, size: int) -> Any:
    """``value`` (JSON-ready: see :func:`~dockerflow.logging.encoding.clean`), its largest
    parts cut so that its JSON takes at most ``size`` characters. A container of too many
    items for that keeps its type, holding its own JSON text, cut."""
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
    sizes = [_size(item) for item in items]
    caps = _caps(sizes, size - overhead)
    if caps is None:
        if keys is None:
            return [cut_text(encode_stdlib(value), size - 2)]
        return {"truncated": cut_text(encode_stdlib(value), size - 14)}
    fitted = [
        item if need <= cap else _fit(item, cap)
        for item, need, cap in zip(items, sizes, caps, strict=True)
    ]
    return fitted if keys is None else dict(zip(keys, fitted, strict=True))


def bounded_line(record: dict[str, Any], size: int) -> str:
    """``record`` (a mozlog dict) as one ASCII JSON line of at most ``size`` characters."""
    return encode_stdlib(_fit(clean(record), size))
