"""The drain machinery in this process: the shared flag, the variable, real signals, the view."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from types import FrameType

import pytest

from dockerflow.django import drain, views
from dockerflow.django.drain import SharedFlag
from dockerflow_settings import gunicorn_drain
from dockerflow_settings.gunicorn_drain import Drain
from dockerflow_settings.table import BadVariable, read_variable
from tests.servers.process import REPO_ROOT, server_env

VARIABLE = "DJANGO_DOCKERFLOW_DRAIN_SECONDS"

# --- the shared flag -------------------------------------------------------------------


def test_flag_is_false_until_set_and_set_needs_share():
    flag = SharedFlag()
    assert not flag
    with pytest.raises(RuntimeError, match=r"before share\(\)"):
        flag.set()
    flag.share()
    assert not flag
    flag.set()
    assert flag


def test_share_twice_keeps_the_same_byte():
    flag = SharedFlag()
    flag.share()
    flag.set()
    flag.share()
    assert flag


def test_a_forked_child_sees_the_parents_write():
    # A real fork (in a fresh interpreter: forking pytest, which may run threads, is
    # deprecated): the child waits for the parent's write to the shared byte.
    script = textwrap.dedent(
        """
        import os, sys, time
        from dockerflow.django.drain import SharedFlag
        flag = SharedFlag()
        flag.share()
        ready_r, ready_w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.write(ready_w, b"x")
            deadline = time.monotonic() + 5
            while not flag and time.monotonic() < deadline:
                time.sleep(0.01)
            os._exit(0 if flag else 1)
        os.read(ready_r, 1)
        flag.set()
        _, status = os.waitpid(pid, 0)
        sys.exit(os.waitstatus_to_exitcode(status))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], env=server_env({}), cwd=REPO_ROOT, timeout=30
    )
    assert result.returncode == 0


def test_the_runtime_flag_is_not_shared_outside_a_draining_server():
    # The test process never installed a drain: /__lbheartbeat__ must answer 200 here.
    assert not drain.draining


# --- DJANGO_DOCKERFLOW_DRAIN_SECONDS -------------------------------------------------


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, 0.0),
        ({VARIABLE: ""}, 0.0),
        ({VARIABLE: "  "}, 0.0),
        ({VARIABLE: "0"}, 0.0),
        ({VARIABLE: "2"}, 2.0),
        ({VARIABLE: " 1.5 "}, 1.5),
        ({VARIABLE: "300"}, 300.0),
    ],
)
def test_drain_seconds(environ, expected):
    assert read_variable(gunicorn_drain.SETTING, environ) == expected


@pytest.mark.parametrize("value", ["-1", "soon", "nan", "inf", "2s", "301"])
def test_bad_drain_seconds_name_the_variable_and_value(value):
    with pytest.raises(BadVariable) as caught:
        gunicorn_drain.install({VARIABLE: value})
    message = str(caught.value)
    assert message.startswith(f"{VARIABLE}={value!r} is not valid: expected ")
    assert "number" in message


def test_install_leaves_sigterm_alone_without_a_drain():
    from dockerflow_settings import gunicorn as gunicorn_config

    before = signal.getsignal(signal.SIGTERM)
    assert gunicorn_drain.install({}) is None
    assert gunicorn_drain.install({VARIABLE: "0"}) is None
    gunicorn_config.when_ready(None)  # the configuration's hook, with the variable unset
    assert signal.getsignal(signal.SIGTERM) is before


# --- real SIGTERMs to this process ------------------------------------------------------


class Recorder:
    """Stands in for gunicorn's SIGTERM handler."""

    def __init__(self) -> None:
        self.calls: list[int] = []

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        self.calls.append(signum)


@pytest.fixture
def gunicorn_handler() -> Iterator[Recorder]:
    recorder = Recorder()
    original = signal.signal(signal.SIGTERM, recorder)
    try:
        yield recorder
    finally:
        signal.signal(signal.SIGTERM, original)


def wait_until(predicate, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)  # a signal interrupts the sleep and its handler runs here
    return True


def drain_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == gunicorn_drain.LOGGER_NAME]


