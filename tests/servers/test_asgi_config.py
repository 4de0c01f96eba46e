"""uvicorn: the log config file, Django's LOGGING taking over, and the gunicorn worker class."""

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
from pathlib import Path
from typing import Any

import pytest

from dockerflow.logging import MozlogHandler
from dockerflow_settings import uvicorn as asgi_config
from dockerflow_settings.django_logging import build_logging
from dockerflow_settings.table import Context
from tests.servers.process import parse_mozlog, run_quick, server_env
from tests.services import services_required

pytestmark = pytest.mark.asgi

UVICORN_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access")
CONTEXT = Context(debug=False, base_dir=Path(), project="svc", testing=False, values={})


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
def loggers() -> Iterator[None]:
    """Put back what configuring uvicorn's and Django's loggers changes in this process."""
    names = {*UVICORN_LOGGERS, *build_logging(CONTEXT)["loggers"]}
    saved = [logging.getLogger(), *(logging.getLogger(name) for name in names)]
    state = [
        (lg, lg.handlers[:], lg.filters[:], lg.level, lg.propagate, lg.disabled) for lg in saved
    ]
    try:
        yield
    finally:
        for lg, handlers, filters, level, propagate, disabled in state:
            lg.handlers, lg.filters, lg.level = handlers, filters, level
            lg.propagate, lg.disabled = propagate, disabled
        logging.captureWarnings(False)


def log_config_file() -> dict[str, Any]:
    return json.loads(asgi_config.LOG_CONFIG_FILE.read_text())


def test_run_as_main_prints_the_file_path(capsys: pytest.CaptureFixture[str]) -> None:
    # What `uvicorn --log-config "$(python -m dockerflow_settings.uvicorn)"` reads.
    runpy.run_path(asgi_config.__file__, run_name="__main__")
    assert capsys.readouterr().out == f"{asgi_config.LOG_CONFIG_FILE}\n"
    assert asgi_config.LOG_CONFIG_FILE.is_file()


def test_importing_the_config_module_needs_no_server() -> None:
    script = (
        "import sys, dockerflow_settings.uvicorn\n"
        "assert not {'uvicorn', 'uvicorn_worker', 'gunicorn'} & set(sys.modules)"
    )
    result = run_quick([sys.executable, "-c", script], server_env({}))
    assert result.returncode == 0, result.stderr


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
    loggers: None, capsys: pytest.CaptureFixture[str]
) -> None:
    logging.config.dictConfig(log_config_file())
    logging.getLogger("uvicorn.error").info("Started server process [%d]", 42)
    logging.getLogger("uvicorn.access").info("127.0.0.1 - GET / 200")
    (line,) = capsys.readouterr().out.splitlines()
    record = parse_mozlog(line)
    assert (record["Type"], record["Logger"]) == ("uvicorn.error", "uvicorn")
    assert record["Fields"] == {"msg": "Started server process [42]"}


def test_django_logging_takes_over_uvicorns_loggers(
    loggers: None, capsys: pytest.CaptureFixture[str]
) -> None:
    # What plain uvicorn does: its own logging first, then the application's LOGGING.
    from uvicorn.config import LOGGING_CONFIG

    logging.config.dictConfig(LOGGING_CONFIG)
    logging.config.dictConfig(build_logging(CONTEXT))
    logging.getLogger("uvicorn.error").info("Started server process [%d]", 42)
    logging.getLogger("uvicorn.access").info("127.0.0.1 - GET / 200")
    assert not logging.getLogger("uvicorn.access").hasHandlers()  # uvicorn skips the work
    (line,) = capsys.readouterr().out.splitlines()
    record = parse_mozlog(line)
    assert (record["Type"], record["Logger"]) == ("uvicorn.error", "svc")
    assert record["Fields"]["msg"] == "Started server process [42]"


def test_worker_class() -> None:
    import uvicorn_worker

    from dockerflow_settings.uvicorn_worker import UvicornWorker

    assert issubclass(UvicornWorker, uvicorn_worker.UvicornWorker)
    assert UvicornWorker.CONFIG_KWARGS == {
        "loop": "auto",
        "http": "auto",
        "access_log": False,
        "lifespan": "off",
    }


def test_worker_builds_uvicorn_config_without_access_log(loggers: None) -> None:
    from gunicorn import config as gunicorn_config
    from gunicorn import glogging

    from dockerflow_settings.uvicorn_worker import UvicornWorker

    # What gunicorn's master does for each worker before forking it.
    cfg = gunicorn_config.Config()
    worker = UvicornWorker(0, 0, [], None, 30, cfg, glogging.Logger(cfg))
    worker.tmp.close()  # gunicorn's heartbeat file
    assert worker.config.access_log is False
    assert worker.config.lifespan == "off"


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
