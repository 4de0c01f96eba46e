"""``dockerflow_settings.gunicorn``: its values, and real gunicorn processes using it."""

from __future__ import annotations

import importlib.metadata
import logging
import os
import re
import runpy
import sys
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gunicorn.config
import pytest
from django.core.handlers.asgi import ASGIHandler
from django.core.handlers.wsgi import WSGIHandler
from gunicorn.workers.gthread import ThreadWorker
from gunicorn.workers.sync import SyncWorker

from dockerflow_settings import gunicorn as config
from dockerflow_settings.table import BadVariable, read_variable
from tests.servers.conftest import ExampleSite
from tests.servers.process import (
    EXAMPLE_DIR,
    ServerProcess,
    http_get,
    parse_mozlog,
    pick_free_port,
    port_is_free,
    run_quick,
    server_env,
)

TINY_APP = "tests.servers.wsgi_app"
TINY_ASGI_APP = "tests.servers.tiny_asgi:application"
GUNICORN = [sys.executable, "-m", "gunicorn", "-c", "python:dockerflow_settings.gunicorn"]
LAUNCHER = [sys.executable, "-m", "dockerflow_settings.gunicorn"]
# What the launcher execs: gunicorn's script (not -m gunicorn, see test_reexec.py).
LAUNCHED = [
    sys.executable,
    str(Path(sys.executable).with_name("gunicorn")),
    "-c",
    "python:dockerflow_settings.gunicorn",
]

ORIGINAL_SHOWWARNING = warnings.showwarning

BAD_VALUES = [
    ("PORT", "abc"),
    ("PORT", "70000"),
    ("PORT", "0"),
    ("PORT", "-1"),
    ("PORT", "80.5"),
    ("WEB_CONCURRENCY", "abc"),
    ("WEB_CONCURRENCY", "0"),
    ("WEB_CONCURRENCY", "-1"),
    ("WEB_CONCURRENCY", "2.5"),
    ("DJANGO_SERVER_WORKER_CLASS", "gevent"),
]


# --- values ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, 8000),
        ({"PORT": ""}, 8000),
        ({"PORT": "  "}, 8000),
        ({"PORT": " 8080 "}, 8080),
        ({"PORT": "1"}, 1),
        ({"PORT": "65535"}, 65535),
    ],
)
def test_port(environ: dict[str, str], expected: int) -> None:
    assert read_variable("PORT", environ) == expected


@pytest.mark.parametrize("value", [v for name, v in BAD_VALUES if name == "PORT"] + ["٣"])
def test_port_rejects(value: str) -> None:
    with pytest.raises(BadVariable) as caught:
        read_variable("PORT", {"PORT": value})
    assert f"PORT={value!r}" in str(caught.value)
    assert "an integer from 1 to 65535" in str(caught.value)


@pytest.mark.parametrize(("cpus", "expected"), [(0, 3), (1, 3), (2, 5), (3, 7), (4, 8), (64, 8)])
def test_default_worker_count(cpus: int, expected: int) -> None:
    assert config.default_worker_count(cpus) == expected


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, 5),
        ({"WEB_CONCURRENCY": ""}, 5),
        ({"WEB_CONCURRENCY": "3"}, 3),
        ({"WEB_CONCURRENCY": "17"}, 17),
        ({"WEB_CONCURRENCY": "+4"}, 4),  # dockerflow_settings' integer grammar
    ],
)
def test_read_worker_count(environ: dict[str, str], expected: int) -> None:
    assert config.read_worker_count(environ, cpus=2) == expected


@pytest.mark.parametrize("value", [v for name, v in BAD_VALUES if name == "WEB_CONCURRENCY"])
def test_read_worker_count_rejects(value: str) -> None:
    with pytest.raises(BadVariable, match=re.escape(f"WEB_CONCURRENCY={value!r}")):
        config.read_worker_count({"WEB_CONCURRENCY": value}, cpus=2)


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, "sync"),
        ({"DJANGO_SERVER_WORKER_CLASS": ""}, "sync"),
        ({"DJANGO_SERVER_WORKER_CLASS": "sync"}, "sync"),
        pytest.param(
            {"DJANGO_SERVER_WORKER_CLASS": " Uvicorn "},
            "dockerflow_settings.uvicorn_worker.UvicornWorker",
            marks=pytest.mark.asgi,  # needs uvicorn-worker installed
        ),
    ],
)
def test_read_worker_class(environ: dict[str, str], expected: str) -> None:
    assert config.read_worker_class(environ) == expected