def test_sigterm_drains_then_reaches_gunicorns_handler(gunicorn_handler, caplog):
    caplog.set_level(logging.INFO, logger=gunicorn_drain.LOGGER_NAME)
    flag = SharedFlag()
    drain_ = Drain(0.3, flag)
    drain_.install()  # shares the flag: the handler's set() below would raise otherwise
    assert signal.getsignal(signal.SIGTERM) == drain_._on_sigterm

    sent = time.monotonic()
    os.kill(os.getpid(), signal.SIGTERM)
    assert wait_until(drain_.started.is_set)
    assert flag, "the flag is set as soon as SIGTERM arrives"
    assert gunicorn_handler.calls == [], "gunicorn must not hear of it during the drain"

    os.kill(os.getpid(), signal.SIGTERM)  # a second SIGTERM while draining changes nothing
    assert wait_until(lambda: gunicorn_handler.calls, timeout=10)
    elapsed = time.monotonic() - sent
    assert gunicorn_handler.calls == [signal.SIGTERM]
    assert 0.3 <= elapsed < 5
    assert signal.getsignal(signal.SIGTERM) is gunicorn_handler, "gunicorn's handler restored"
    drain_.thread.join(timeout=5)  # no thread left behind for later tests that fork
    assert not drain_.thread.is_alive()

    start, end = drain_records(caplog)
    assert (start.event, start.drain_seconds) == ("start", 0.3)
    assert "draining for 0.3s" in start.getMessage()
    assert (end.event, end.drain_seconds) == ("end", 0.3)
    assert 300 <= end.t < 5000
    assert "graceful shutdown" in end.getMessage()


def test_install_from_the_environment(gunicorn_handler):
    shared = SharedFlag()  # not the process's own flag: later tests need a 200
    installed = gunicorn_drain.install({VARIABLE: "0.05"}, shared)
    assert installed is not None
    assert installed.seconds == 0.05
    assert installed.flag is shared
    assert signal.getsignal(signal.SIGTERM) == installed._on_sigterm
    os.kill(os.getpid(), signal.SIGTERM)
    assert wait_until(lambda: gunicorn_handler.calls)
    assert shared
    installed.thread.join(timeout=5)


SCRIPT_DEFAULT_ACTION = """
import os, signal, sys, time
from dockerflow.django.drain import SharedFlag
from dockerflow_settings.gunicorn_drain import Drain
signal.signal(signal.SIGTERM, signal.SIG_DFL)
drain = Drain(0.2, SharedFlag())
drain.install()
os.kill(os.getpid(), signal.SIGTERM)
time.sleep(10)
sys.exit(3)  # not reached: SIGTERM's default action ends the process
"""

SCRIPT_FORKED_CHILD = """
import os, signal, sys
from dockerflow.django.drain import SharedFlag
from dockerflow_settings.gunicorn_drain import Drain
def gunicorn_handler(signum, frame):
    print("gunicorn's handler in", "child" if os.getpid() != master else "master", flush=True)
master = os.getpid()
signal.signal(signal.SIGTERM, gunicorn_handler)
flag = SharedFlag()
Drain(5, flag).install()
pid = os.fork()
if pid == 0:
    # A worker between fork and its own signal setup: gunicorn's handling, no drain.
    os.kill(os.getpid(), signal.SIGTERM)
    os._exit(0 if not flag else 1)
_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run_script(script: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", script],
        env=server_env({}),
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_default_action_after_the_drain_when_nothing_handled_sigterm():
    started = time.monotonic()
    result = run_script(SCRIPT_DEFAULT_ACTION)
    assert result.returncode == -signal.SIGTERM, result.stderr
    assert 0.2 <= time.monotonic() - started < 10


def test_a_forked_child_passes_sigterm_to_gunicorns_handler():
    result = run_script(SCRIPT_FORKED_CHILD)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "gunicorn's handler in child\n"


# --- /__lbheartbeat__ while draining ------------------------------------------------------


@pytest.fixture
def draining(monkeypatch) -> SharedFlag:
    flag = SharedFlag()
    flag.share()
    flag.set()
    monkeypatch.setattr(views, "draining", flag)
    return flag


def test_lbheartbeat_answers_503_draining(client, draining):
    response = client.get("/__lbheartbeat__")
    assert response.status_code == 503
    assert json.loads(response.content) == {"status": "draining"}
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"


def test_other_endpoints_are_served_while_draining(client, draining):
    response = client.get("/__version__")
    assert response.status_code in (200, 404)  # whether tests have a version.json or not
    assert response["Content-Type"] == "application/json"


def test_draining_503_is_logged_at_info_not_error(client, draining, caplog):
    caplog.set_level(logging.DEBUG)
    client.get("/__lbheartbeat__")
    django_lines = [r for r in caplog.records if r.name == "django.request"]
    assert [(r.levelno, r.status_code) for r in django_lines] == [(logging.INFO, 503)]
    summaries = [r for r in caplog.records if r.name == "request.summary"]
    assert [r.code for r in summaries] == [503]
