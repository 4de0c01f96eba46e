from __future__ import annotations

import dataclasses
import datetime
import enum
import json
import logging
import math
import sys
import uuid
from collections import OrderedDict, namedtuple
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dockerflow.logging import MozlogFormatter, encoding
from tests.dockerflow.logging.conftest import make_record, parse_line

ENCODERS = ["stdlib", "orjson"] if encoding.orjson is not None else ["stdlib"]


def line_with(name: str, record: logging.LogRecord) -> str:
    """``record`` formatted with encoder ``name`` (the name tests and benchmarks switch)."""
    previous = encoding.dumps
    encoding.dumps = encoding.dumps_stdlib if name == "stdlib" else encoding.dumps_orjson
    try:
        return MozlogFormatter(logger_name="enc").format(record)
    finally:
        encoding.dumps = previous


def fields_of(record: logging.LogRecord) -> dict[str, Any]:
    """The record's Fields as written by each encoder: the same keys and values."""
    parsed = [parse_line(line_with(name, record))["Fields"] for name in ENCODERS]
    for other in parsed[1:]:
        assert other == parsed[0]
    return parsed[0]


def roundtrip(value: Any) -> Any:
    return fields_of(make_record(extra={"v": value}))["v"]


class Color(enum.Enum):
    RED = 1


class Level(enum.IntEnum):
    HIGH = 3


class Text(str):
    pass


class Number(int):
    pass


class Ratio(float):
    pass


class Mapping(dict):
    pass


@dataclasses.dataclass
class Point:
    x: int
    y: int


Pair = namedtuple("Pair", "a b")


class Opaque:
    def __repr__(self) -> str:
        return "<Opaque é>"


class BrokenRepr:
    def __repr__(self) -> str:
        raise RuntimeError("nope")


UID = uuid.UUID("12345678-1234-4678-9234-567812345678")
WHEN = datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        (True, True),
        (0, 0),
        (-(2**63), -(2**63)),
        (2**64 - 1, 2**64 - 1),
        (2**64, 2**64),  # orjson refuses: stdlib writes it exactly
        (-(2**100), -(2**100)),
        (1.5, 1.5),
        (1e-05, 1e-05),  # orjson would write 0.00001
        (1.2e-07, 1.2e-07),
        (1e16, 1e16),
        (-0.0, -0.0),
        (float("nan"), "NaN"),
        (float("inf"), "Infinity"),
        (float("-inf"), "-Infinity"),
        ("é€😀", "é€😀"),
        ('\x00\x1f\x7f\n\t"\\', '\x00\x1f\x7f\n\t"\\'),
        ("\u2028\u2029", "\u2028\u2029"),
        ("\ud800 lone", "\ud800 lone"),
        ("\udfff", "\udfff"),
        (b"\x00\xff", "b'\\x00\\xff'"),
        (bytearray(b"a"), "bytearray(b'a')"),
        ((1, "a"), [1, "a"]),
        (Pair(1, 2), [1, 2]),
        ([1, [2, [3]]], [1, [2, [3]]]),
        ({"k": {"n": [None]}}, {"k": {"n": [None]}}),
        (Color.RED, "<Color.RED: 1>"),
        (Level.HIGH, 3),
        (Text("sub"), "sub"),
        (Number(7), 7),
        (Ratio(2.5), 2.5),
        (Ratio("nan"), "NaN"),
        (Mapping(a=1), {"a": 1}),
        (OrderedDict(b=2), {"b": 2}),
        (UID, repr(UID)),
        (WHEN, repr(WHEN)),
        (WHEN.date(), repr(WHEN.date())),
        (Point(1, 2), "Point(x=1, y=2)"),
        ({1, 2} - {2}, "{1}"),
        (Opaque(), "<Opaque é>"),
        (BrokenRepr(), "<unrepresentable BrokenRepr object: RuntimeError>"),
        (Opaque, repr(Opaque)),
    ],
)
def test_values(value: Any, expected: Any) -> None:
    result = roundtrip(value)
    if isinstance(expected, float) and math.copysign(1, expected) < 0:
        assert math.copysign(1, result) < 0
    assert result == expected
    assert type(result) is type(expected)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({1: "a"}, {"1": "a"}),
        ({1.5: "a"}, {"1.5": "a"}),
        ({float("nan"): "a"}, {"nan": "a"}),
        ({float("-inf"): "a"}, {"-inf": "a"}),
        ({True: "a", None: "b"}, {"True": "a", "None": "b"}),
        ({(1, 2): "a"}, {"(1, 2)": "a"}),
        ({Color.RED: 1}, {"<Color.RED: 1>": 1}),
        ({Level.HIGH: 1, Number(4): 2}, {"<Level.HIGH: 3>": 1, "4": 2}),
        ({"s": {2**70: 1}}, {"s": {str(2**70): 1}}),
        ({b"k": 1, frozenset(): 2}, {"b'k'": 1, "frozenset()": 2}),
        ({BrokenRepr(): 1}, {"<unrepresentable BrokenRepr object: RuntimeError>": 1}),
        ({"\ud800": "x"}, {"\ud800": "x"}),
    ],
)
def test_non_str_keys(value: dict, expected: dict) -> None:
    assert roundtrip(value) == expected


