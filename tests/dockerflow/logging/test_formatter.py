from __future__ import annotations

import json
import logging
import math
import os
import socket
import sys
import time
import warnings

import pytest

import dockerflow.logging
from dockerflow.logging import JsonLogFormatter, MozlogFormatter, encoding
from dockerflow.logging.traceback import safer_format_traceback
from tests.dockerflow.logging.conftest import make_record, parse_line

pytestmark = pytest.mark.usefixtures("encoder")


def fmt(record: logging.LogRecord, **kwargs: object) -> dict:
    return parse_line(MozlogFormatter(**kwargs).format(record))


def test_public_names() -> None:
    assert MozlogFormatter is JsonLogFormatter
    assert MozlogFormatter.LOGGING_FORMAT_VERSION == "2.0"
    # python-dockerflow's public names, and only those.
    assert sorted(dockerflow.logging.__all__) == [
        "JsonLogFormatter",
        "MozlogFormatter",
        "MozlogHandler",
        "RequestIdLogFilter",
        "get_or_generate_request_id",
        "request_id_context",
    ]
    # python-dockerflow's path for it keeps working.
    assert dockerflow.logging.safer_format_traceback is safer_format_traceback


def test_json_log_formatter_emits_no_warning() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        formatter = JsonLogFormatter(logger_name="app")
        parse_line(formatter.format(make_record("hi")))


def test_envelope() -> None:
    before = time.time_ns()
    record = make_record("hello", name="myapp.views", level=logging.WARNING)
    after = time.time_ns()
    data = fmt(record, logger_name="my-service")
    assert data["Type"] == "myapp.views"
    assert data["Logger"] == "my-service"
    assert data["Hostname"] == socket.gethostname()
    assert data["EnvVersion"] == "2.0"
    assert data["Severity"] == 4
    assert data["Pid"] == os.getpid()
    assert before - 1000 <= data["Timestamp"] <= after + 1000
    assert data["Timestamp"] == int(record.created * 1e9)
    assert data["Fields"] == {"msg": "hello"}


def test_default_logger_name() -> None:
    assert fmt(make_record("x"))["Logger"] == "Dockerflow"


def test_positional_arguments_like_python_dockerflow() -> None:
    formatter = MozlogFormatter(None, None, "%", "positional")
    assert parse_line(formatter.format(make_record("x")))["Logger"] == "positional"


@pytest.mark.parametrize(
    ("level", "severity"),
    [
        (logging.CRITICAL, 2),
        (logging.ERROR, 3),
        (logging.WARNING, 4),
        (logging.INFO, 6),
        (logging.DEBUG, 7),
        (1, 7),
        (5, 7),
        (15, 7),
        (25, 6),
        (35, 4),
        (45, 3),
        (55, 2),
        (100, 2),
    ],
)
def test_severity(level: int, severity: int) -> None:
    assert fmt(make_record("x", level=level))["Severity"] == severity


def test_severity_respects_a_subclass_map() -> None:
    class Custom(MozlogFormatter):
        SYSLOG_LEVEL_MAP = {**MozlogFormatter.SYSLOG_LEVEL_MAP, 25: 5}

    formatter = Custom()
    assert parse_line(formatter.format(make_record("x", level=25)))["Severity"] == 5
    assert parse_line(formatter.format(make_record("x", level=27)))["Severity"] == 5
    assert parse_line(formatter.format(make_record("x", level=22)))["Severity"] == 6


def test_extras_in_order_with_msg_last() -> None:
    record = make_record("done", extra={"zeta": 1, "alpha": "a", "rid": None, "ok": True})
    fields = fmt(record)["Fields"]
    assert list(fields) == ["zeta", "alpha", "rid", "ok", "msg"]
    assert fields == {"zeta": 1, "alpha": "a", "rid": None, "ok": True, "msg": "done"}


def test_standard_attributes_are_not_fields() -> None:
    record = make_record("x")
    record.message = "formatted elsewhere"
    record.asctime = "now"
    record.exc_text = "cached"
    assert fmt(record)["Fields"] == {"msg": "x"}


def test_msg_with_percent_args() -> None:
    record = make_record("%s took %d ms (%.1f%%)", ("job", 12, 99.5))
    assert fmt(record)["Fields"]["msg"] == "job took 12 ms (99.5%)"


def test_msg_with_mapping_arg() -> None:
    record = make_record("%(who)s", ({"who": "me"},))
    assert fmt(record)["Fields"]["msg"] == "me"


def test_non_str_msg() -> None:
    assert fmt(make_record(ValueError("boom")))["Fields"]["msg"] == "boom"


def test_empty_msg_is_left_out() -> None:
    assert fmt(make_record("", extra={"a": 1}))["Fields"] == {"a": 1}


