"""RecordTemplate builds exactly the record Logger.makeRecord would, or defers to it."""

from __future__ import annotations

import asyncio
import logging
import sys
import threading

import pytest

from dockerflow.logging import fast_record
from dockerflow.logging.fast_record import RecordTemplate, fast_path_applies

TIME_FIELDS = {"created", "msecs", "relativeCreated"}


@pytest.fixture
def logger():
    return logging.getLogger("tests.fast_record")


def real_record(logger, level, msg, exc_info=None):
    return logger.makeRecord(logger.name, level, __file__, 0, msg, (), exc_info, "handler")


def assert_same_record(fast, real):
    assert type(fast) is type(real)
    # Same attributes in the same order: formatters walk record.__dict__.
    assert list(fast.__dict__) == list(real.__dict__)
    for name, value in real.__dict__.items():
        if name in TIME_FIELDS:
            assert type(fast.__dict__[name]) is type(value), name
        else:
            assert fast.__dict__[name] == value, name
    assert abs(fast.created - real.created) < 5
    assert abs(fast.relativeCreated - real.relativeCreated) < 5000
    assert 0.0 <= fast.msecs < 1000.0
    assert fast.msecs == pytest.approx((fast.created % 1) * 1000, abs=1.0)
    assert fast.getMessage() == real.getMessage()


def test_supported_pythons_take_the_fast_path(logger):
    assert fast_record.SUPPORTED is ((3, 10) <= sys.version_info[:2] <= (3, 13))
    assert fast_path_applies(logger) is fast_record.SUPPORTED


@pytest.mark.parametrize("level", [logging.DEBUG, logging.INFO, logging.ERROR, 25, 55])
def test_same_record_as_make_record(logger, level):
    template = RecordTemplate(logger, __file__, "handler")
    assert_same_record(template.make(level, "msg"), real_record(logger, level, "msg"))


def test_same_record_with_exc_info(logger):
    try:
        raise ValueError("boom")
    except ValueError:
        exc_info = sys.exc_info()
    template = RecordTemplate(logger, __file__, "handler")
    fast = template.make(logging.ERROR, "boom", exc_info)
    assert fast.exc_info is exc_info
    assert_same_record(fast, real_record(logger, logging.ERROR, "boom", exc_info))
    assert logging.Formatter().format(fast).endswith("ValueError: boom")


def test_same_record_from_another_thread_and_inside_a_task(logger):
    template = RecordTemplate(logger, __file__, "handler")
    made = {}

    def in_thread():
        made["thread"] = (template.make(logging.INFO, ""), real_record(logger, logging.INFO, ""))

    worker = threading.Thread(target=in_thread, name="summary-worker")
    worker.start()
    worker.join()
    fast, real = made["thread"]
    assert fast.threadName == "summary-worker"
    assert_same_record(fast, real)

    async def in_task():
        return template.make(logging.INFO, ""), real_record(logger, logging.INFO, "")

    fast, real = asyncio.run(in_task())
    assert_same_record(fast, real)
    if sys.version_info >= (3, 12):
        assert fast.taskName is not None


def test_switched_off_record_fields_match(logger, monkeypatch):
    template = RecordTemplate(logger, __file__, "handler")
    monkeypatch.setattr(logging, "logThreads", False)
    monkeypatch.setattr(logging, "logProcesses", False)
    monkeypatch.setattr(logging, "logMultiprocessing", False)
    monkeypatch.setattr(logging, "logAsyncioTasks", False, raising=False)
    fast = template.make(logging.INFO, "")
    assert (fast.thread, fast.threadName, fast.process, fast.processName) == (None,) * 4
    assert_same_record(fast, real_record(logger, logging.INFO, ""))


def test_multiprocessing_name_is_used(logger, monkeypatch):
    import multiprocessing

    monkeypatch.setattr(multiprocessing.current_process(), "name", "worker-7")
    fast = RecordTemplate(logger, __file__, "handler").make(logging.INFO, "")
    assert fast.processName == "worker-7"
    assert_same_record(fast, real_record(logger, logging.INFO, ""))


