"""``make demo``: run the example service with gunicorn and the Prod configuration.

Prepares the example (migrate its database, write version.json from git, collect
static files), starts ``python -m dockerflow_settings.gunicorn example.wsgi`` on
``$PORT`` (default 8000), prints the Dockerflow URLs once ``/__lbheartbeat__``
answers, and stops the server cleanly on Ctrl-C (SIGINT) or SIGTERM.

Nothing needs to be set beforehand. Unless already set in the environment it sets
DJANGO_CONFIGURATION=Prod, a random DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS for
localhost, DJANGO_SECURE_SSL_REDIRECT=off (the demo speaks plain HTTP) and
WEB_CONCURRENCY=2, and prints what it set.

Exit status: 0 after a clean stop, the server's status if it stops by itself, 1 if
a preparation step fails or the server does not become ready.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from types import FrameType

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "example"
READY_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0

DEFAULTS = {
    "DJANGO_SETTINGS_MODULE": "example.settings",
    "DJANGO_CONFIGURATION": "Prod",
    "DJANGO_ALLOWED_HOSTS": "localhost,127.0.0.1",
    "DJANGO_SECURE_SSL_REDIRECT": "off",
    "WEB_CONCURRENCY": "2",
}


def say(message: str) -> None:
    print(f"demo: {message}", flush=True)


def demo_environment(environ: Mapping[str, str]) -> tuple[dict[str, str], list[str]]:
    """The servers' environment, and a line for each variable the demo chose."""
    env = dict(environ)
    chosen = []
    for name, value in DEFAULTS.items():
        if not env.get(name):
            env[name] = value
            chosen.append(f"{name}={value}")
    if not env.get("DJANGO_SECRET_KEY"):
        env["DJANGO_SECRET_KEY"] = secrets.token_urlsafe(50)
        chosen.append("DJANGO_SECRET_KEY=<random, for this run only>")
    if not env.get("PORT"):
        env["PORT"] = "8000"
        chosen.append("PORT=8000")
    env["PYTHONUNBUFFERED"] = "1"
    return env, chosen


def manage(env: Mapping[str, str], *args: str) -> int:
    command = [sys.executable, "manage.py", *args]
    say("$ " + " ".join(command[1:]))
    return subprocess.call(command, cwd=EXAMPLE, env=dict(env))


def git(*args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=ROOT, capture_output=True, text=True, check=True, timeout=10
    ).stdout.strip()


def write_version_from_git(path: Path) -> None:
    """version.json from ``git``, for when ``dockerflow_version --write`` cannot run."""
    commit = git("rev-parse", "HEAD")
    version = {
        "source": "",
        "version": git("describe", "--tags", "--always", "--dirty"),
        "commit": commit,
        "build": "",
    }
    path.write_text(json.dumps(version, indent=2) + "\n")


def prepare(env: Mapping[str, str]) -> bool:
    if manage(env, "migrate", "--noinput", "--verbosity", "0"):
        return False
    if manage(env, "dockerflow_version", "--write"):
        path = Path(env.get("DJANGO_BASE_DIR") or EXAMPLE) / "version.json"
        try:
            write_version_from_git(path)
        except (OSError, subprocess.SubprocessError) as exc:
            say(f"could not write version.json ({exc}); /__version__ will answer 404")
        else:
            say(f"wrote {path} from git instead")
    return manage(env, "collectstatic", "--noinput", "--verbosity", "0") == 0


def wait_until_ready(server: subprocess.Popen[bytes], url: str) -> bool:
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline and server.poll() is None:
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return True
        except (OSError, urllib.error.HTTPError):
            pass
        time.sleep(0.2)
    return False


def stop(server: subprocess.Popen[bytes], signum: int) -> int:
    """Pass ``signum`` on to the server and wait for it (killing it after a while)."""
    if server.poll() is None:
        server.send_signal(signum)
    try:
        return server.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        say(f"server still running {STOP_TIMEOUT:.0f}s after the signal; killing it")
        server.kill()
        return server.wait()


class Stop(Exception):
    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _raise_stop(signum: int, frame: FrameType | None) -> None:
    raise Stop(signum)


def main() -> int:
    env, chosen = demo_environment(os.environ)
    for line in chosen:
        say(f"set {line}")
    signal.signal(signal.SIGINT, _raise_stop)
    signal.signal(signal.SIGTERM, _raise_stop)
    server: subprocess.Popen[bytes] | None = None
    try:
        if not prepare(env):
            say("preparation failed")
            return 1
        command = [sys.executable, "-m", "dockerflow_settings.gunicorn", "example.wsgi"]
        say("$ python " + " ".join(command[1:]))
        # Its own session: a terminal's Ctrl-C reaches the demo only, which passes it
        # on once (gunicorn treats a second SIGINT during shutdown as another request).
        server = subprocess.Popen(command, cwd=EXAMPLE, env=env, start_new_session=True)
        base = f"http://127.0.0.1:{env['PORT']}"
        if not wait_until_ready(server, f"{base}/__lbheartbeat__"):
            code = stop(server, signal.SIGTERM)
            say(f"server did not become ready (exit status {code})")
            return 1
        say("ready:")
        for path in ("/__version__", "/__heartbeat__", "/__lbheartbeat__", "/"):
            print(f"    {base}{path}", flush=True)
        say("press Ctrl-C to stop")
        return server.wait()
    except Stop as stopping:
        if server is None:
            return 0
        code = stop(server, stopping.signum)
        say(f"stopped (server exit status {code})")
        return 0


if __name__ == "__main__":
    sys.exit(main())
