"""What other libraries put in a record passes the formatter masked and bounded (issue 24).

Every record goes through the formatter, whichever library logged it: Django's
``request`` extra, Celery's ``data``, uvicorn's ``color_message``, an application's
nested extras. No secret and no unbounded line may come out, with either encoder.
"""

from __future__ import annotations

import json
import logging
import math
import sys
from typing import Any

import pytest
from django.test import AsyncRequestFactory, RequestFactory, override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dockerflow.logging import MozlogFormatter
from dockerflow.logging.bound import MIN_LINE_SIZE, bounded_line, cut_text
from dockerflow.masking import MASK
from tests.dockerflow.logging.conftest import make_record, parse_line

pytestmark = pytest.mark.usefixtures("encoder")


def fields(record: logging.LogRecord, **options: Any) -> dict[str, Any]:
    return parse_line(MozlogFormatter(**options).format(record))["Fields"]


def raised(exc: BaseException) -> Any:
    try:
        raise exc
    except BaseException:
        return sys.exc_info()


# --- masking -------------------------------------------------------------------------


def test_values_under_secret_names_are_masked_at_any_depth() -> None:
    record = make_record(
        "x",
        extra={
            "password": "Zt6Mx2Qp",
            "user": {"name": "ann", "api_key": 12345, "tags": [{"refresh_token": "Oe5V"}]},
            "headers": {"Authorization": "Bearer Ay5L", "Cookie": "sessionid=Vn3H", "X": "ok"},
            "cookies": {"sessionid": "Gw8K", "theme": "dark"},
            "sentry_dsn": "https://Hq9w@o1.ingest.sentry.io/1",
            "credentials": {"user": "ann", "pass": "Mn4Q"},  # masked whole: its key is secret
            "SESSION_COOKIE_AGE": 1209600,  # a setting about cookies, not a cookie
            "empty_password": "",
            "token": None,
        },
    )
    assert fields(record) == {
        "password": MASK,
        "user": {"name": "ann", "api_key": MASK, "tags": [{"refresh_token": MASK}]},
        "headers": {"Authorization": MASK, "Cookie": MASK, "X": "ok"},
        "cookies": MASK,
        "sentry_dsn": MASK,
        "credentials": MASK,
        "SESSION_COOKIE_AGE": 1209600,
        "empty_password": "",
        "token": None,
        "msg": "x",
    }


def test_a_name_first_seen_plain_is_still_checked_nested() -> None:
    # Names are remembered once seen as not secret; a secret name is never remembered.
    formatter = MozlogFormatter()
    for _ in range(2):
        line = formatter.format(make_record("x", extra={"a": 1, "pwd": "Jx5T", "b": {"pwd": 2}}))
        assert parse_line(line)["Fields"] == {"a": 1, "pwd": MASK, "b": {"pwd": MASK}, "msg": "x"}


def test_flat_extras_are_checked_whole_and_the_rest_walked() -> None:
    # A flat list, tuple or dict of plain values under names already seen is written as
    # it is; anything else is walked, so a new secret name or a NaN is never missed.
    record = make_record("x", extra={"tags": ("a", 1), "ids": [1, 2], "meta": {"n": 1}})
    for _ in range(2):
        assert fields(record) == {"tags": ["a", 1], "ids": [1, 2], "meta": {"n": 1}, "msg": "x"}
    record = make_record("x", extra={"meta": {"n": 1, "pin_secret": "1234"}, "r": [0.5, math.nan]})
    assert fields(record) == {"meta": {"n": 1, "pin_secret": MASK}, "r": [0.5, "NaN"], "msg": "x"}


def test_a_django_request_is_reduced_to_method_and_path() -> None:
    request = RequestFactory().get("/orders/?access_token=Zt6Mx2Qp&page=2")
    record = make_record("Not Found: /orders/", extra={"status_code": 404, "request": request})
    assert fields(record)["request"] == "<WSGIRequest: GET '/orders/'>"
    nested = make_record("x", extra={"context": [{"request": request}]})
    assert fields(nested)["context"] == [{"request": "<WSGIRequest: GET '/orders/'>"}]


def test_the_query_string_only_with_the_summary_setting_and_masked() -> None:
    request = AsyncRequestFactory().post("/p%20q/?password=Zt6Mx2Qp&q=caf%C3%A9")
    record = make_record("x", extra={"request": request})
    assert fields(record)["request"] == "<ASGIRequest: POST '/p q/'>"
    with override_settings(DOCKERFLOW_SUMMARY_LOG_QUERYSTRING=True):
        assert fields(record)["request"] == (f"<ASGIRequest: POST '/p q/?password={MASK}&q=café'>")


def test_a_request_whose_attributes_raise_still_gives_its_line() -> None:
    request = RequestFactory().get("/")
    broken = property(lambda self: 1 / 0)
    request.__class__ = type("BrokenRequest", (type(request),), {"path": broken})
    record = make_record("x", extra={"request": request})
    assert fields(record)["request"] == "<BrokenRequest>"