def test_a_custom_record_factory_is_honoured(logger):
    original = logging.getLogRecordFactory()

    def factory(*args, **kwargs):
        record = original(*args, **kwargs)
        record.tenant = "acme"
        return record

    logging.setLogRecordFactory(factory)
    try:
        assert not fast_path_applies(logger)
        record = RecordTemplate(logger, __file__, "handler").make(logging.INFO, "hi")
    finally:
        logging.setLogRecordFactory(original)
    assert record.tenant == "acme"
    assert record.funcName == "handler"


def test_a_logger_class_with_its_own_make_record_is_honoured():
    class TaggingLogger(logging.Logger):
        def makeRecord(self, *args, **kwargs):
            record = super().makeRecord(*args, **kwargs)
            record.tagged = True
            return record

    logger = TaggingLogger("tests.fast_record.tagging")
    assert not fast_path_applies(logger)
    assert RecordTemplate(logger, __file__, "handler").make(logging.INFO, "").tagged is True


def test_unsupported_python_defers_to_make_record(logger, monkeypatch):
    monkeypatch.setattr(fast_record, "SUPPORTED", False)
    calls = []

    def make_record(*args):
        calls.append(args)
        return logging.Logger.makeRecord(logger, *args)

    monkeypatch.setattr(logger, "makeRecord", make_record)
    record = RecordTemplate(logger, __file__, "handler").make(logging.INFO, "x")
    assert calls == [(logger.name, logging.INFO, __file__, 0, "x", (), None, "handler")]
    assert record.getMessage() == "x"


def without(record, keys):
    copy = logging.makeLogRecord({})
    copy.__dict__ = {k: v for k, v in record.__dict__.items() if k not in keys}
    return copy


@pytest.mark.parametrize("fast", [True, False], ids=["fast-path", "make-record"])
def test_extra_keys_follow_the_standard_attributes(logger, monkeypatch, fast):
    if not fast:
        monkeypatch.setattr(fast_record, "SUPPORTED", False)
    template = RecordTemplate(logger, __file__, "handler", ("errno", "path"))
    record = template.make(logging.INFO, "hi")
    real = real_record(logger, logging.INFO, "hi")
    assert list(record.__dict__) == [*real.__dict__, "errno", "path"]
    assert (record.errno, record.path) == (None, None)
    assert_same_record(without(record, {"errno", "path"}), real)


def test_each_record_is_its_own_copy(logger):
    template = RecordTemplate(logger, __file__, "handler", ("path",))
    first = template.make(logging.INFO, "one")
    first.path = "/a"
    first.msg = "changed"
    second = template.make(logging.INFO, "two")
    assert second.path is None
    assert second.getMessage() == "two"
    assert first.__dict__ is not second.__dict__


def test_level_names_registered_later_are_used(logger):
    template = RecordTemplate(logger, __file__, "handler")
    assert template.make(25, "").levelname == "Level 25"
    assert template.make(25, "").levelname == "Level 25"  # the cached prototype
    logging.addLevelName(25, "NOTICE")
    try:
        record = template.make(25, "")
        assert record.levelname == "NOTICE"
        assert_same_record(record, real_record(logger, 25, ""))
    finally:
        del logging._levelToName[25]
        del logging._nameToLevel["NOTICE"]
    assert template.make(25, "").levelname == "Level 25"


def test_a_renamed_logger_gets_records_under_its_new_name():
    logger = logging.Logger("tests.fast_record.before")
    template = RecordTemplate(logger, __file__, "handler")
    assert template.make(logging.INFO, "").name == "tests.fast_record.before"
    logger.name = "tests.fast_record.after"
    record = template.make(logging.INFO, "")
    assert record.name == "tests.fast_record.after"
    assert_same_record(record, real_record(logger, logging.INFO, ""))
