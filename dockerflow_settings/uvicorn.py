"""uvicorn for a Dockerflow service: its own log lines as mozlog JSON, no access log.

uvicorn configures logging itself, with plain-text handlers, before it imports the
application. Two ways to give it this module's configuration instead:

* gunicorn with uvicorn workers (``DJANGO_SERVER_WORKER_CLASS=uvicorn`` with
  :mod:`dockerflow_settings.gunicorn`, or ``-k dockerflow_settings.uvicorn.UvicornWorker``):
  :class:`UvicornWorker` passes the settings below to every worker.
* plain ``uvicorn``: pass the JSON file that ships with this module::

      uvicorn --host 0.0.0.0 --port "${PORT:-8000}" --no-access-log --lifespan off \\
          --log-config "$(python -m dockerflow_settings.uvicorn)" myproject.asgi:application

  ``python -m dockerflow_settings.uvicorn`` prints the file's path.

Importing this module needs neither uvicorn nor gunicorn; :class:`UvicornWorker` needs
both (``pip install "dockerflow-settings[asgi]"``).
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path
from typing import Any

from dockerflow.logging import MozlogHandler

#: The mozlog ``Logger`` field of uvicorn's own records.
LOGGER_NAME = "uvicorn"
#: :func:`logging_config` as a file for ``uvicorn --log-config`` (uvicorn reads ``.json``
#: files with ``json.load``).
LOG_CONFIG_FILE = Path(__file__).with_name("uvicorn_logging.json")

#: What the worker passes to ``uvicorn.Config`` on top of what gunicorn sets: no access
#: log (the middleware's ``request.summary`` replaces it) and no lifespan probe, which
#: Django does not implement (uvicorn would log that it "appears unsupported").
CONFIG_KWARGS: dict[str, Any] = {
    "loop": "auto",
    "http": "auto",
    "access_log": False,
    "lifespan": "off",
}


class DropColorMessage(logging.Filter):
    """Removes the ``color_message`` extra (the message with terminal colour codes) that
    uvicorn adds to some records; mozlog would otherwise write it into ``Fields``."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.__dict__.pop("color_message", None)
        return True


_DROP_COLOR_MESSAGE = DropColorMessage()


def mozlog_handler(name: str = LOGGER_NAME) -> MozlogHandler:
    """The stdout handler of :func:`logging_config`; also routes Python warnings through
    logging (as :func:`dockerflow_settings.gunicorn.on_starting` does under gunicorn), so
    that they are written as mozlog and not as plain text on stderr."""
    logging.captureWarnings(True)
    return MozlogHandler(name=name)


def logging_config(logger_name: str = LOGGER_NAME) -> dict[str, Any]:
    """uvicorn's ``log_config``: its loggers and the root logger as mozlog on stdout, the
    access log dropped.

    The uvicorn loggers don't propagate, so the root logger (which Django's ``LOGGING``
    later sends to stdout too) never prints their records a second time.
    """
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"drop_color_message": {"()": f"{__name__}.DropColorMessage"}},
        "handlers": {
            "mozlog": {"()": f"{__name__}.mozlog_handler", "name": logger_name},
        },
        "root": {"level": "INFO", "handlers": ["mozlog"]},
        "loggers": {
            "uvicorn": {"handlers": ["mozlog"], "level": "INFO", "propagate": False},
            "uvicorn.error": {"level": "INFO", "filters": ["drop_color_message"]},
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
        },
    }


@functools.cache
def _worker_class() -> type:
    try:
        from uvicorn_worker import UvicornWorker as Base
    except ImportError as exc:
        raise ImportError(
            f"dockerflow_settings.uvicorn.UvicornWorker needs uvicorn and uvicorn-worker "
            f'({exc}); install them with pip install "dockerflow-settings[asgi]"'
        ) from exc

    class UvicornWorker(Base):  # type: ignore[misc, valid-type]
        """``uvicorn_worker.UvicornWorker`` without uvicorn's access log or lifespan probe.

        uvicorn's ``uvicorn.error`` lines go through gunicorn's error log, which
        :mod:`dockerflow_settings.gunicorn` writes as mozlog.
        """

        CONFIG_KWARGS = CONFIG_KWARGS

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            # One shared instance: gunicorn builds each worker in the master before the
            # fork, and addFilter() skips a filter the logger has already.
            logging.getLogger("uvicorn.error").addFilter(_DROP_COLOR_MESSAGE)

    UvicornWorker.__module__ = __name__
    UvicornWorker.__qualname__ = "UvicornWorker"
    return UvicornWorker


def __getattr__(name: str) -> Any:
    # The worker class is built on first use: importing this module (for its log
    # configuration) must not need uvicorn or gunicorn.
    if name == "UvicornWorker":
        return _worker_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main() -> None:
    """``python -m dockerflow_settings.uvicorn``: print the path of the log config file."""
    print(LOG_CONFIG_FILE)


if __name__ == "__main__":
    main()
