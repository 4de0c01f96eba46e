"""gunicorn configuration for a Dockerflow service.

Use it as a configuration module::

    gunicorn -c python:dockerflow_settings.gunicorn myproject.wsgi

or through the launcher, which also accepts an empty ``PORT=``/``WEB_CONCURRENCY=``
(gunicorn itself crashes on an empty or non-numeric ``WEB_CONCURRENCY`` before any
configuration module is read)::

    python -m dockerflow_settings.gunicorn myproject.wsgi [more gunicorn options]

Environment (an empty value means unset):

``PORT``
    Bind ``0.0.0.0:$PORT``; default 8000. A bind given on the command line or in
    ``GUNICORN_CMD_ARGS`` wins, as gunicorn documents.
``WEB_CONCURRENCY``
    Number of worker processes; default ``2 * CPUs + 1``, at most
    :data:`MAX_DEFAULT_WORKERS` (CPUs: those this process may run on).
``DJANGO_SERVER_WORKER_CLASS``
    ``sync`` (default) or ``uvicorn``: gunicorn's worker class, :data:`WORKER_CLASSES`
    (``uvicorn`` serves the ASGI application, ``myproject.asgi:application``). A ``-k``
    on the command line or in ``GUNICORN_CMD_ARGS`` wins.
``DJANGO_DOCKERFLOW_DRAIN_SECONDS``
    Seconds to keep serving after ``SIGTERM``, with ``/__lbheartbeat__`` answering 503,
    before the graceful shutdown; default 0 (none). See
    :mod:`dockerflow_settings.gunicorn_drain`.

Bounds and defaults are those of the rows of ``dockerflow_settings.table``.

The access log is off (the Dockerflow middleware logs one ``request.summary``
record per request instead) and gunicorn's own log is mozlog JSON on stdout. The
control socket (gunicorn >= 25.1) is disabled: containers share no runtime
directory with anyone who would use it. A bad value stops the process at startup
with exit code 2 and one mozlog line on stderr naming the variable.

To change something, write your own configuration module that starts with
``from dockerflow_settings.gunicorn import *``.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from dockerflow.logging import MozlogFormatter
from dockerflow_settings import gunicorn_drain, parsing, table

#: Cap of the default worker count: CPU counts seen inside containers are often the
#: host's, and 2 * 64 + 1 Django processes would exhaust a container's memory.
MAX_DEFAULT_WORKERS = 8
#: Exit status for a bad environment variable (2: a usage/configuration error).
EXIT_BAD_ENVIRONMENT = 2
#: The mozlog ``Logger`` field of gunicorn's own records.
LOGGER_NAME = "gunicorn"
# Not __name__: that is "__main__" when run with -m.
_RECORD_NAME = "dockerflow_settings.gunicorn"


#: gunicorn's ``worker_class`` for each choice of ``DJANGO_SERVER_WORKER_CLASS``.
WORKER_CLASSES = {"sync": "sync", "uvicorn": "dockerflow_settings.uvicorn.UvicornWorker"}
# What the server rows' defaults are computed from: none of them depends on it.
_SERVER_CONTEXT = table.Context(debug=False, base_dir=Path(), project="", testing=False, values={})
DEFAULT_PORT: int = table.read_variable("PORT", {})


class EnvironmentValueError(ValueError):
    """An environment variable this configuration reads has a value it cannot use."""


def _read(environ: Mapping[str, str], name: str) -> Any:
    """The value of table row ``name`` from ``environ``, parsed by the row; the row's
    default when unset (absent, empty or blank)."""
    row = table.BY_NAME[name]
    value = environ.get(row.env_var)  # type: ignore[arg-type]
    if parsing.is_unset(value):
        return row.default_for(_SERVER_CONTEXT)
    try:
        return row.parse(value)  # type: ignore[misc]
    except parsing.ParseError as exc:
        raise EnvironmentValueError(
            f"{row.env_var}={value!r} is not valid: expected {exc}"
        ) from None


def read_port(environ: Mapping[str, str]) -> int:
    """The port from ``PORT`` (default :data:`DEFAULT_PORT`)."""
    return _read(environ, "PORT")


def usable_cpu_count() -> int:
    """CPUs this process may run on (its affinity mask where the OS has one)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1  # pragma: no cover - macOS/Windows have no affinity call


def default_worker_count(cpus: int) -> int:
    """``2 * cpus + 1``, capped at :data:`MAX_DEFAULT_WORKERS`."""
    return min(2 * max(cpus, 1) + 1, MAX_DEFAULT_WORKERS)