def test_read_worker_class_rejects() -> None:
    with pytest.raises(BadVariable) as caught:
        config.read_worker_class({"DJANGO_SERVER_WORKER_CLASS": "gevent"})
    assert str(caught.value) == (
        "DJANGO_SERVER_WORKER_CLASS='gevent' is not valid: expected one of sync, uvicorn"
    )


def test_read_worker_class_needs_uvicorn_worker_installed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "uvicorn_worker", None)  # as if not installed
    assert config.read_worker_class({}) == "sync"
    with pytest.raises(BadVariable) as caught:
        config.read_worker_class({"DJANGO_SERVER_WORKER_CLASS": "uvicorn"})
    assert str(caught.value) == (
        "DJANGO_SERVER_WORKER_CLASS='uvicorn' needs uvicorn and uvicorn-worker, which are "
        'not installed: pip install "dockerflow-settings[asgi]"'
    )


def test_every_worker_class_choice_has_a_gunicorn_class() -> None:
    for choice in ("sync", "uvicorn", "gevent", "gthread"):
        try:
            read_variable("SERVER_WORKER_CLASS", {"DJANGO_SERVER_WORKER_CLASS": choice})
        except BadVariable:
            assert choice not in config.WORKER_CLASSES
        else:
            assert choice in config.WORKER_CLASSES
    assert set(config.WORKER_CLASSES) == {"sync", "uvicorn"}


def test_usable_cpu_count() -> None:
    assert 1 <= config.usable_cpu_count() <= (os.cpu_count() or 1)


def test_module_sets_exactly_these_gunicorn_settings() -> None:
    # gunicorn applies every module-level name that matches one of its settings: a
    # helper named like a setting would silently become configuration.
    known = {setting.name for setting in gunicorn.config.KNOWN_SETTINGS}
    assert known & set(vars(config)) == {
        "bind",
        "workers",
        "worker_class",
        "accesslog",
        "errorlog",
        "logconfig_dict",
        "control_socket_disable",
        "worker_tmp_dir",
        "on_starting",
        "when_ready",
        "post_worker_init",
    }
    assert config.accesslog is None
    assert config.control_socket_disable is True


def test_bad_environment_exit_writes_one_mozlog_line_to_stderr(
    capsys: pytest.CaptureFixture[str],
) -> None:
    exit_ = config.bad_environment_exit("PORT='x' is not valid")
    assert exit_.code == config.EXIT_BAD_ENVIRONMENT == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    (line,) = captured.err.splitlines()
    record = parse_mozlog(line)
    assert record["Type"] == "dockerflow_settings.gunicorn"
    assert record["Logger"] == "gunicorn"
    assert record["Severity"] == 2
    assert record["Fields"]["msg"] == "PORT='x' is not valid"


def test_main_removes_empty_variables_and_execs_gunicorns_script(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = []
    # The launcher replaces the process; recorded here instead of ending pytest.
    monkeypatch.setattr(os, "execv", lambda *args: calls.append((*args, dict(os.environ))))
    monkeypatch.setenv("PORT", "")
    monkeypatch.setenv("WEB_CONCURRENCY", " ")
    config.main(["--workers", "1", "app.wsgi"])
    ((path, argv, environ),) = calls
    assert path == sys.executable
    assert argv == [*LAUNCHED, "--workers", "1", "app.wsgi"]
    assert "PORT" not in environ
    assert "WEB_CONCURRENCY" not in environ

    monkeypatch.setenv("PORT", "9000")
    monkeypatch.setattr(sys, "argv", ["gunicorn.py", "other.wsgi"])
    config.main()
    assert calls[1][1][-1] == "other.wsgi"
    assert calls[1][2]["PORT"] == "9000"
    assert sys.argv == ["gunicorn.py", "other.wsgi"]  # put back after gunicorn parsed it


def test_main_without_gunicorn_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def not_installed(name: str) -> None:
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "files", not_installed)
    with pytest.raises(SystemExit) as caught:
        config.main(["app.wsgi"])
    assert caught.value.code == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert parse_mozlog(line)["Fields"]["msg"] == (
        "gunicorn is not installed (no gunicorn script): "
        'pip install "dockerflow-settings[gunicorn]"'
    )


