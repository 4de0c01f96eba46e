"""gunicorn configuration for a Dockerflow service (docs/deployment.rst says why each value)::

    gunicorn -c python:dockerflow_settings.gunicorn myproject.wsgi

or through the launcher, which also checks the variables and the application first::

    python -m dockerflow_settings.gunicorn myproject.wsgi [more gunicorn options]

It binds ``0.0.0.0:$PORT``, runs ``WEB_CONCURRENCY`` workers of the class
``DJANGO_SERVER_WORKER_CLASS`` names, drains on ``SIGTERM``, writes its own log as mozlog
and no access log; the command line and ``GUNICORN_CMD_ARGS`` win. A bad value stops it
with exit status 2 and one mozlog line naming the variable. To change something, start
your own configuration module with ``from dockerflow_settings.gunicorn import *``.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import inspect
import logging
import os
import sys
from collections.abc import Mapping, Sequence
from typing import Any

from asgiref.sync import iscoroutinefunction

from dockerflow.logging import MozlogFormatter
from dockerflow_settings import gunicorn_drain
from dockerflow_settings.table import BadVariable, read_variable

#: Cap of the default worker count: CPU counts seen inside containers are often the
#: host's, and 2 * 64 + 1 Django processes would exhaust a container's memory.
MAX_DEFAULT_WORKERS = 8
#: Exit status of the launcher's refusals (2: a usage/configuration error).
EXIT_BAD_ENVIRONMENT = 2
#: The mozlog ``Logger`` field of gunicorn's own records.
LOGGER_NAME = "gunicorn"
# Not __name__: that is "__main__" when run with -m.
_RECORD_NAME = "dockerflow_settings.gunicorn"
#: gunicorn's ``worker_class`` for each choice of ``DJANGO_SERVER_WORKER_CLASS``.
WORKER_CLASSES = {"sync": "sync", "uvicorn": "dockerflow_settings.uvicorn_worker.UvicornWorker"}
# The modules of the worker classes that serve ASGI: gunicorn's own and uvicorn's.
_ASGI_WORKER_MODULES = ("gunicorn.workers.gasgi.", "uvicorn_worker.", "uvicorn.")
_CONFIG_ARGS = ("-c", "python:dockerflow_settings.gunicorn")


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
    workers = read_variable("WEB_CONCURRENCY", environ)
    return default_worker_count(cpus) if workers is None else workers


def read_worker_class(environ: Mapping[str, str]) -> str:
    """gunicorn's worker class from ``DJANGO_SERVER_WORKER_CLASS`` (default ``sync``)."""
    choice = read_variable("SERVER_WORKER_CLASS", environ)
    # Checked here, without importing it: gunicorn would only print a traceback.
    if choice == "uvicorn" and importlib.util.find_spec("uvicorn_worker") is None:
        raise BadVariable(
            "DJANGO_SERVER_WORKER_CLASS='uvicorn' needs uvicorn and uvicorn-worker, which are "
            'not installed: pip install "dockerflow-settings[asgi]"'
        )
    return WORKER_CLASSES[choice]


def application_problem(uri: str, application: Any, worker_class: type) -> str | None:
    """Why ``worker_class`` cannot serve ``application`` (loaded from ``uri``), or None.

    The application is ASGI when it or its ``__call__`` is a coroutine function (uvicorn's
    own test); a class is left alone (an ASGI 2 application is one).
    """
    asgi_worker = any(
        f"{cls.__module__}.".startswith(_ASGI_WORKER_MODULES) for cls in worker_class.__mro__
    )
    call = getattr(application, "__call__", None)  # noqa: B004 -- the method, not callable()
    asgi = iscoroutinefunction(application) or iscoroutinefunction(call)
    if inspect.isclass(application) or asgi == asgi_worker:
        return None
    name = f"{worker_class.__module__}.{worker_class.__qualname__}"
    if asgi:
        return (
            f"{uri} is an ASGI application and the worker class {name} serves WSGI only: "
            "serve the WSGI one (myproject.wsgi), or set DJANGO_SERVER_WORKER_CLASS=uvicorn"
        )
    return (
        f"{uri} is a WSGI application and the worker class {name} serves ASGI only: serve "
        "the ASGI one (myproject.asgi:application), or set DJANGO_SERVER_WORKER_CLASS=sync"
    )


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


