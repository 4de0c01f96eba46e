from __future__ import annotations

import io
import logging
import logging.config
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from dockerflow.logging import (
    MozlogFormatter,
    MozlogHandler,
    RequestIdLogFilter,
    request_id_context,
)
from tests.dockerflow.logging.conftest import make_record, parse_line


@pytest.fixture
def logger() -> Iterator[logging.Logger]:
    """A logger that is left as it was found."""
    log = logging.getLogger("tests.handler")
    saved = (log.handlers[:], log.filters[:], log.level, log.propagate)
    log.propagate = False
    log.setLevel(logging.DEBUG)
    yield log
    for handler in log.handlers:
        if handler not in saved[0]:
            handler.close()
    log.handlers[:], log.filters[:] = saved[0], saved[1]
    log.setLevel(saved[2])
    log.propagate = saved[3]


def lines(stream: io.StringIO) -> list[dict]:
    return [parse_line(line) for line in stream.getvalue().splitlines()]


def test_defaults_write_to_current_stdout(
    logger: logging.Logger, capsys: pytest.CaptureFixture[str]
) -> None:
    handler = MozlogHandler()
    assert handler.stream is sys.stdout
    assert isinstance(handler.formatter, MozlogFormatter)
    logger.addHandler(handler)
    logger.warning("to %s", "stdout")
    captured = capsys.readouterr()
    assert captured.err == ""
    [data] = [parse_line(line) for line in captured.out.splitlines()]
    assert data["Logger"] == "Dockerflow"
    assert data["Type"] == "tests.handler"
    assert data["Fields"] == {"msg": "to stdout"}


def test_follows_a_replaced_stdout(logger: logging.Logger, monkeypatch: pytest.MonkeyPatch) -> None:
    handler = MozlogHandler(name="svc")
    logger.addHandler(handler)
    replacement = io.StringIO()
    monkeypatch.setattr(sys, "stdout", replacement)
    logger.info("later")
    assert [d["Fields"]["msg"] for d in lines(replacement)] == ["later"]


def test_explicit_stream_and_name(logger: logging.Logger) -> None:
    stream = io.StringIO()
    handler = MozlogHandler(stream, "my-service")
    assert handler.stream is stream
    logger.addHandler(handler)
    logger.error("e", extra={"n": 1})
    [data] = lines(stream)
    assert data["Logger"] == "my-service"
    assert data["Severity"] == 3
    assert data["Fields"] == {"n": 1, "msg": "e"}


def test_set_stream(logger: logging.Logger) -> None:
    first, second = io.StringIO(), io.StringIO()
    handler = MozlogHandler(first)
    logger.addHandler(handler)
    assert handler.setStream(second) is first
    logger.info("x")
    assert first.getvalue() == ""
    assert len(lines(second)) == 1


def test_handler_name_wins_over_formatter_and_record_is_restored(logger: logging.Logger) -> None:
    stream = io.StringIO()
    handler = MozlogHandler(stream, name="from-handler")
    handler.setFormatter(MozlogFormatter(logger_name="from-formatter"))
    logger.addHandler(handler)
    record = make_record("x", name="tests.handler")
    handler.handle(record)
    assert not hasattr(record, "logger_name")
    preset = make_record("y", name="tests.handler", extra={"logger_name": "kept"})
    handler.handle(preset)
    assert preset.logger_name == "kept"
    assert [d["Logger"] for d in lines(stream)] == ["from-handler", "from-handler"]


def test_other_handlers_see_their_own_name(logger: logging.Logger) -> None:
    first, second = io.StringIO(), io.StringIO()
    logger.addHandler(MozlogHandler(first, name="one"))
    plain = logging.StreamHandler(second)
    plain.setFormatter(MozlogFormatter(logger_name="two"))
    logger.addHandler(plain)
    logger.info("x")
    assert lines(first)[0]["Logger"] == "one"
    assert lines(second)[0]["Logger"] == "two"