@pytest.mark.parametrize("message", ['{"already": "json"}', "{}", "{not really json}"])
def test_json_object_message_is_not_repeated(message: str) -> None:
    # python-dockerflow's rule: a message starting with { and ending with } is
    # assumed to be a JSON blob already carried by the extras.
    assert "msg" not in fmt(make_record(message))["Fields"]


def test_is_value_jsonlike_is_an_overridable_method() -> None:
    class NeverJson(MozlogFormatter):
        def is_value_jsonlike(self, value: str) -> bool:
            return False

    assert MozlogFormatter().is_value_jsonlike("{x}")
    assert not MozlogFormatter().is_value_jsonlike("x}")
    assert parse_line(NeverJson().format(make_record("{x}")))["Fields"]["msg"] == "{x}"


def test_convert_record_is_an_overridable_hook() -> None:
    class Tagged(MozlogFormatter):
        def convert_record(self, record: logging.LogRecord) -> dict:
            out = super().convert_record(record)
            out["Fields"]["tag"] = "t"
            return out

    formatter = Tagged()
    assert formatter.convert_record(make_record("x"))["Fields"] == {"msg": "x", "tag": "t"}
    assert parse_line(formatter.format(make_record("x")))["Fields"]["tag"] == "t"


def test_bad_format_args_do_not_lose_the_record() -> None:
    fields = fmt(make_record("%d items", ("many",)))["Fields"]
    assert fields["msg"] == "'%d items' % ('many',)"
    assert "TypeError" in fields["msg_error"]


def test_non_str_logger_name_in_record() -> None:
    record = make_record("x")
    record.name = 42  # type: ignore[assignment]
    assert fmt(record)["Type"] == "42"


def test_exception_fields() -> None:
    try:
        raise ValueError('line one\nline "two"\r\n{"Fields": "forged"}')
    except ValueError:
        record = make_record("failed", level=logging.ERROR, exc_info=sys.exc_info())
    fields = fmt(record)["Fields"]
    assert list(fields) == ["msg", "error", "traceback"]
    assert fields["error"] == repr(record.exc_info[1])
    traceback_text = fields["traceback"]
    assert traceback_text == safer_format_traceback(*record.exc_info)
    assert traceback_text.startswith("Uncaught exception:\n")
    assert "test_exception_fields" in traceback_text
    # The message is only ever written through repr(): one line, escaped.
    assert 'ValueError(\'line one\\nline "two"\\r\\n{"Fields": "forged"}\')\n' in traceback_text
    assert '\nline "two"' not in traceback_text


def test_chained_exceptions() -> None:
    try:
        try:
            {}["missing"]
        except KeyError as exc:
            raise RuntimeError("wrapped\nnewline") from exc
    except RuntimeError:
        record = make_record("x", exc_info=sys.exc_info())
    text = fmt(record)["Fields"]["traceback"]
    assert (
        text.index("KeyError('missing')")
        < text.index("direct cause")
        < text.index("RuntimeError('wrapped\\nnewline')")
    )


def test_context_exceptions() -> None:
    try:
        try:
            1 / 0  # noqa: B018
        except ZeroDivisionError:
            raise OSError("while handling") from None
    except OSError as exc:
        suppressed = (type(exc), exc, exc.__traceback__)
    try:
        try:
            1 / 0  # noqa: B018
        except ZeroDivisionError:
            raise OSError("while handling")  # noqa: B904
    except OSError as exc:
        implicit = (type(exc), exc, exc.__traceback__)
    text = fmt(make_record("x", exc_info=implicit))["Fields"]["traceback"]
    assert "ZeroDivisionError" in text
    assert "During handling of the above exception" in text
    text = fmt(make_record("x", exc_info=suppressed))["Fields"]["traceback"]
    assert "ZeroDivisionError" not in text


def test_cyclic_exception_chain_terminates() -> None:
    first, second = ValueError("a"), KeyError("b")
    first.__context__ = second
    second.__context__ = first
    text = safer_format_traceback(ValueError, first, None)
    assert text.count("KeyError('b')") == 1
    assert text.count("ValueError('a')") == 1


def test_exception_with_failing_repr() -> None:
    class Nasty(Exception):
        def __repr__(self) -> str:
            raise RuntimeError("no repr")

    try:
        raise Nasty()
    except Nasty:
        record = make_record("x", exc_info=sys.exc_info())
    fields = fmt(record)["Fields"]
    assert fields["error"] == "<unrepresentable Nasty object: RuntimeError>"
    assert fields["traceback"].endswith("<unrepresentable Nasty object: RuntimeError>\n")