def test_main_rejects_bad_values(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("WEB_CONCURRENCY", "many")
    with pytest.raises(SystemExit) as caught:
        config.main(["app.wsgi"])
    assert caught.value.code == 2
    assert "WEB_CONCURRENCY='many'" in capsys.readouterr().err


def test_on_starting_routes_warnings_through_logging() -> None:
    try:
        config.on_starting(server=None)
        assert warnings.showwarning is not ORIGINAL_SHOWWARNING
    finally:
        logging.captureWarnings(False)
    assert warnings.showwarning is ORIGINAL_SHOWWARNING


def test_bad_value_at_import_exits(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # What gunicorn sees when it imports the module as its configuration.
    monkeypatch.setenv("PORT", "http")
    with pytest.raises(SystemExit) as caught:
        runpy.run_path(config.__file__, run_name="gunicorn_config")
    assert caught.value.code == 2
    assert "PORT='http' is not valid" in capsys.readouterr().err


def test_run_as_main_launches(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    # The launcher replaces the process; recorded here instead of ending pytest.
    monkeypatch.setattr(os, "execv", lambda *args: calls.append(args))
    monkeypatch.setattr(sys, "argv", ["gunicorn.py", "app.wsgi"])
    runpy.run_path(config.__file__, run_name="__main__")
    assert calls[0][1] == [*LAUNCHED, "app.wsgi"]


# --- the application and the worker class -------------------------------------------------


def wsgi_function(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    return []


async def asgi_function(scope: dict[str, Any], receive: Any, send: Any) -> None:
    return None


class AsgiInstance:
    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        return None


class Asgi2:
    """An ASGI 2 application: a class, called with the scope, whose instances are awaited."""

    def __init__(self, scope: dict[str, Any]) -> None:
        self.scope = scope


def django_wsgi() -> Any:
    return WSGIHandler()


def django_asgi() -> Any:
    return ASGIHandler()


def made(application: Any) -> Any:
    """The application, made now if it is Django's (its handlers read the settings)."""
    return application() if application in (django_wsgi, django_asgi) else application


# Stand-ins named like the ASGI worker classes that may not be installed here.
GUNICORN_ASGI = type("ASGIWorker", (), {"__module__": "gunicorn.workers.gasgi"})
UVICORN_OLD = type("UvicornWorker", (), {"__module__": "uvicorn.workers"})


@pytest.mark.parametrize("worker_class", [SyncWorker, ThreadWorker])
@pytest.mark.parametrize("application", [wsgi_function, Asgi2, django_wsgi])
def test_wsgi_workers_serve_wsgi(application: Any, worker_class: type) -> None:
    assert config.application_problem("app", made(application), worker_class) is None


@pytest.mark.parametrize(
    "worker_class", [GUNICORN_ASGI, UVICORN_OLD, type("Mine", (UVICORN_OLD,), {})]
)
@pytest.mark.parametrize("application", [asgi_function, AsgiInstance(), Asgi2, django_asgi])
def test_asgi_workers_serve_asgi(application: Any, worker_class: type) -> None:
    assert config.application_problem("app", made(application), worker_class) is None


@pytest.mark.parametrize("application", [asgi_function, AsgiInstance(), django_asgi])
def test_an_asgi_application_under_a_wsgi_worker_is_refused(application: Any) -> None:
    assert config.application_problem("my.asgi:app", made(application), SyncWorker) == (
        "my.asgi:app is an ASGI application and the worker class "
        "gunicorn.workers.sync.SyncWorker serves WSGI only: serve the WSGI one "
        "(myproject.wsgi), or set DJANGO_SERVER_WORKER_CLASS=uvicorn"
    )


@pytest.mark.parametrize("application", [wsgi_function, django_wsgi])
def test_a_wsgi_application_under_an_asgi_worker_is_refused(application: Any) -> None:
    assert config.application_problem("my.wsgi", made(application), GUNICORN_ASGI) == (
        "my.wsgi is a WSGI application and the worker class gunicorn.workers.gasgi.ASGIWorker "
        "serves ASGI only: serve the ASGI one (myproject.asgi:application), or set "
        "DJANGO_SERVER_WORKER_CLASS=sync"
    )


@pytest.mark.asgi
def test_our_uvicorn_worker_serves_asgi_only() -> None:
    from dockerflow_settings.uvicorn_worker import UvicornWorker

    assert config.application_problem("a", asgi_function, UvicornWorker) is None
    assert "serves ASGI only" in str(config.application_problem("a", wsgi_function, UvicornWorker))


# --- real gunicorn ----------------------------------------------------------------------


def print_config(command: list[str], env: dict[str, str], app: str = TINY_APP) -> dict[str, str]:
    """gunicorn's ``--print-config`` output as {setting: value text}."""
    result = run_quick([*command, "--print-config", app], server_env(env))
    assert result.returncode == 0, result.stderr
    settings = {}
    for line in result.stdout.splitlines():
        name, _, value = line.partition("=")
        settings[name.strip()] = value.strip()
    return settings


@pytest.mark.servers
@pytest.mark.parametrize("command", [GUNICORN, LAUNCHER], ids=["gunicorn", "launcher"])
def test_defaults_as_gunicorn_sees_them(command: list[str]) -> None:
    settings = print_config(command, {"PORT": ""})
    assert settings["bind"] == "['0.0.0.0:8000']"
    assert settings["workers"] == str(config.default_worker_count(config.usable_cpu_count()))
    assert settings["accesslog"] == "None"
    assert settings["control_socket_disable"] == "True"
    assert settings["worker_class"] == "sync"


@pytest.mark.servers
@pytest.mark.asgi
@pytest.mark.parametrize("command", [GUNICORN, LAUNCHER], ids=["gunicorn", "launcher"])
def test_worker_class_from_the_environment_and_k_wins(command: list[str]) -> None:
    # The launcher compares the application with the worker class gunicorn will use.
    uvicorn = {"DJANGO_SERVER_WORKER_CLASS": "uvicorn"}
    settings = print_config(command, uvicorn, TINY_ASGI_APP)
    assert settings["worker_class"] == "dockerflow_settings.uvicorn_worker.UvicornWorker"
    assert print_config([*command, "-k", "sync"], uvicorn)["worker_class"] == "sync"
    in_cmd_args = {**uvicorn, "GUNICORN_CMD_ARGS": "--worker-class sync"}
    assert print_config(command, in_cmd_args)["worker_class"] == "sync"


@pytest.mark.servers
def test_launcher_treats_empty_web_concurrency_as_unset() -> None:
    # gunicorn alone dies on WEB_CONCURRENCY="" (it int()s it at import).
    settings = print_config(LAUNCHER, {"WEB_CONCURRENCY": "", "PORT": "9123"})
    assert settings["bind"] == "['0.0.0.0:9123']"
    assert settings["workers"] == str(config.default_worker_count(config.usable_cpu_count()))


@pytest.mark.servers
@pytest.mark.parametrize(
    ("option", "env"),
    [
        (["--bind", "127.0.0.1:1234"], {"PORT": "9123"}),
        ([], {"PORT": "9123", "GUNICORN_CMD_ARGS": "--bind 127.0.0.1:1234 --workers 3"}),
    ],
    ids=["command-line", "GUNICORN_CMD_ARGS"],
)
def test_explicit_bind_and_workers_win(option: list[str], env: dict[str, str]) -> None:
    settings = print_config([*GUNICORN, *option, "--workers", "3"], env)
    assert settings["bind"] == "['127.0.0.1:1234']"
    assert settings["workers"] == "3"


# gunicorn alone int()s WEB_CONCURRENCY when imported and rejects negative defaults
# before it reads any configuration module: only "0" reaches this module that way.
BAD_VALUES_GUNICORN_PASSES_ON = [
    (name, value) for name, value in BAD_VALUES if name != "WEB_CONCURRENCY" or value == "0"
]


@pytest.mark.servers
@pytest.mark.parametrize(
    ("command", "name", "value"),
    [(GUNICORN, *bad) for bad in BAD_VALUES_GUNICORN_PASSES_ON]
    + [(LAUNCHER, *bad) for bad in BAD_VALUES],
)
def test_bad_value_stops_startup_naming_the_variable(
    command: list[str], name: str, value: str
) -> None:
    started = time.monotonic()
    result = run_quick([*command, TINY_APP], server_env({name: value}), timeout=20)
    assert result.returncode == 2, result
    assert time.monotonic() - started < 15
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert f"{name}={value!r} is not valid" in parse_mozlog(line)["Fields"]["msg"]


@pytest.fixture(scope="module")
def tiny_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    port = pick_free_port()
    server = ServerProcess(
        [*GUNICORN, TINY_APP],
        port=port,
        env=server_env({"PORT": str(port), "WEB_CONCURRENCY": "2"}),
        logdir=tmp_path_factory.mktemp("tiny"),
    )
    try:
        server.wait_ready(path="/")
        yield server
    finally:
        server.stop()


@pytest.mark.servers
def test_serves_on_port_with_workers_and_json_only_output(tiny_server: ServerProcess) -> None:
    assert tiny_server.get("/").status == 200
    assert tiny_server.get("/log").status == 200
    time.sleep(0.2)  # the worker writes its records after the response
    records = tiny_server.records()  # every line of stdout and stderr is mozlog

    messages = [r["Fields"].get("msg", "") for r in records]
    assert (
        f"Listening at: http://0.0.0.0:{tiny_server.port} ({tiny_server.process.pid})" in messages
    )
    assert sum(m.startswith("Booting worker with pid") for m in messages) == 2
    assert not any("GET /" in m for m in messages), "access log lines were written"
    assert {r["Type"] for r in records} >= {
        "gunicorn.error",
        "tests.servers.wsgi_app",
        "py.warnings",
    }
    app_record = next(r for r in records if r["Type"] == "tests.servers.wsgi_app")
    assert app_record["Fields"]["msg"] == "logged from the application"
    assert app_record["Severity"] == 4
    warning = next(r for r in records if r["Type"] == "py.warnings")
    assert "warned from the application" in warning["Fields"]["msg"]
    assert tiny_server.stderr() == ""


@pytest.mark.servers
def test_sigterm_stops_quickly_and_frees_the_port(tmp_path: Path) -> None:
    port = pick_free_port()
    server = ServerProcess(
        [*GUNICORN, TINY_APP],
        port=port,
        env=server_env({"PORT": str(port), "WEB_CONCURRENCY": "1"}),
        logdir=tmp_path,
    )
    try:
        server.wait_ready(path="/")
        assert http_get(port, "/").status == 200
    finally:
        started = time.monotonic()
        code = server.stop(timeout=10)
    assert code == 0, server
    assert time.monotonic() - started < 5
    assert port_is_free(port)
    messages = [r["Fields"].get("msg") for r in server.records()]
    assert messages[-1] == "Shutting down: Master"


# The example's applications under the worker class that cannot serve them.
MISMATCHES = [
    pytest.param("uvicorn", "example.wsgi", "a WSGI application", marks=pytest.mark.asgi),
    pytest.param("sync", "example.asgi:application", "an ASGI application"),
]


@pytest.mark.servers
@pytest.mark.parametrize(("worker", "application", "kind"), MISMATCHES)
def test_launcher_refuses_an_application_its_worker_class_cannot_serve(
    example_site: ExampleSite, worker: str, application: str, kind: str
) -> None:
    env = {**example_site.env, "DJANGO_SERVER_WORKER_CLASS": worker, "PORT": str(pick_free_port())}
    result = run_quick([*LAUNCHER, application], env, cwd=EXAMPLE_DIR, timeout=30)
    assert result.returncode == 2, result
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    message = parse_mozlog(line)["Fields"]["msg"]
    assert message.startswith(f"{application} is {kind} and the worker class ")


@pytest.mark.servers
@pytest.mark.parametrize(("worker", "application", "kind"), MISMATCHES)
def test_gunicorn_with_the_configuration_stops_when_workers_cannot_serve(
    example_site: ExampleSite, worker: str, application: str, kind: str
) -> None:
    # No launcher: each worker checks the application it loaded, and the master stops.
    env = {
        **example_site.env,
        "DJANGO_SERVER_WORKER_CLASS": worker,
        "PORT": str(pick_free_port()),
        "WEB_CONCURRENCY": "1",
    }
    result = run_quick([*GUNICORN, application], env, cwd=EXAMPLE_DIR, timeout=30)
    assert result.returncode == 4, result  # gunicorn's "App failed to load."
    assert result.stderr == ""
    records = [parse_mozlog(line) for line in result.stdout.splitlines()]
    refusals = [r for r in records if r["Fields"]["msg"].startswith(f"{application} is {kind}")]
    assert refusals, result.stdout
    assert {r["Severity"] for r in refusals} == {2}
    assert records[-1]["Fields"]["msg"] == "Reason: App failed to load."
