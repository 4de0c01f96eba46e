"""HTTP requests to a server under test, timed, plus the "during the fault" probe."""

from __future__ import annotations

import http.client
import json
import threading
import time
from dataclasses import dataclass
from typing import Any


@dataclass
class Response:
    status: int
    body: bytes
    content_type: str
    elapsed: float  # seconds, from sending the request to reading the whole body
    finished_at: float  # time.monotonic() when the body was read

    def json(self) -> Any:
        assert self.content_type.startswith("application/json"), (
            f"expected a JSON response, got {self.content_type!r}: {self.body[:200]!r}"
        )
        return json.loads(self.body)


def get(port: int, path: str, *, timeout: float = 10.0) -> Response:
    """GET ``path`` from ``127.0.0.1:port`` on a fresh connection."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        started = time.monotonic()
        conn.request("GET", path)
        response = conn.getresponse()
        body = response.read()
        finished = time.monotonic()
        return Response(
            status=response.status,
            body=body,
            content_type=response.getheader("Content-Type", ""),
            elapsed=finished - started,
            finished_at=finished,
        )
    finally:
        conn.close()


@dataclass
class Overlap:
    """A heartbeat and a /__lbheartbeat__ fired while it was (maybe) still in flight."""

    heartbeat: Response
    lbheartbeat: Response
    heartbeat_in_flight: bool  # the lbheartbeat was answered before the heartbeat


def heartbeat_with_lbheartbeat(
    port: int, *, path: str = "/__heartbeat__", head_start: float = 0.02
) -> Overlap:
    """Fire a heartbeat, then a /__lbheartbeat__ from another thread ``head_start`` s later."""
    results: dict[str, Response] = {}
    errors: list[BaseException] = []

    def fire() -> None:
        try:
            results["heartbeat"] = get(port, path)
        except BaseException as exc:  # re-raised in the caller's thread
            errors.append(exc)

    thread = threading.Thread(target=fire, name="heartbeat-probe")
    thread.start()
    time.sleep(head_start)
    lbheartbeat = get(port, "/__lbheartbeat__")
    thread.join(timeout=30)
    if errors:
        raise errors[0]
    assert not thread.is_alive(), "the heartbeat did not answer within 30 s"
    heartbeat = results["heartbeat"]
    return Overlap(
        heartbeat=heartbeat,
        lbheartbeat=lbheartbeat,
        heartbeat_in_flight=lbheartbeat.finished_at < heartbeat.finished_at,
    )
