"""The HTTP transcripts in the docs show what the code sends.

Every transcript of a Dockerflow endpoint or a static file -- ``$ curl -i URL`` then
``HTTP/1.1 200 OK`` in a console block, or ``GET /path`` / ``200 OK`` in a text block --
is replayed against the example project (``run_transcripts.py``, the ``Prod``
configuration of ``make demo``) in the state the page describes, and its status line and
headers are compared with the real answer. A transcript that shows headers must show all
of them, except those a server adds (``Server``, ``Date``, transfer headers), which the
pages leave out -- unless its header list ends with ``...``: then each header shown
must be sent with that value.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import secrets
import shlex
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.docs.rst import ROOT, code_blocks, documented_files

RUNNER = Path(__file__).with_name("run_transcripts.py")
EXAMPLE = ROOT / "example"
#: Added by the HTTP server or the transport, not by the code; transcripts omit them.
SERVER_HEADERS = {"server", "date", "connection", "content-length", "transfer-encoding"}
ENDPOINTS = ("/__version__", "/__heartbeat__", "/__lbheartbeat__", "/__error__")
STATIC = "/static/"

_CURL = re.compile(r"^\$ curl\b.*?(?P<url>https?://\S+)")
_HTTP_STATUS = re.compile(r"^(?:HTTP/[\d.]+ )?(?P<status>[1-5]\d\d) (?P<reason>[A-Z][A-Za-z -]*)$")
_REQUEST = re.compile(r"^(?P<method>GET|HEAD|POST) (?P<path>/\S*)$")
_HEADER = re.compile(r"^(?P<name>[A-Za-z][A-Za-z0-9-]*): (?P<value>.*)$")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
_SECTION = re.compile(r"^``(?P<path>/__\w+__)``$")


@dataclass
class Transcript:
    where: str
    path: str
    status: int
    reason: str
    method: str = "GET"
    request_headers: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    partial: bool = False  # the header list ends with "..."


def _headers(lines: list[str], start: int) -> tuple[dict[str, str], bool]:
    """The ``Name: value`` lines from ``start``, and whether ``...`` follows them."""
    found = {}
    for line in lines[start:]:
        match = _HEADER.match(line)
        if not match:
            return found, line.strip() == "..."
        found[match["name"]] = match["value"]
    return found, False


def _curl_headers(command: str) -> dict[str, str]:
    """The ``-H 'Name: value'`` headers of a ``$ curl`` line."""
    words = shlex.split(command.removeprefix("$ "))
    pairs = [words[i + 1] for i, word in enumerate(words[:-1]) if word in ("-H", "--header")]
    return dict(pair.split(": ", 1) for pair in pairs)


def _section_paths(path: Path) -> dict[int, str]:
    """For each line number, the Dockerflow endpoint whose section it is in (if any)."""
    current, by_line = "", {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        match = _SECTION.match(line.strip())
        if match:
            current = match["path"]
        by_line[number] = current
    return by_line


def transcripts() -> list[Transcript]:
    """Every HTTP transcript of a Dockerflow endpoint in the docs and the README."""
    found = []
    for page in documented_files():
        sections = _section_paths(page)
        for block in code_blocks(page):
            if block.language not in ("console", "text"):
                continue
            lines = block.code.splitlines()
            path, method, request_headers = sections[block.line], "GET", {}
            for index, line in enumerate(lines):
                if curl := _CURL.match(line):
                    path, method = urlsplit(curl["url"]).path, "GET"
                    request_headers = _curl_headers(line)
                    continue
                if request := _REQUEST.match(line):
                    path, method = request["path"], request["method"]
                    request_headers = _headers(lines, index + 1)[0]
                    continue
                status = _HTTP_STATUS.match(line)
                if status and (path.rstrip("/") in ENDPOINTS or path.startswith(STATIC)):
                    headers, partial = _headers(lines, index + 1)
                    found.append(
                        Transcript(
                            where=f"{page.relative_to(ROOT)}:{block.line + 1 + index}",
                            path=path,
                            status=int(status["status"]),
                            reason=status["reason"],
                            method=method,
                            request_headers=request_headers,
                            headers=headers,
                            partial=partial,
                        )
                    )
    return found


#: The state of the project each (endpoint, status) shows; see run_transcripts.py.
SCENARIOS = {
    ("/__version__", 200): "version-file",
    ("/__version__", 404): "no-version-file",
    ("/__version__", 500): "bad-version-file",
    ("/__heartbeat__", 200): "checks-pass",
    ("/__heartbeat__", 500): "checks-fail",
    ("/__heartbeat__", 503): "checks-fail-503",
    ("/__lbheartbeat__", 200): "none",
    ("/__error__", 500): "error-endpoint-on",
}

TRANSCRIPTS = transcripts()


def test_the_docs_have_transcripts_of_every_endpoint() -> None:
    # Guards the parser: a change in how pages write transcripts must not silently
    # leave nothing to compare.
    assert {t.path.rstrip("/") for t in TRANSCRIPTS} >= set(ENDPOINTS)
    assert sum(1 for t in TRANSCRIPTS if t.headers) >= 8


@pytest.fixture(scope="module")
def answers(tmp_path_factory) -> dict[str, dict]:
    requests = []
    for transcript in TRANSCRIPTS:
        key = (transcript.path.rstrip("/"), transcript.status)
        scenario = "static" if transcript.path.startswith(STATIC) else SCENARIOS.get(key)
        assert scenario, f"{transcript.where}: no scenario gives {transcript.status} there"
        requests.append(
            {
                "method": transcript.method,
                "path": transcript.path,
                "headers": transcript.request_headers,
                "scenario": scenario,
            }
        )
    work = tmp_path_factory.mktemp("transcripts")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DOCKERFLOW_"))}
    env.update(
        PYTHONPATH=os.pathsep.join([str(EXAMPLE), str(ROOT)]),
        DJANGO_SETTINGS_MODULE="example.settings",
        DJANGO_CONFIGURATION="Prod",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="localhost,127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="off",
        DATABASE_URL="sqlite://:memory:",
        DJANGO_STATIC_ROOT=str(work / "static"),
    )
    output = work / "answers.json"
    done = subprocess.run(
        [sys.executable, str(RUNNER), str(output)],
        input=json.dumps(requests),
        capture_output=True,
        text=True,
        cwd=EXAMPLE,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    real = json.loads(output.read_text())
    return dict(zip([t.where for t in TRANSCRIPTS], real, strict=True))


def _generated_ids_alike(headers: dict[str, str]) -> dict[str, str]:
    # A request id the code generates differs on every run: any UUID stands for it.
    alike = dict(headers)
    for name, value in headers.items():
        if name.lower() == "x-request-id" and _UUID.fullmatch(value):
            alike[name] = "<generated request id>"
    return alike


@pytest.mark.parametrize("transcript", TRANSCRIPTS, ids=[t.where for t in TRANSCRIPTS])
def test_transcript_matches_what_the_code_sends(transcript: Transcript, answers) -> None:
    real = answers[transcript.where]
    real = {**real, "headers": _generated_ids_alike(real["headers"])}
    transcript = dataclasses.replace(transcript, headers=_generated_ids_alike(transcript.headers))
    shown_line = f"{transcript.status} {transcript.reason}"
    assert shown_line == f"{real['status']} {real['reason']}", transcript.where
    if not transcript.headers:
        return  # a body-only excerpt (the page says what it leaves out)
    if transcript.partial:
        sent = {k.lower(): v for k, v in real["headers"].items()}
        for name, value in transcript.headers.items():
            if name.lower() in SERVER_HEADERS:
                continue  # e.g. Content-Length of a Brotli body varies with its version
            assert sent.get(name.lower()) == value, (
                f"{transcript.where}: the transcript shows {name}: {value}, "
                f"the code sends {sent.get(name.lower())!r}"
            )
        return
    sent = {k: v for k, v in real["headers"].items() if k.lower() not in SERVER_HEADERS}
    assert transcript.headers == sent, (
        f"{transcript.where}: the transcript shows {transcript.headers}, the code sends {sent}"
    )
