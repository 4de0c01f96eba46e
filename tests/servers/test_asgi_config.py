"""``dockerflow_settings.uvicorn``: the log config, its file, and the gunicorn worker class."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import logging
import logging.config
import runpy
import sys
import warnings
from collections.abc import Iterator
from typing import Any

import pytest

from dockerflow.logging import MozlogHandler
from dockerflow_settings import uvicorn as asgi_config
from tests.servers.process import parse_mozlog
from tests.services import services_required

pytestmark = pytest.mark.asgi

UVICORN_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access")


def require_asgi_servers() -> None:
    """Skip when uvicorn or uvicorn-worker is missing; fail instead under
    ``DOCKERFLOW_TEST_SERVICES=required`` (every tox env but mindeps has the asgi extra,
    and mindeps deselects the ``asgi`` marker)."""
    missing = [name for name in ("uvicorn", "uvicorn_worker") if not importlib.util.find_spec(name)]
    if not missing:
        return
    reason = f"{', '.join(missing)} not installed (pip install 'dockerflow-settings[asgi]')"
    if services_required():
        pytest.fail(f"{reason}; DOCKERFLOW_TEST_SERVICES=required", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _asgi_servers_installed() -> None:
    require_asgi_servers()


@pytest.fixture
def uvicorn_loggers() -> Iterator[None]:
    """Put back what configuring uvicorn's loggers changes in this process."""
    loggers = [logging.getLogger(name) for name in UVICORN_LOGGERS]
    saved = [(lg.handlers[:], lg.filters[:], lg.level, lg.propagate) for lg in loggers]
    try:
        yield
    finally:
        for lg, (handlers, filters, level, propagate) in zip(loggers, saved, strict=True):
            lg.handlers, lg.filters, lg.level, lg.propagate = handlers, filters, level, propagate


def test_the_shipped_file_is_logging_config() -> None:
    assert json.loads(asgi_config.LOG_CONFIG_FILE.read_text()) == asgi_config.logging_config()


def test_run_as_main_prints_the_file_path(capsys: pytest.CaptureFixture[str]) -> None:
    # What `uvicorn --log-config "$(python -m dockerflow_settings.uvicorn)"` reads.
    runpy.run_path(asgi_config.__file__, run_name="__main__")
    assert capsys.readouterr().out == f"{asgi_config.LOG_CONFIG_FILE}\n"
    assert asgi_config.LOG_CONFIG_FILE.is_file()


def test_drop_color_message() -> None:
    record = logging.LogRecord("uvicorn.error", logging.INFO, __file__, 1, "hi", None, None)
    record.color_message = "\x1b[36mhi\x1b[0m"
    assert asgi_config.DropColorMessage().filter(record) is True
    assert not hasattr(record, "color_message")
    assert asgi_config.DropColorMessage().filter(record) is True  # nothing to drop


def test_mozlog_handler_routes_warnings_through_logging() -> None:
    original = warnings.showwarning
    try:
        handler = asgi_config.mozlog_handler("svc")
        assert isinstance(handler, MozlogHandler)
        assert handler.logger_name == "svc"
        assert warnings.showwarning is not original
    finally:
        logging.captureWarnings(False)


def test_log_config_writes_uvicorn_lines_as_mozlog(
    uvicorn_loggers: None, capsys: pytest.CaptureFixture[str]
) -> None:
    root = logging.getLogger()
    saved_root = (root.handlers[:], root.level)
    try:
        logging.config.dictConfig(asgi_config.logging_config())
        logging.getLogger("uvicorn.error").info(
            "Started server process [%d]", 42, extra={"color_message": "\x1b[36m%d\x1b[0m"}
        )
        logging.getLogger("uvicorn.access").info("127.0.0.1 - GET / 200")
    finally:
        root.handlers, root.level = saved_root
        logging.captureWarnings(False)
    out = capsys.readouterr().out
    (line,) = out.splitlines()
    record = parse_mozlog(line)
    assert (record["Type"], record["Logger"]) == ("uvicorn.error", "uvicorn")
    assert record["Fields"] == {"msg": "Started server process [42]"}


def test_worker_class_is_built_once_on_first_access() -> None:
    import uvicorn_worker

    worker = asgi_config.UvicornWorker
    assert worker is asgi_config.UvicornWorker
    assert issubclass(worker, uvicorn_worker.UvicornWorker)
    path = f"{worker.__module__}.{worker.__qualname__}"
    assert path == "dockerflow_settings.uvicorn.UvicornWorker"  # what gunicorn's -k names
    assert worker.CONFIG_KWARGS == {
        "loop": "auto",
        "http": "auto",
        "access_log": False,
        "lifespan": "off",
    }
    with pytest.raises(AttributeError, match="has no attribute 'Nope'"):
        asgi_config.Nope  # noqa: B018


def test_worker_builds_uvicorn_config_without_access_log(uvicorn_loggers: None) -> None:
    from gunicorn import config as gunicorn_config
    from gunicorn import glogging

    # What gunicorn's master does for each worker before forking it (twice here).
    cfg = gunicorn_config.Config()
    workers = [
        asgi_config.UvicornWorker(0, 0, [], None, 30, cfg, glogging.Logger(cfg)) for _ in "ab"
    ]
    for worker in workers:
        worker.tmp.close()  # gunicorn's heartbeat file
    assert workers[0].config.access_log is False
    assert workers[0].config.lifespan == "off"
    error_logger = logging.getLogger("uvicorn.error")
    assert error_logger.filters.count(asgi_config._DROP_COLOR_MESSAGE) == 1


def test_worker_class_without_uvicorn_worker_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asgi_config._worker_class.cache_clear()
    monkeypatch.setitem(sys.modules, "uvicorn_worker", None)
    try:
        with pytest.raises(ImportError, match=r'pip install "dockerflow-settings\[asgi\]"'):
            asgi_config.UvicornWorker  # noqa: B018
    finally:
        asgi_config._worker_class.cache_clear()


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def _run_sync(middleware: Any, request: Any) -> Any:
    return middleware(request)


def _run_async(middleware: Any, request: Any) -> Any:
    return asyncio.run(middleware(request))


@pytest.mark.parametrize("chain", ["sync", "async"])
def test_a_cancelled_request_is_summarised(chain: str) -> None:
    # What Django >= 5.0 does under ASGI when the client disconnects: it cancels the
    # request. tests/servers/test_asgi.py shows it with real uvicorn processes; this
    # drives both of the middleware's paths directly.
    from django.test import RequestFactory

    from dockerflow.django.middleware import DockerflowMiddleware
    from dockerflow.django.request_summary import REQUEST_SUMMARY_LOGGER_NAME
    from dockerflow.logging import request_id_context

    def cancelled(request: Any) -> Any:
        raise asyncio.CancelledError

    async def cancelled_async(request: Any) -> Any:
        raise asyncio.CancelledError

    middleware = DockerflowMiddleware(cancelled if chain == "sync" else cancelled_async)
    run = _run_sync if chain == "sync" else _run_async
    request = RequestFactory().get("/slow", HTTP_X_REQUEST_ID="cancelled-request-1")
    handler = _Records()
    logger = logging.getLogger(REQUEST_SUMMARY_LOGGER_NAME)
    logger.addHandler(handler)
    try:
        with pytest.raises(asyncio.CancelledError):
            run(middleware, request)
    finally:
        logger.removeHandler(handler)
    (record,) = handler.records
    fields = record.__dict__
    assert (fields["path"], fields["code"], fields["rid"]) == ("/slow", None, "cancelled-request-1")
    assert record.levelno == logging.INFO
    assert request_id_context.get() is None