def test_nan_key_next_to_other_nan_values() -> None:
    assert roundtrip({"a": [math.nan, {math.inf: math.nan}]}) == {"a": ["NaN", {"inf": "NaN"}]}


def test_cycles_are_broken() -> None:
    looped: dict[str, Any] = {"name": "loop"}
    looped["self"] = looped
    listed: list[Any] = [1]
    listed.append(listed)
    assert roundtrip(looped) == {"name": "loop", "self": "<cyclic reference to dict>"}
    assert roundtrip(listed) == [1, "<cyclic reference to list>"]


def test_shared_object_is_not_a_cycle() -> None:
    shared = {"x": 1}
    assert roundtrip([shared, shared, {"again": shared}, math.nan]) == [
        {"x": 1},
        {"x": 1},
        {"again": {"x": 1}},
        "NaN",
    ]


def test_deep_nesting() -> None:
    deep: list[Any] = []
    current = deep
    for _ in range(5000):
        current.append([])
        current = current[0]
    value = roundtrip(deep)
    depth = 0
    while isinstance(value, list) and value:
        value = value[0]
        depth += 1
    # Every extra that is not a plain value is cleaned: cut at MAX_DEPTH with a marker.
    assert (depth, value) == (encoding.MAX_DEPTH, "<list nested too deeply>")


def test_huge_int_beyond_str_digit_limit() -> None:
    if not hasattr(sys, "get_int_max_str_digits"):  # pragma: no cover - Python < 3.11
        pytest.skip("no int/str digit limit before Python 3.11")
    huge = 10 ** (sys.get_int_max_str_digits() + 10)
    assert roundtrip(huge) == hex(huge)
    assert roundtrip({huge: 1}) == {"<unrepresentable int object: ValueError>": 1}
    assert roundtrip(2**3000) == 2**3000  # big, but printable


def test_float_formats_match_repr() -> None:
    values = [0.1, 1 / 3, 1e-4, 9.99e-05, 1e15, 1e16, 1.7976931348623157e308, 5e-324, 123.0]
    assert roundtrip(values) == values
    line = encoding.dumps_stdlib({"v": values})
    assert line == '{"v":[' + ",".join(repr(v) for v in values) + "]}"


def test_stdlib_escapes_match_ensure_ascii() -> None:
    text = "".join(map(chr, range(0x80))) + "é\u2028😀\U0010ffff"
    line = encoding.dumps_stdlib({"t": text})
    assert line == json.dumps({"t": text}, separators=(",", ":"))
    assert roundtrip(text) == text


def test_last_resort_keeps_the_top_level(monkeypatch: pytest.MonkeyPatch) -> None:
    # Forces the failure of a stack already nearly exhausted by the caller.
    def exhausted(*args: object) -> object:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(encoding, "clean", exhausted)
    line = encoding.dumps_stdlib({"Type": "t", "Fields": {"x": math.nan, 1: [1]}})
    data = json.loads(line)
    assert data == {
        "Type": "'t'",
        "Fields": "{'x': nan, 1: [1]}",
        "encoding_error": "RecursionError('maximum recursion depth exceeded')",
    }


def test_orjson_is_the_default_when_installed() -> None:
    if encoding.orjson is None:  # pragma: no cover - the dev venv has orjson
        assert encoding.dumps is encoding.dumps_stdlib
    else:
        assert encoding.dumps is encoding.dumps_orjson


