"""The example project served by a real uWSGI with example/uwsgi.ini.

Needs the ``uwsgi`` binary next to this Python (the ``uwsgi`` tox env pip-installs it).
"""

from __future__ import annotations

import json
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.servers.conftest import ExampleSite
from tests.servers.process import (
    EXAMPLE_DIR,
    ServerProcess,
    parse_mozlog,
    pick_free_port,
    port_is_free,
    run_quick,
)

pytestmark = [pytest.mark.servers, pytest.mark.uwsgi]

UWSGI = Path(sys.executable).with_name("uwsgi")
INI = EXAMPLE_DIR / "uwsgi.ini"


@pytest.fixture(scope="module")
def uwsgi_binary() -> Path:
    if not UWSGI.exists():
        pytest.skip(f"no uwsgi binary at {UWSGI} (run the `uwsgi` tox env)")
    return UWSGI


@pytest.fixture(scope="module")
def server(
    uwsgi_binary: Path, example_site: ExampleSite, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerProcess]:
    port = pick_free_port()
    env = {**example_site.env, "PORT": str(port), "WEB_CONCURRENCY": "2"}
    process = ServerProcess(
        [str(uwsgi_binary), "--ini", str(INI)],
        port=port,
        env=env,
        logdir=tmp_path_factory.mktemp("example-uwsgi"),
        cwd=tmp_path_factory.mktemp("elsewhere"),  # the ini chdirs to its own directory
    )
    try:
        process.wait_ready()
        yield process
    finally:
        process.stop()


def test_endpoints(server: ServerProcess, example_site: ExampleSite) -> None:
    assert server.get("/__lbheartbeat__", {"Host": "evil.example"}).status == 200
    heartbeat = server.get("/__heartbeat__")
    assert (heartbeat.status, heartbeat.headers["Content-Type"]) == (200, "application/json")
    assert heartbeat.json()["status"] == "ok"
    version = server.get("/__version__")
    assert version.json() == example_site.version
    page = server.get("/", {"Host": "localhost", "X-Forwarded-Proto": "https"})
    assert page.status == 200
    hashed = example_site.manifest()["paths"]["greetings/site.css"]
    css = server.get(
        f"/static/{hashed}",
        {"Host": "localhost", "X-Forwarded-Proto": "https", "Accept-Encoding": "br"},
    )
    assert css.headers["Content-Encoding"] == "br"
    assert "immutable" in css.headers["Cache-Control"]


def test_output_and_sigterm(server: ServerProcess) -> None:
    request_id = f"test-{uuid.uuid4().hex}"
    assert server.get("/__version__", {"X-Request-ID": request_id}).status == 200
    time.sleep(0.2)
    code = server.stop(timeout=10)
    assert code == 0, server
    assert port_is_free(server.port)

    # As documented in the ini: everything on stderr, the application's lines mozlog,
    # uWSGI's own plain text, no request log.
    assert server.stdout() == ""
    lines = server.stderr().splitlines()
    records = [parse_mozlog(line) for line in lines if line.startswith("{")]
    summaries = [r for r in records if r["Fields"].get("rid") == request_id]
    assert len(summaries) == 1
    assert summaries[0]["Fields"]["path"] == "/__version__"
    assert "spawned uWSGI worker 2" in server.stderr()
    assert not any("GET /__version__" in line for line in lines if not line.startswith("{"))


@pytest.mark.parametrize(("name", "value"), [("PORT", "abc"), ("WEB_CONCURRENCY", "0")])
def test_bad_value_stops_startup(
    uwsgi_binary: Path, example_site: ExampleSite, name: str, value: str
) -> None:
    env = {**example_site.env, "PORT": str(pick_free_port()), name: value}
    result = run_quick([str(uwsgi_binary), "--ini", str(INI)], env, timeout=30)
    assert result.returncode == 2, result
    (message,) = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    assert f"{name}={value!r} is not valid" in message["Fields"]["msg"]