def post_worker_init(worker: Any) -> None:
    """Stop the server if the worker's class cannot serve the application it loaded."""
    problem = application_problem(worker.app.app_uri, worker.wsgi, type(worker))
    if problem:
        from gunicorn.arbiter import Arbiter

        worker.log.critical(problem)
        sys.exit(Arbiter.APP_LOAD_ERROR)  # the master stops: "App failed to load."


def _gunicorn_script() -> str:
    # USR2 makes gunicorn re-run its master's command line. Under `python -m gunicorn`
    # that runs gunicorn/__main__.py as a script, whose directory then hides the standard
    # library's `http` from the new master; the console script's directory hides nothing.
    try:
        files = importlib.metadata.files("gunicorn") or []
    except importlib.metadata.PackageNotFoundError:
        files = []
    for file in files:
        if file.name == "gunicorn" and file.parent.name == "bin":
            return os.path.abspath(file.locate())
    raise bad_environment_exit(
        "gunicorn is not installed (no gunicorn script): "
        'pip install "dockerflow-settings[gunicorn]"'
    )


def _launch_problem(argv: list[str]) -> str | None:
    # The application and worker class as gunicorn will load them from this command line.
    from gunicorn.app.wsgiapp import WSGIApplication

    saved, sys.argv = sys.argv, argv
    try:
        server = WSGIApplication(prog="gunicorn")
        application, worker_class = server.load(), server.cfg.worker_class
    except Exception:
        return None  # gunicorn itself reports why it cannot load them, as it always did
    finally:
        sys.argv = saved
    return application_problem(server.app_uri, application, worker_class)


def main(argv: Sequence[str] | None = None) -> None:
    """``python -m dockerflow_settings.gunicorn ARGS``: run gunicorn with this configuration.

    Checks ``PORT``, ``WEB_CONCURRENCY`` and ``DJANGO_SERVER_WORKER_CLASS`` and removes the
    first two when empty (gunicorn reads ``WEB_CONCURRENCY`` with ``int()`` when it is
    imported), refuses an application its worker class cannot serve, then replaces this
    process with gunicorn's ``gunicorn`` script, run by this Python with this
    configuration and ``ARGS``: signals reach gunicorn's master directly, and ``USR2``
    re-executes it cleanly.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        read_variable("PORT", os.environ)
        read_worker_count(os.environ, usable_cpu_count())
        read_worker_class(os.environ)
    except BadVariable as exc:
        raise bad_environment_exit(str(exc)) from None
    for name in ("PORT", "WEB_CONCURRENCY"):
        if not os.environ.get(name, "set").strip():
            del os.environ[name]
    command = [_gunicorn_script(), *_CONFIG_ARGS, *args]
    problem = _launch_problem(command)
    if problem:
        raise bad_environment_exit(problem)
    os.execv(sys.executable, [sys.executable, *command])


try:
    bind = [f"0.0.0.0:{read_variable('PORT', os.environ)}"]
    workers = read_worker_count(os.environ, usable_cpu_count())
    worker_class = read_worker_class(os.environ)
    read_variable(gunicorn_drain.SETTING, os.environ)
except BadVariable as _exc:
    raise bad_environment_exit(str(_exc)) from None
accesslog = None
errorlog = "-"
# gunicorn's error log and the root logger as mozlog on stdout; gunicorn's loggers don't
# propagate (an application logging the root logger to stdout would print them twice),
# and their level is left to --log-level.
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"mozlog": {"class": "dockerflow.logging.MozlogHandler", "name": LOGGER_NAME}},
    "root": {"level": "INFO", "handlers": ["mozlog"]},
    "loggers": {
        "gunicorn.error": {"handlers": ["mozlog"], "propagate": False},
        "gunicorn.access": {"handlers": [], "propagate": False},
    },
}
control_socket_disable = True
# gunicorn's worker heartbeat writes to a temporary file; on a container's overlay
# filesystem those writes can block long enough to time workers out.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

if __name__ == "__main__":
    main()
