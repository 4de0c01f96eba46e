from __future__ import annotations

import logging
import os
import random
import re
import subprocess
import sys
import uuid

import pytest
from django.http.request import HttpHeaders

from dockerflow.logging import (
    RequestIdLogFilter,
    get_or_generate_request_id,
    request_id_context,
)
from dockerflow.logging.request_id import generate_request_id, is_valid_request_id

UUID4 = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("abc", True),
        ("a", True),
        ("A-z_0.9:x", True),
        ("a" * 128, True),
        ("a" * 129, False),
        ("x" * 10_000, False),
        ("", False),
        ("abc\n", False),
        ("abc\ndef", False),
        ("\nabc", False),
        ("abc\r", False),
        ("a b", False),
        ("a\tb", False),
        ('a"b', False),
        ("a/b", False),
        ("a=b", False),
        ("été", False),
        ("٣", False),  # a unicode digit that \d would accept
        ("\uff41", False),  # fullwidth letter a
        ("a\x00", False),
        (None, False),
        (b"abc", False),
        (123, False),
    ],
)
def test_is_valid_request_id(value: object, valid: bool) -> None:
    assert is_valid_request_id(value) is valid


def test_generate_request_id_is_canonical_uuid4() -> None:
    for _ in range(200):
        rid = generate_request_id()
        assert UUID4.fullmatch(rid), rid
        parsed = uuid.UUID(rid)
        assert parsed.version == 4
        assert parsed.variant == uuid.RFC_4122
        assert str(parsed) == rid
        assert is_valid_request_id(rid)


def test_generate_request_id_is_unique() -> None:
    ids = {generate_request_id() for _ in range(10_000)}
    assert len(ids) == 10_000


def test_generate_request_id_ignores_the_global_random_seed() -> None:
    # A project seeding the global RNG (tests, simulations) must not make ids repeat.
    state = random.getstate()
    try:
        random.seed(1234)
        first = generate_request_id()
        random.seed(1234)
        assert generate_request_id() != first
    finally:
        random.setstate(state)


_FORK_SCRIPT = """
import os, sys
from dockerflow.logging.request_id import generate_request_id
generate_request_id()  # the parent's generator is in use before the fork
read, write = os.pipe()
pid = os.fork()
if pid == 0:
    os.write(write, "".join(generate_request_id() for _ in range(3)).encode())
    os._exit(0)
os.waitpid(pid, 0)
child = os.read(read, 1000).decode()
parent = "".join(generate_request_id() for _ in range(3))
print(child != parent and len(child) == len(parent) == 108)
"""


@pytest.mark.skipif(not hasattr(os, "fork"), reason="os.fork is POSIX-only")
def test_forked_children_do_not_repeat_the_parents_ids() -> None:
    # Workers forked from a preloaded master (gunicorn --preload) each need their own
    # sequence. Run in a fresh single-threaded interpreter: forking pytest's process
    # warns on 3.12+ when threads exist.
    result = subprocess.run(
        [sys.executable, "-c", _FORK_SCRIPT], capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


def test_get_or_generate_request_id_lives_with_the_other_request_id_helpers() -> None:
    from dockerflow.logging import request_id

    assert get_or_generate_request_id is request_id.get_or_generate_request_id


@pytest.mark.parametrize("key", ["X-Request-ID", "x-request-id", "X-REQUEST-ID"])
def test_plain_dict_lookup_is_case_insensitive(key: str) -> None:
    assert get_or_generate_request_id({key: "abc-123"}) == "abc-123"


def test_plain_dict_skips_non_str_keys() -> None:
    assert get_or_generate_request_id({1: "x", "x-request-id": "ok"}) == "ok"


def test_django_headers() -> None:
    headers = HttpHeaders({"HTTP_X_REQUEST_ID": "from-django", "HTTP_X_OTHER": "o"})
    assert get_or_generate_request_id(headers) == "from-django"
    assert get_or_generate_request_id(headers, header_name="x-other") == "o"


def test_custom_header_name() -> None:
    headers = {"X-Amzn-Trace-Id": "Root:1-abc", "X-Request-ID": "ignored"}
    assert get_or_generate_request_id(headers, "x-amzn-trace-id") == "Root:1-abc"


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-Request-ID": ""},
        {"X-Request-ID": "bad\nvalue"},
        {"X-Request-ID": "x" * 10_000},
        {"X-Request-ID": "é"},
        {"x-request-id": "a b"},
        {"Other": "abc"},
    ],
)
def test_missing_or_invalid_id_is_replaced(headers: dict[str, str]) -> None:
    rid = get_or_generate_request_id(headers)
    assert UUID4.fullmatch(rid)
    assert all(rid not in v for v in headers.values() if v)


def test_filter_sets_rid_from_context() -> None:
    record = logging.LogRecord("t", logging.INFO, __file__, 1, "m", None, None)
    flt = RequestIdLogFilter()
    assert flt.filter(record) is True
    assert record.rid is None
    token = request_id_context.set("req-1")
    try:
        assert flt.filter(record) is True
        assert record.rid == "req-1"
    finally:
        request_id_context.reset(token)
    assert request_id_context.get() is None


def test_filter_on_a_logger(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("tests.request_id_filter")
    flt = RequestIdLogFilter()
    logger.addFilter(flt)
    token = request_id_context.set("req-2")
    try:
        with caplog.at_level(logging.INFO, logger=logger.name):
            logger.info("hello")
    finally:
        request_id_context.reset(token)
        logger.removeFilter(flt)
    assert [r.rid for r in caplog.records] == ["req-2"]