def test_celery_task_arguments_are_left_out_by_default() -> None:
    data = {
        "id": "6e01",
        "name": "myproject.charge",
        "args": "('4111111111111111',)",
        "kwargs": "{'password': 'Zt6Mx2Qp', 'amount': 5}",
        "return_value": "{'token': 'Oe5Vd9Hk', 'ok': True}",
        "api_key": "Ay5Lq9Cz",  # not Celery's, but data is masked like any extra
    }
    message = "Task myproject.charge[6e01] succeeded in 0.1s: {'token': 'Oe5Vd9Hk', 'ok': True}"
    record = make_record(message, name="celery.app.trace", extra={"data": data})
    written = fields(record)
    assert written["data"] == {
        "id": "6e01",
        "name": "myproject.charge",
        "return_value": f"{{'token': {MASK}, 'ok': True}}",
        "api_key": MASK,
    }
    assert (
        written["msg"]
        == f"Task myproject.charge[6e01] succeeded in 0.1s: {{'token': {MASK}, 'ok': True}}"
    )
    opted_in = fields(record, log_task_arguments=True)["data"]
    assert opted_in["args"] == "('4111111111111111',)"  # positional: no name to mask by
    assert opted_in["kwargs"] == f"{{'password': {MASK}, 'amount': 5}}"


def test_data_of_other_loggers_is_an_ordinary_extra() -> None:
    record = make_record("x", name="myproject.views", extra={"data": {"args": [1], "key": "k"}})
    assert fields(record)["data"] == {"args": [1], "key": MASK}


def test_exception_texts_are_masked() -> None:
    body = '{"user": "ann", "password": "Zt6Mx2Qp"}'
    exc_info = raised(ValueError(f"bad body {body} from postgres://app:Oe5Vd9Hk@db/app"))
    record = make_record("failed: %s", (exc_info[1],), level=logging.ERROR, exc_info=exc_info)
    line = MozlogFormatter().format(record)
    for secret in ("Zt6Mx2Qp", "Oe5Vd9Hk"):
        assert secret not in line
    written = parse_line(line)["Fields"]
    assert list(written) == ["msg", "error", "traceback"]
    assert f'{{"user": "ann", "password": {MASK}}}' in written["error"]  # the rest is kept


def test_uvicorn_colour_codes_are_not_a_field() -> None:
    record = make_record("GET / 200", extra={"color_message": "\x1b[32mGET\x1b[0m / 200"})
    assert fields(record) == {"msg": "GET / 200"}


# --- the bound on a line ----------------------------------------------------------------


def utf8_size(line: str) -> int:
    return len(line.encode("utf-8"))


def test_the_bound_is_64_kib_by_default_and_a_constructor_argument() -> None:
    assert MozlogFormatter.MAX_LINE_SIZE == 64 * 1024
    assert MozlogFormatter().max_line_size == 64 * 1024
    assert MozlogFormatter(max_line_size=2048).max_line_size == 2048

    class Small(MozlogFormatter):
        MAX_LINE_SIZE = 4096

    assert Small().max_line_size == 4096


@pytest.mark.parametrize("size", [1023, 0, -1, 2048.0, "65536", True, None])
def test_a_bad_bound_is_refused_by_name(size: Any) -> None:
    if size is None:
        return  # None means the default, checked above
    with pytest.raises(ValueError, match=r"max_line_size=.* is not valid: expected a number"):
        MozlogFormatter(max_line_size=size)


def test_a_2_mb_body_in_an_exception_keeps_the_record_in_64_kib() -> None:
    body = "x" * 2_000_000
    exc_info = raised(KeyError(body))
    record = make_record(
        "Internal Server Error: /upload/",
        level=logging.ERROR,
        exc_info=exc_info,
        extra={"status_code": 500, "rid": "req-1"},
    )
    line = MozlogFormatter().format(record)
    assert utf8_size(line) <= 64 * 1024
    written = parse_line(line)["Fields"]
    assert list(written) == ["status_code", "rid", "msg", "error", "traceback"]
    assert written["status_code"] == 500
    assert written["rid"] == "req-1"
    assert written["msg"] == "Internal Server Error: /upload/"
    for name in ("error", "traceback"):
        assert written[name].endswith(" characters cut]"), written[name][-60:]
    assert written["traceback"].startswith("Uncaught exception:\n")


def test_every_field_stays_when_many_are_long() -> None:
    extra = {f"f{n}": "é" * 5000 for n in range(30)}
    line = MozlogFormatter(max_line_size=8192).format(make_record("m" * 9000, extra=extra))
    assert utf8_size(line) <= 8192
    written = parse_line(line)["Fields"]
    assert list(written) == [*extra, "msg"]
    assert all(value.endswith(" characters cut]") for value in written.values())


