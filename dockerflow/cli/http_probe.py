"""Poll a running server's ``/__heartbeat__`` or ``/__lbheartbeat__`` over HTTP (stdlib
only), for ``manage.py dockerflow_heartbeat --url``: a container health check needs no curl.
"""

from __future__ import annotations

import dataclasses
import http.client
import json
import threading
import time
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from dockerflow import __version__
from dockerflow.checks import ERROR, STATUSES

HEARTBEAT, LBHEARTBEAT = "__heartbeat__", "__lbheartbeat__"
HEALTHY, UNHEALTHY, UNREACHABLE, INVALID = "healthy", "unhealthy", "unreachable", "invalid"

_MAX_BODY = 1024 * 1024
_LEVELS = {text: level for level, text in STATUSES.items()}


class ProbeURLError(ValueError):
    """The URL given cannot be probed (one-line reason)."""


def endpoint_url(url: str, *, lb: bool = False) -> tuple[str, bool]:
    """The endpoint URL to request for ``url``, and whether it is ``/__lbheartbeat__``:
    ``url`` as is if it names the endpoint, else a base URL (``http://`` assumed) to which
    the endpoint's path is appended; query kept, fragment dropped. :class:`ProbeURLError`."""
    raw = url.strip()
    parts = urlsplit(raw if "://" in raw else f"http://{raw}")
    try:
        port_ok = parts.port is None or parts.port > 0
    except ValueError:
        port_ok = False
    if parts.scheme not in ("http", "https") or not parts.hostname or not port_ok:
        raise ProbeURLError(
            f"--url {url!r} is not an http(s) URL with a host and an optional port, "
            "e.g. http://127.0.0.1:8000"
        )
    if parts.username is not None or parts.password is not None:
        raise ProbeURLError("--url must not contain a user name or password")
    segments = parts.path.rstrip("/").split("/")
    path, is_lb = parts.path, segments[-1] == LBHEARTBEAT
    if segments[-1] == HEARTBEAT and lb:
        raise ProbeURLError(f"--lb conflicts with --url {url!r}, which names /{HEARTBEAT}")
    if segments[-1] not in (HEARTBEAT, LBHEARTBEAT):
        path, is_lb = "/".join([*segments, LBHEARTBEAT if lb else HEARTBEAT]), lb
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, "")), is_lb


@dataclasses.dataclass
class ProbeResult:
    """What one probe found; ``dataclasses.asdict()`` of it is the ``--json`` document."""

    url: str
    outcome: str = UNREACHABLE
    http_status: int | None = None
    #: The heartbeat document (``None`` for ``/__lbheartbeat__`` and other bodies).
    response: Any = None
    error: str | None = None
    elapsed_ms: float = 0.0


def _fetch(url: str, timeout: float) -> tuple[int, bytes]:
    # http.client rather than urllib: it follows no redirect (a health check must judge
    # the URL it was given) and uses no HTTP_PROXY (the probe is of this container).
    parts = urlsplit(url)
    https = parts.scheme == "https"
    connection = (http.client.HTTPSConnection if https else http.client.HTTPConnection)(
        parts.hostname or "", parts.port or (443 if https else 80), timeout=timeout
    )
    headers = {"Accept": "application/json", "User-Agent": f"dockerflow-probe/{__version__}"}
    target = urlunsplit(("", "", parts.path, parts.query, ""))
    try:
        connection.request("GET", target, headers=headers)
        response = connection.getresponse()
        return response.status, response.read(_MAX_BODY)
    finally:
        connection.close()


def _judge(result: ProbeResult, status: int, body: bytes, is_lb: bool) -> None:
    result.http_status = status
    if not is_lb:
        try:
            document = json.loads(body)
        except ValueError:
            document = None
        if isinstance(document, dict) and document.get("status") in _LEVELS:
            result.response = document
    if result.response and _LEVELS[result.response["status"]] >= ERROR:
        result.outcome = UNHEALTHY
        result.error = f"heartbeat status is {result.response['status']!r} (HTTP {status})"
    elif status >= 500:
        result.outcome, result.error = UNHEALTHY, f"HTTP {status}"
    elif not 200 <= status < 300:
        result.outcome, result.error = INVALID, f"unexpected HTTP {status}"
        if 300 <= status < 400:
            result.error += " redirect (not followed); pass the final URL to --url"
    elif result.response is None and not is_lb:
        result.outcome = INVALID
        result.error = (
            f"HTTP {status} but the body is not a heartbeat JSON document with a known "
            f"status: {body[:80]!r}"
        )
    else:
        result.outcome = HEALTHY


def probe(url: str, *, timeout: float = 5.0, lb: bool = False) -> ProbeResult:
    """Request the endpoint for ``url`` (:func:`endpoint_url`) and judge the answer, all
    within ``timeout`` seconds (in a daemon thread, abandoned if it overruns). Raises only
    :class:`ProbeURLError`."""
    target, is_lb = endpoint_url(url, lb=lb)
    too_slow = f"no complete answer within {timeout:g} s"
    done: list[ProbeResult] = []

    def attempt() -> None:
        result = ProbeResult(url=target)
        try:
            status, body = _fetch(target, timeout)
        except TimeoutError:
            # The socket's own timeout can fire just before join() gives up: the same
            # outcome, so the same words.
            result.error = too_slow
        except OSError as exc:  # refused, reset, unknown host, TLS; RemoteDisconnected
            result.error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        except http.client.HTTPException as exc:
            result.outcome = INVALID
            result.error = f"not an HTTP answer ({type(exc).__name__}: {exc})"
        else:
            _judge(result, status, body, is_lb)
        done.append(result)

    started = time.monotonic()
    worker = threading.Thread(target=attempt, name="dockerflow-probe", daemon=True)
    worker.start()
    worker.join(timeout)
    result = done[0] if done else ProbeResult(url=target, error=too_slow)
    result.elapsed_ms = round((time.monotonic() - started) * 1000, 1)
    return result