@pytest.mark.skipif(encoding.orjson is None, reason="orjson is not installed")
@pytest.mark.parametrize(
    "fields",
    [{1: "non-str key"}, {"big": 2**64}, {"lone": "\ud800"}, {"s": Text("sub")}],
    ids=repr,
)
def test_what_orjson_refuses_goes_to_the_stdlib(fields: dict[Any, Any]) -> None:
    assert encoding.dumps_orjson(fields) == encoding.dumps_stdlib(fields)


@pytest.mark.skipif(encoding.orjson is None, reason="orjson is not installed")
def test_orjson_writes_utf8_and_the_same_values() -> None:
    fields = {"text": "é€😀", "tiny": 1e-05, "map": {"k": [1, None, True]}}
    line = encoding.dumps_orjson(fields)
    assert not line.isascii()  # not escaped: the difference docs/logging.rst names
    assert json.loads(line) == json.loads(encoding.dumps_stdlib(fields)) == fields


@pytest.mark.skipif(encoding.orjson is None, reason="orjson is not installed")
def test_orjson_escapes_what_splitlines_breaks_at() -> None:
    text = "a\x85b\u2028c\u2029d\x0be\x1cf\x7fé"
    line = encoding.dumps_orjson({"t": text})
    assert line.splitlines() == [line]
    assert json.loads(line) == {"t": text}


# --- property test ----------------------------------------------------------------

_text = st.text(st.characters(codec=None, exclude_categories=()), max_size=12)
_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=2**63 - 2, max_value=2**64 + 2)
    | st.integers(min_value=-(2**200), max_value=2**200)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.floats(min_value=-1e-3, max_value=1e-3)
    | _text
    | st.binary(max_size=8)
    | st.uuids()
    | st.sampled_from([Color.RED, Level.HIGH, Text("t"), Number(5), Ratio(0.5)])
    | st.datetimes()
    | st.builds(Opaque)
    | st.builds(BrokenRepr)
    | st.builds(object)
)
_keys = _text | st.integers() | st.floats() | st.booleans() | st.none() | st.tuples(st.integers())
_values = st.recursive(
    _scalars,
    lambda children: (
        st.lists(children, max_size=4)
        | st.tuples(children, children)
        | st.dictionaries(_keys, children, max_size=4)
    ),
    max_leaves=12,
)
_extra_names = st.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True).filter(
    lambda name: name not in MozlogFormatter.EXCLUDED_LOGRECORD_ATTRS
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    extra=st.dictionaries(_extra_names, _values, max_size=5),
    message=_text,
    level=st.integers(min_value=0, max_value=60),
)
def test_any_extra_gives_one_valid_line_and_both_encoders_agree(
    extra: dict[str, Any], message: str, level: int
) -> None:
    record = make_record(message, level=level, extra=extra)
    formatter = MozlogFormatter(logger_name="enc")
    stdlib = line_with("stdlib", record)
    # format() is dumps(convert_record()): nothing cached between records.
    assert stdlib == encoding.dumps_stdlib(formatter.convert_record(record))
    data = parse_line(stdlib)
    if encoding.orjson is not None:
        assert parse_line(line_with("orjson", record)) == data
    assert data["Logger"] == "enc"
    assert list(data["Fields"])[: len(extra)] == list(extra)
    assert 2 <= data["Severity"] <= 7


def test_formatter_uses_the_chosen_encoder(encoder: str) -> None:
    record = make_record("x", extra={"n": math.nan})
    line = MozlogFormatter().format(record)
    assert parse_line(line)["Fields"] == {"n": "NaN", "msg": "x"}


def test_logging_a_hostile_record_through_a_real_logger(
    encoder: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from dockerflow.logging import MozlogHandler

    logger = logging.getLogger("tests.hostile")
    logger.propagate = False
    handler = MozlogHandler(name="hostile")
    logger.addHandler(handler)
    looped: dict[Any, Any] = {1: "int key"}
    looped["me"] = looped
    try:
        logger.error(
            "bad %s",
            "\ud800",
            extra={"loop": looped, "nan": math.nan, "big": 2**80, "raw": b"\xff"},
        )
    finally:
        logger.removeHandler(handler)
        logger.propagate = True
    out = capsys.readouterr().out
    assert out.count("\n") == 1
    fields = parse_line(out.rstrip("\n"))["Fields"]
    assert fields == {
        "loop": {"1": "int key", "me": "<cyclic reference to dict>"},
        "nan": "NaN",
        "big": 2**80,
        "raw": "b'\\xff'",
        "msg": "bad \ud800",
    }
