"""uvicorn's own lines as mozlog, for plain ``uvicorn`` (needs neither uvicorn nor gunicorn).

With the ``LOGGING`` dockerflow_settings builds, uvicorn's loggers write mozlog once the
application is loaded, and ``uvicorn.access`` nothing. What a uvicorn process writes
before that (the supervisor of ``--workers`` above 1, which never loads the application;
an application that fails to load) needs the log configuration that ships here::

    uvicorn --host 0.0.0.0 --port "${PORT:-8000}" --lifespan off \\
        --log-config "$(python -m dockerflow_settings.uvicorn)" myproject.asgi:application

``python -m dockerflow_settings.uvicorn`` prints the path of :data:`LOG_CONFIG_FILE`.
The gunicorn worker class is ``dockerflow_settings.uvicorn_worker.UvicornWorker``.
"""

from __future__ import annotations

import logging
from pathlib import Path

from dockerflow.logging import MozlogHandler

#: uvicorn's ``--log-config``: its loggers and the root logger as mozlog on stdout
#: (``Logger`` ``"uvicorn"``), ``uvicorn.access`` silenced.
LOG_CONFIG_FILE = Path(__file__).with_name("uvicorn_logging.json")


def mozlog_handler(name: str) -> MozlogHandler:
    """The handler of :data:`LOG_CONFIG_FILE`; also routes Python warnings through logging,
    so that they are mozlog and not plain text on stderr."""
    logging.captureWarnings(True)
    return MozlogHandler(name=name)


def main() -> None:
    """``python -m dockerflow_settings.uvicorn``: print the path of the log config file."""
    print(LOG_CONFIG_FILE)


if __name__ == "__main__":
    main()
