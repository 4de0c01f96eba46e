"""Each adopted project served by a real gunicorn, as its image would run it."""

from __future__ import annotations

import contextlib
import json
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.adoption.corpus import AFTER, HTTPS, PROJECTS_LIST, Project
from tests.servers.process import ServerProcess, pick_free_port

pytestmark = pytest.mark.servers


@contextlib.contextmanager
def serve(project: Project, logdir: Path) -> Iterator[ServerProcess]:
    """``python -m dockerflow_settings.gunicorn <project>.wsgi``, its production
    configuration, one worker, on a free port."""
    port = pick_free_port()
    # Every probe logged (Prod's default logs only failing ones), to count one line each.
    env = project.env(
        AFTER, project.production, PORT=str(port), WEB_CONCURRENCY="1",
        DJANGO_DOCKERFLOW_SUMMARY_LOG_PROBES="all",
    )  # fmt: skip
    env.pop("GUNICORN_CMD_ARGS", None)
    server = ServerProcess(
        [sys.executable, "-m", "dockerflow_settings.gunicorn", f"{project.name}.wsgi"],
        port=port,
        env=env,
        cwd=project.root,
        logdir=logdir,
    )
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


def summaries(server: ServerProcess, rid: str) -> list[dict[str, Any]]:
    """The request.summary records with request id ``rid`` (other lines are skipped:
    the project's own LOGGING decides their format)."""
    found = []
    for line in server.output_lines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if (
            isinstance(record, dict)
            and record.get("Type") == "request.summary"
            and record.get("Fields", {}).get("rid") == rid
        ):
            found.append(record)
    return found


@pytest.mark.parametrize("project", PROJECTS_LIST, ids=lambda project: project.name)
def test_one_request_summary_per_request(project: Project, tmp_path: Path) -> None:
    """The project's view and ``/__lbheartbeat__`` answer, each with one summary line."""
    with serve(project, tmp_path) as server:
        requests = {}
        for path, status in (project.view, ("/__lbheartbeat__", 200)):
            rid = f"adoption-{uuid.uuid4().hex}"
            answer = server.get(path, headers={**HTTPS, project.request_id_header: rid})
            assert answer.status == status, f"{path}: {answer.status} {answer.body[:300]!r}"
            requests[rid] = path
        deadline = time.monotonic() + 5
        while any(not summaries(server, rid) for rid in requests) and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.2)  # a second line, if one is coming, comes right after the first
        counts = {path: len(summaries(server, rid)) for rid, path in requests.items()}
        assert counts == dict.fromkeys(requests.values(), 1), f"{counts}\n{server}"