def read_worker_count(environ: Mapping[str, str], cpus: int) -> int:
    """The worker count from ``WEB_CONCURRENCY`` (default :func:`default_worker_count`)."""
    workers = _read(environ, "WEB_CONCURRENCY")
    return default_worker_count(cpus) if workers is None else workers


def read_worker_class(environ: Mapping[str, str]) -> str:
    """gunicorn's worker class from ``DJANGO_SERVER_WORKER_CLASS`` (default ``sync``)."""
    choice = _read(environ, "SERVER_WORKER_CLASS")
    # Checked here, without importing it: gunicorn would only print a traceback.
    if choice == "uvicorn" and importlib.util.find_spec("uvicorn_worker") is None:
        raise EnvironmentValueError(
            f"{table.BY_NAME['SERVER_WORKER_CLASS'].env_var}={choice!r} needs uvicorn and "
            'uvicorn-worker, which are not installed: pip install "dockerflow-settings[asgi]"'
        )
    return WORKER_CLASSES[choice]


def logging_config(logger_name: str = LOGGER_NAME) -> dict[str, Any]:
    """gunicorn's ``logconfig_dict``: its error log and the root logger as mozlog on stdout.

    The gunicorn loggers don't propagate, so an application that also logs the root
    logger to stdout doesn't print gunicorn's records twice. Their level is left to
    gunicorn's ``--log-level``.
    """
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {},
        "handlers": {
            "mozlog": {"class": "dockerflow.logging.MozlogHandler", "name": logger_name},
        },
        "root": {"level": "INFO", "handlers": ["mozlog"]},
        "loggers": {
            "gunicorn.error": {"handlers": ["mozlog"], "propagate": False},
            "gunicorn.access": {"handlers": [], "propagate": False},
        },
    }


def bad_environment_exit(message: str) -> SystemExit:
    """Write ``message`` as one mozlog line on stderr; the exit to raise."""
    record = logging.LogRecord(_RECORD_NAME, logging.CRITICAL, __file__, 0, message, None, None)
    sys.stderr.write(MozlogFormatter(logger_name=LOGGER_NAME).format(record) + "\n")
    sys.stderr.flush()
    return SystemExit(EXIT_BAD_ENVIRONMENT)


def on_starting(server: Any) -> None:
    """Route Python warnings in the master through logging (so they are mozlog too)."""
    logging.captureWarnings(True)


def when_ready(server: Any) -> None:
    """Drain on SIGTERM when ``DJANGO_DOCKERFLOW_DRAIN_SECONDS`` > 0 (see gunicorn_drain)."""
    gunicorn_drain.install(os.environ)


def main(argv: Sequence[str] | None = None) -> None:
    """``python -m dockerflow_settings.gunicorn ARGS``: run gunicorn with this configuration.

    Checks ``PORT`` and ``WEB_CONCURRENCY`` first and removes them when empty (gunicorn
    reads ``WEB_CONCURRENCY`` with ``int()`` when it is imported), then replaces this
    process with ``python -m gunicorn -c python:dockerflow_settings.gunicorn ARGS``, so
    signals reach gunicorn's master directly.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    environ = dict(os.environ)
    try:
        read_port(environ)
        read_worker_count(environ, usable_cpu_count())
        read_worker_class(environ)
    except EnvironmentValueError as exc:
        raise bad_environment_exit(str(exc)) from None
    for name in ("PORT", "WEB_CONCURRENCY"):
        if name in environ and parsing.is_unset(environ[name]):
            del environ[name]
    command = [sys.executable, "-m", "gunicorn", "-c", "python:dockerflow_settings.gunicorn"]
    os.execve(sys.executable, [*command, *args], environ)


try:
    bind = [f"0.0.0.0:{read_port(os.environ)}"]
    workers = read_worker_count(os.environ, usable_cpu_count())
    worker_class = read_worker_class(os.environ)
    gunicorn_drain.read_drain_seconds(os.environ)
except (EnvironmentValueError, gunicorn_drain.DrainSecondsError) as _exc:
    raise bad_environment_exit(str(_exc)) from None
accesslog = None
errorlog = "-"
logconfig_dict = logging_config()
control_socket_disable = True
# gunicorn's worker heartbeat writes to a temporary file; on a container's overlay
# filesystem those writes can block long enough to time workers out.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

if __name__ == "__main__":
    main()