def test_non_mozlog_formatter(logger: logging.Logger) -> None:
    stream = io.StringIO()
    handler = MozlogHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    logger.addHandler(handler)
    logger.warning("plain")
    assert stream.getvalue() == "WARNING plain\n"


def test_dict_config(logger: logging.Logger, capsys: pytest.CaptureFixture[str]) -> None:
    logging.config.dictConfig(
        {
            "version": 1,
            "disable_existing_loggers": False,
            "filters": {"rid": {"()": "dockerflow.logging.RequestIdLogFilter"}},
            "formatters": {
                "json": {"()": "dockerflow.logging.JsonLogFormatter", "logger_name": "fmt-name"}
            },
            "handlers": {
                "console-key": {
                    "class": "dockerflow.logging.MozlogHandler",
                    "name": "my-service",
                    "filters": ["rid"],
                },
                "with-formatter": {
                    "class": "dockerflow.logging.MozlogHandler",
                    "formatter": "json",
                    "name": "handler-name",
                },
                "plain": {
                    "class": "logging.StreamHandler",
                    "formatter": "json",
                    "stream": "ext://sys.stdout",
                },
            },
            "loggers": {
                "tests.handler": {
                    "handlers": ["console-key", "with-formatter", "plain"],
                    "level": "INFO",
                    "propagate": False,
                }
            },
        }
    )
    handler = logger.handlers[0]
    assert isinstance(handler, MozlogHandler)
    assert handler.name == "console-key"  # dictConfig names the handler after its key
    assert handler.logger_name == "my-service"  # ...without touching the mozlog name
    token = request_id_context.set("rid-1")
    try:
        logger.info("configured")
    finally:
        request_id_context.reset(token)
    out = [parse_line(line) for line in capsys.readouterr().out.splitlines()]
    assert [d["Logger"] for d in out] == ["my-service", "handler-name", "fmt-name"]
    assert out[0]["Fields"] == {"rid": "rid-1", "msg": "configured"}


def test_file_config(
    tmp_path: Path, logger: logging.Logger, capsys: pytest.CaptureFixture[str]
) -> None:
    ini = tmp_path / "logging.ini"
    ini.write_text(
        """
[loggers]
keys=root,handler

[handlers]
keys=positional,defaults,formatted

[formatters]
keys=json

[logger_root]
handlers=

[logger_handler]
qualname=tests.handler
handlers=positional,defaults,formatted
level=DEBUG
propagate=0

[handler_positional]
class=dockerflow.logging.MozlogHandler
args=(sys.stdout, "ini-service")

[handler_defaults]
class=dockerflow.logging.MozlogHandler
args=()

[handler_formatted]
class=dockerflow.logging.MozlogHandler
formatter=json
args=(None, "ini-handler")

[formatter_json]
class=dockerflow.logging.JsonLogFormatter
"""
    )
    root = logging.getLogger()
    saved_root = (root.handlers[:], root.level)
    try:
        logging.config.fileConfig(ini, disable_existing_loggers=False)
        assert [h.name for h in logger.handlers] == ["positional", "defaults", "formatted"]
        logger.debug("from ini")
    finally:
        root.handlers[:] = saved_root[0]
        root.setLevel(saved_root[1])
    out = [parse_line(line) for line in capsys.readouterr().out.splitlines()]
    assert [d["Logger"] for d in out] == ["ini-service", "Dockerflow", "ini-handler"]
    assert all(d["Severity"] == 7 and d["Fields"] == {"msg": "from ini"} for d in out)


def test_request_id_filter_on_the_handler(logger: logging.Logger) -> None:
    stream = io.StringIO()
    handler = MozlogHandler(stream)
    handler.addFilter(RequestIdLogFilter())
    logger.addHandler(handler)
    logger.info("outside")
    token = request_id_context.set("abc")
    try:
        logger.info("inside")
    finally:
        request_id_context.reset(token)
    assert [d["Fields"]["rid"] for d in lines(stream)] == [None, "abc"]