def test_too_many_fields_are_kept_as_one_text() -> None:
    extra = {f"field_{n:04d}": n for n in range(2000)}
    line = MozlogFormatter(max_line_size=4096).format(make_record("m", extra=extra))
    assert utf8_size(line) <= 4096
    written = parse_line(line)["Fields"]
    assert list(written) == ["truncated"]
    assert written["truncated"].startswith('{"field_0000":0,"field_0001":1,')
    assert written["truncated"].endswith(" characters cut]")


def test_a_list_of_too_many_items_is_kept_as_one_text() -> None:
    record = make_record("m", extra={"ids": list(range(5000)), "n": 1})
    line = MozlogFormatter(max_line_size=2048).format(record)
    assert utf8_size(line) <= 2048
    written = parse_line(line)["Fields"]
    assert written["n"] == 1
    (text,) = written["ids"]
    assert text.startswith("[0,1,2,3,")
    assert text.endswith(" characters cut]")


def test_long_envelope_values_are_cut_too() -> None:
    record = make_record("m", name="n" * 100_000)
    line = MozlogFormatter(max_line_size=MIN_LINE_SIZE).format(record)
    assert utf8_size(line) <= MIN_LINE_SIZE
    data = parse_line(line)
    assert data["Type"].startswith("nnnn")
    assert data["Fields"] == {"msg": "m"}


def test_cut_text_counts_what_it_cut() -> None:
    assert cut_text("short", 40) == "short"
    cut = cut_text("a" * 1000 + "😀" * 1000, 400)
    assert len(json.dumps(cut)) <= 400
    assert cut.endswith(f"[... {2000 - cut.index('[')} characters cut]")


def test_an_envelope_that_cannot_be_cut_is_kept_as_text() -> None:
    record = {f"k{n}": n for n in range(500)}
    line = bounded_line(record, MIN_LINE_SIZE)
    assert len(line) <= MIN_LINE_SIZE
    assert json.loads(line)["truncated"].startswith('{"k0":0,')


# --- property: any nested extras ----------------------------------------------------------

SECRET_NAMES = ["password", "X-Api-Key", "sessionid", "db_dsn", "Authorization", "Cookie",
                "refresh_token", "client_secret", "credentials", "PASSWD"]  # fmt: skip
_plain_names = st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True).filter(
    lambda name: (
        not any(part in name for part in ("key", "pwd", "dsn", "token", "secret"))
        and not name.endswith(("cookie", "cookies", "session", "sessionid", "session_id"))
    )
)
_text = st.text(st.characters(codec=None, exclude_categories=()), max_size=40)
_big_text = st.integers(min_value=0, max_value=5000).map(lambda n: "ab\u00e9\U0001f600" * n)
_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | _text | _big_text


def _secret(draw: st.DrawFn, planted: list[str]) -> Any:
    token = f"SECRET-{draw(st.uuids()).hex}"
    planted.append(token)
    return draw(st.sampled_from([token, [token, 1], {"inner": token}, (token,)]))


@st.composite
def nested(draw: st.DrawFn, planted: list[str], depth: int = 0) -> Any:
    if depth >= 3 or draw(st.booleans()):
        return draw(_scalars)
    if draw(st.booleans()):
        return [draw(nested(planted, depth + 1)) for _ in range(draw(st.integers(0, 4)))]
    result: dict[str, Any] = {}
    for _ in range(draw(st.integers(0, 4))):
        if draw(st.integers(0, 3)) == 0:
            result[draw(st.sampled_from(SECRET_NAMES))] = _secret(draw, planted)
        else:
            result[draw(_plain_names)] = draw(nested(planted, depth + 1))
    return result


@st.composite
def records(draw: st.DrawFn) -> tuple[logging.LogRecord, list[str], int]:
    planted: list[str] = []
    extra: dict[str, Any] = {}
    for _ in range(draw(st.integers(0, 6))):
        if draw(st.integers(0, 3)) == 0:
            extra[draw(st.sampled_from(SECRET_NAMES))] = _secret(draw, planted)
        else:
            name = draw(
                _plain_names.filter(lambda n: n not in MozlogFormatter.EXCLUDED_LOGRECORD_ATTRS)
            )
            extra[name] = draw(nested(planted))
    size = draw(st.sampled_from([MIN_LINE_SIZE, 4096, MozlogFormatter.MAX_LINE_SIZE]))
    return make_record(draw(_text | _big_text), extra=extra), planted, size


@settings(
    max_examples=60,
    deadline=None,
    # The encoder fixture only chooses the encoder: nothing to reset between examples.
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(case=records())
def test_any_nested_extras_give_one_bounded_line_without_planted_secrets(case: Any) -> None:
    record, planted, size = case
    line = MozlogFormatter(max_line_size=size).format(record)
    assert utf8_size(line) <= size
    parse_line(line)
    for secret in planted:
        assert secret not in line