def test_traceback_that_cannot_be_formatted() -> None:
    text = safer_format_traceback(ValueError, ValueError("v"), "not a traceback")  # type: ignore[arg-type]
    assert "<traceback unavailable:" in text
    assert text.endswith("ValueError('v')\n")


def test_exc_info_without_exception() -> None:
    # logging.exception() outside an except block gives (None, None, None).
    assert fmt(make_record("x", exc_info=(None, None, None)))["Fields"] == {"msg": "x"}


def test_stack_info() -> None:
    logger = logging.getLogger("tests.stack")
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Keep()
    logger.addHandler(handler)
    try:
        logger.warning("where am I", stack_info=True)
    finally:
        logger.removeHandler(handler)
    fields = fmt(records[0])["Fields"]
    assert fields["stack"].startswith("Stack (most recent call last):")
    assert "test_stack_info" in fields["stack"]
    assert fields["msg"] == "where am I"


def test_logger_name_attribute_wins() -> None:
    record = make_record("x", extra={"logger_name": "from-record"})
    data = fmt(record, logger_name="from-formatter")
    assert data["Logger"] == "from-record"
    assert "logger_name" not in data["Fields"]


# --- Fields keep the extras in order, whatever was done to the record.


def _fields(record: logging.LogRecord) -> tuple[dict, str]:
    formatter = MozlogFormatter()
    fields = formatter.convert_record(record)["Fields"]
    line = formatter.format(record)
    assert list(parse_line(line)["Fields"]) == [str(key) for key in fields]
    return fields, line


def test_fields_keep_the_extras_in_order() -> None:
    record = make_record("m", extra={"z": 1, "a": 2.5, "m_": [1, {"k": None}], "rid": "r"})
    fields, _ = _fields(record)
    assert list(fields) == ["z", "a", "m_", "rid", "msg"]


def test_fields_when_a_record_factory_adds_attributes_before_and_after_init() -> None:
    class Early(logging.LogRecord):
        def __init__(self, *args: object, **kwargs: object) -> None:
            self.early = "before init"  # lands before every standard attribute
            super().__init__(*args, **kwargs)  # type: ignore[arg-type]
            self.late = 7

    previous = logging.getLogRecordFactory()
    logging.setLogRecordFactory(Early)
    try:
        logger = logging.getLogger("test.formatter.factory")
        record = logger.makeRecord(logger.name, logging.INFO, "f.py", 1, "hi", (), None)
    finally:
        logging.setLogRecordFactory(previous)
    record.__dict__.update({"extra_one": "x"})
    fields, _ = _fields(record)
    assert list(fields) == ["early", "late", "extra_one", "msg"]


def test_fields_when_filters_and_other_formatters_changed_the_record() -> None:
    record = make_record("hello %s", args=("you",), extra={"keep": 1, "drop": 2})
    logging.Formatter("%(asctime)s %(message)s").format(record)  # sets message, asctime
    del record.drop
    record.keep = "changed"
    record.lineno = 99  # a standard attribute: still excluded
    del record.exc_text
    record.exc_text = None  # re-added at the end of __dict__
    record.added_by_filter = True
    record.__dict__[3] = "non-str key"
    fields, line = _fields(record)
    assert list(fields) == ["keep", "added_by_filter", 3, "msg"]
    assert fields["keep"] == "changed"
    assert '"3":"non-str key"' in line


def test_fields_of_a_record_without_extras() -> None:
    fields, _ = _fields(make_record(""))
    assert fields == {}


def test_formatting_leaves_the_record_untouched() -> None:
    record = make_record("m", extra={"a": 1, "password": "p", "nested": {"token": "t"}})
    before = dict(record.__dict__)
    MozlogFormatter().format(record)
    assert record.__dict__ == before
    assert record.nested == {"token": "t"}


def test_format_is_dumps_of_convert_record(encoder: str) -> None:
    # No part of the line is cached: each record is encoded whole, after any change
    # to the record or to the formatter's attributes.
    formatter = MozlogFormatter(logger_name="one")
    record = make_record("x", extra={"n": 1, "nan": math.nan, "key": {1: "int"}})
    assert formatter.format(record) == encoding.dumps(formatter.convert_record(record))
    assert parse_line(formatter.format(record))["Pid"] == os.getpid()
    record.process = 4242
    record.levelno = logging.ERROR
    record.logger_name = "from-handler"
    formatter.hostname = "renamed-host"
    formatter.LOGGING_FORMAT_VERSION = "2.1"
    data = json.loads(formatter.format(record))
    assert (data["Pid"], data["Severity"], data["Logger"]) == (4242, 3, "from-handler")
    assert (data["Hostname"], data["EnvVersion"]) == ("renamed-host", "2.1")
