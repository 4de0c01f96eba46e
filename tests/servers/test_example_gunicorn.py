"""The example project served by a real gunicorn: ``bin/run.sh web``, as the image runs it."""

from __future__ import annotations

import gzip
import json
import os
import re
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import brotli
import pytest

from tests.servers import dockerfile
from tests.servers.conftest import ExampleSite
from tests.servers.process import (
    EXAMPLE_DIR,
    ServerProcess,
    pick_free_port,
    port_is_free,
    run_quick,
)
from tests.servers.test_dockerfile import final

pytestmark = pytest.mark.servers

HTTPS = {"X-Forwarded-Proto": "https"}  # what the load balancer adds in front of the app
FAR_FUTURE = "max-age=315360000"


@pytest.fixture(scope="module")
def server(example_site: ExampleSite, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    port = pick_free_port()
    env = {
        **example_site.env,
        "PORT": str(port),
        "WEB_CONCURRENCY": "2",
        # bin/run.sh runs `python`: this one.
        "PATH": os.pathsep.join((str(Path(sys.executable).parent), os.environ["PATH"])),
    }
    process = ServerProcess(
        [str(EXAMPLE_DIR / "bin" / "run.sh"), "web"],
        port=port,
        env=env,
        cwd=EXAMPLE_DIR,
        logdir=tmp_path_factory.mktemp("example-gunicorn"),
    )
    try:
        process.wait_ready()
        yield process
    finally:
        process.stop()


def rid() -> str:
    return f"test-{uuid.uuid4().hex}"


def summaries(server: ServerProcess) -> list[dict[str, Any]]:
    return [r for r in server.records() if r["Type"] == "request.summary"]


def summary_for(server: ServerProcess, request_id: str) -> dict[str, Any]:
    """The one request.summary with ``request_id`` (waits briefly for the worker's write)."""
    deadline = time.monotonic() + 5
    while True:
        found = [r for r in summaries(server) if r["Fields"].get("rid") == request_id]
        if found or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert len(found) == 1, f"{len(found)} summaries for {request_id}\n{server}"
    return found[0]


def test_lbheartbeat(server: ServerProcess) -> None:
    answer = server.get("/__lbheartbeat__")
    assert answer.status == 200
    assert json.loads(answer.body) == {"status": "ok"}
    assert answer.headers["Content-Type"] == "application/json"
    assert answer.headers["Cache-Control"] == "no-store"


def test_heartbeat_runs_the_default_and_the_app_checks(server: ServerProcess) -> None:
    answer = server.get("/__heartbeat__")
    assert answer.status == 200, answer.body
    assert answer.headers["Content-Type"] == "application/json"
    assert answer.json()["status"] == "ok"


def test_version_serves_the_written_file(server: ServerProcess, example_site: ExampleSite) -> None:
    answer = server.get("/__version__")
    assert answer.status == 200
    assert answer.headers["Content-Type"] == "application/json"
    assert answer.json() == example_site.version


def test_probes_ignore_host_and_ssl_redirect(server: ServerProcess) -> None:
    # Prod has SECURE_SSL_REDIRECT on and ALLOWED_HOSTS=localhost,127.0.0.1.
    for headers in ({"Host": "10.1.2.3:8000"}, {"Host": "evil.example"}, {}):
        assert server.get("/__lbheartbeat__", headers).status == 200
        assert server.get("/__heartbeat__", headers).status == 200
    plain = server.get("/", {"Host": "localhost"})
    assert plain.status == 301
    assert plain.headers["Location"] == "https://localhost/"
    assert server.get("/", {"Host": "evil.example", **HTTPS}).status == 400


def test_page_with_hashed_compressed_immutable_static_files(
    server: ServerProcess, example_site: ExampleSite
) -> None:
    page = server.get("/", {"Host": "localhost", **HTTPS})
    assert page.status == 200
    html = page.body.decode()
    assert "Hello from a Dockerflow service" in html
    for name in ("greetings/site.css", "greetings/site.js"):
        hashed = example_site.manifest()["paths"][name]
        assert hashed != name
        url = f"/static/{hashed}"
        assert f'"{url}"' in html
        source = example_site.static_source(name)
        for encoding, decompress in (("gzip", gzip.decompress), ("br", brotli.decompress)):
            answer = server.get(url, {"Host": "localhost", "Accept-Encoding": encoding, **HTTPS})
            assert answer.status == 200
            assert answer.headers["Content-Encoding"] == encoding
            cache_control = answer.headers["Cache-Control"]
            assert FAR_FUTURE in cache_control
            assert "immutable" in cache_control
            assert decompress(answer.body) == source
        identity = server.get(url, {"Host": "localhost", **HTTPS})
        assert identity.headers["Content-Encoding"] is None
        assert identity.body == source


def test_one_summary_per_request_with_path_code_and_rid(server: ServerProcess) -> None:
    made = [
        ("/__lbheartbeat__", {}, 200),
        ("/__heartbeat__", {}, 200),
        ("/__version__", {}, 200),
        ("/", {"Host": "localhost", **HTTPS}, 200),
        ("/", {"Host": "localhost"}, 301),
        ("/", {"Host": "evil.example", **HTTPS}, 400),
        ("/missing", {"Host": "localhost", **HTTPS}, 404),
    ]
    for path, headers, code in made:
        request_id = rid()
        answer = server.get(path, {**headers, "X-Request-ID": request_id})
        assert answer.status == code
        fields = summary_for(server, request_id)["Fields"]
        assert (fields["path"], fields["code"], fields["method"]) == (path, code, "GET")
        assert isinstance(fields["t"], int)
        # uid only when the request loaded a user; the example has no sessions.
        assert {"errno", "agent", "lang"} <= set(fields)


def test_healthcheck_command_from_the_dockerfile(server: ServerProcess) -> None:
    (check,) = final("HEALTHCHECK")
    argv = dockerfile.Instruction("CMD", check.args.partition(" CMD ")[2], 0, 0).exec_form()
    assert argv is not None
    command = [sys.executable, *argv[1:]]
    healthy = run_quick(command, {"PORT": str(server.port)}, timeout=20)
    assert healthy.returncode == 0, healthy.stderr
    unhealthy = run_quick(command, {"PORT": str(pick_free_port())}, timeout=20)
    assert unhealthy.returncode == 1


def test_app_check_fails_the_heartbeat_when_the_greeting_is_blank(
    example_site: ExampleSite,
) -> None:
    result = example_site.manage("dockerflow_heartbeat", "--json", env={"DJANGO_GREETING": " "})
    assert result.returncode == 1, result
    assert "greetings.E001" in result.stdout


def test_every_line_is_mozlog_and_sigterm_stops_cleanly(server: ServerProcess) -> None:
    # Last in this module: it stops the module's server.
    answer = server.get("/__version__", {"X-Request-ID": rid()})
    assert answer.status == 200
    started = time.monotonic()
    code = server.stop(timeout=10)
    assert code == 0, server
    assert time.monotonic() - started < 5
    assert port_is_free(server.port)

    records = server.records()  # every stdout and stderr line parses as mozlog
    assert server.stderr() == ""
    types = {r["Type"] for r in records}
    assert {"gunicorn.error", "request.summary"} <= types
    assert records[-1]["Fields"]["msg"] == "Shutting down: Master"
    # One summary per request: readiness polls may add /__lbheartbeat__ ones only.
    logged = Counter(r["Fields"]["path"] for r in summaries(server))
    made = Counter(server.paths_requested)
    assert logged["/__lbheartbeat__"] >= made["/__lbheartbeat__"]
    del logged["/__lbheartbeat__"], made["/__lbheartbeat__"]
    assert logged == made
    assert re.search(r"Booting worker with pid", server.stdout())
    assert "Using worker: sync" in server.stdout()


def test_prod_logs_only_failing_probes_by_default(
    example_site: ExampleSite, tmp_path_factory: pytest.TempPathFactory
) -> None:
    port = pick_free_port()
    env = {**example_site.env, "PORT": str(port), "WEB_CONCURRENCY": "1"}
    del env["DJANGO_DOCKERFLOW_SUMMARY_LOG_PROBES"]  # Prod's default: failures
    process = ServerProcess(
        [sys.executable, "-m", "dockerflow_settings.gunicorn", "example.wsgi"],
        port=port,
        env=env,
        cwd=EXAMPLE_DIR,
        logdir=tmp_path_factory.mktemp("quiet-probes"),
    )
    try:
        process.wait_ready()
        for _ in range(20):
            assert process.get("/__lbheartbeat__").status == 200
            assert process.get("/__heartbeat__").status == 200
        page = rid()
        assert process.get("/", {"Host": "localhost", **HTTPS, "X-Request-ID": page}).status == 200
        summary_for(process, page)  # the page is logged
        paths = [r["Fields"]["path"] for r in summaries(process)]
        assert paths == ["/"]  # 40 probes, not one line
    finally:
        process.stop()
