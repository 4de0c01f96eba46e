"""Poll a running server's ``/__heartbeat__`` or ``/__lbheartbeat__`` over HTTP (stdlib only).

Used by ``manage.py dockerflow_heartbeat --url`` so a container health check needs
no curl. Needs no database and reads no settings.

Outcomes (see :func:`probe`):

* ``healthy`` -- ``/__heartbeat__`` answered 2xx with a heartbeat document whose
  status is ok/debug/info/warning; ``/__lbheartbeat__`` answered 2xx.
* ``unhealthy`` -- a heartbeat document with status error/critical (whatever the
  HTTP status), or any 5xx answer.
* ``unreachable`` -- no HTTP answer: connection refused or reset, unknown host, TLS
  failure, or no complete answer within the timeout.
* ``invalid`` -- an answer that is not what the endpoint sends: a redirect (never
  followed), another 4xx, or a 2xx heartbeat body that is not a heartbeat document.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from dockerflow import __version__
from dockerflow.checks import ERROR, STATUSES

HEARTBEAT = "__heartbeat__"
LBHEARTBEAT = "__lbheartbeat__"
HEALTHY, UNHEALTHY, UNREACHABLE, INVALID = "healthy", "unhealthy", "unreachable", "invalid"

_MAX_BODY = 1024 * 1024
_LEVELS = {text: level for level, text in STATUSES.items()}


class ProbeURLError(ValueError):
    """The URL given cannot be probed (one-line reason)."""


def endpoint_url(url: str, *, lb: bool = False) -> tuple[str, bool]:
    """The endpoint URL to request for ``url``, and whether it is ``/__lbheartbeat__``.

    ``url`` is either the full endpoint URL (its last path segment is ``__heartbeat__``
    or ``__lbheartbeat__``: used as is) or a base URL, to which ``/__heartbeat__``
    (``/__lbheartbeat__`` with ``lb``) is appended after its path, so a service
    mounted under a prefix works. Without ``scheme://``, ``http://`` is assumed
    (``localhost:8000``). The query string is kept; a fragment is dropped.
    Raises :class:`ProbeURLError`.
    """
    raw = url.strip()
    if "://" not in raw:
        raw = f"http://{raw}"
    parts = urlsplit(raw)
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
    last = segments[-1]
    if last in (HEARTBEAT, LBHEARTBEAT):
        is_lb = last == LBHEARTBEAT
        if lb and not is_lb:
            raise ProbeURLError(f"--lb conflicts with --url {url!r}, which names /{HEARTBEAT}")
        path = parts.path
    else:
        is_lb = lb
        path = "/".join([*segments, LBHEARTBEAT if lb else HEARTBEAT])
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, "")), is_lb


@dataclass
class ProbeResult:
    """What one probe found."""

    url: str
    outcome: str
    http_status: int | None = None
    document: Any = None
    error: str | None = None
    elapsed: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "outcome": self.outcome,
            "http_status": self.http_status,
            "elapsed_ms": round(self.elapsed * 1000, 1),
            "response": self.document,
            "error": self.error,
        }


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # A health check must judge the URL it was given: a redirect (to HTTPS, to a
    # login page) is reported, not silently followed.
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


# Environment proxies are ignored: a probe of the container's own port must not
# be sent through HTTP_PROXY.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect)


def _fetch(url: str, timeout: float) -> tuple[int, bytes]:
    request = urllib.request.Request(
        url,
        headers={"Accept": "application/json", "User-Agent": f"dockerflow-probe/{__version__}"},
    )
    try:
        response = _opener.open(request, timeout=timeout)
    except urllib.error.HTTPError as exc:
        response = exc
    with response:
        return response.status, response.read(_MAX_BODY)


def _heartbeat_document(body: bytes) -> dict[str, Any] | None:
    try:
        document = json.loads(body)
    except ValueError:
        return None
    if isinstance(document, dict) and document.get("status") in _LEVELS:
        return document
    return None


def _judge(result: ProbeResult, status: int, body: bytes, is_lb: bool) -> None:
    result.http_status = status
    document = None if is_lb else _heartbeat_document(body)
    result.document = document
    if document is not None and _LEVELS[document["status"]] >= ERROR:
        result.outcome = UNHEALTHY
        result.error = f"heartbeat status is {document['status']!r} (HTTP {status})"
    elif status >= 500:
        result.outcome = UNHEALTHY
        result.error = f"HTTP {status}"
    elif not 200 <= status < 300:
        result.outcome = INVALID
        result.error = f"unexpected HTTP {status}"
        if 300 <= status < 400:
            result.error += " redirect (not followed); pass the final URL to --url"
    elif document is None and not is_lb:
        result.outcome = INVALID
        result.error = (
            f"HTTP {status} but the body is not a heartbeat JSON document with a known "
            f"status: {body[:80]!r}"
        )
    else:
        result.outcome = HEALTHY


def _describe(exc: BaseException) -> str:
    if isinstance(exc, urllib.error.URLError) and not isinstance(exc.reason, str):
        exc = exc.reason
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def probe(url: str, *, timeout: float = 5.0, lb: bool = False) -> ProbeResult:
    """Request the endpoint for ``url`` (see :func:`endpoint_url`) and judge the answer.

    The whole probe -- connect, send, read -- is bounded by ``timeout`` seconds: it
    runs in a daemon thread that is abandoned if it overruns. Raises only
    :class:`ProbeURLError`.
    """
    target, is_lb = endpoint_url(url, lb=lb)
    result = ProbeResult(url=target, outcome=UNREACHABLE)
    started = time.monotonic()

    too_slow = f"no complete answer within {timeout:g} s"

    def attempt() -> None:
        try:
            status, body = _fetch(target, timeout)
        except (http.client.RemoteDisconnected, OSError) as exc:
            # The socket's own timeout (bare, or wrapped in URLError while connecting)
            # can fire just before join() gives up: the same outcome, so the same words.
            reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
            result.error = too_slow if isinstance(reason, TimeoutError) else _describe(exc)
        except http.client.HTTPException as exc:
            result.outcome, result.error = INVALID, f"not an HTTP answer ({_describe(exc)})"
        else:
            _judge(result, status, body, is_lb)

    worker = threading.Thread(target=attempt, name="dockerflow-probe", daemon=True)
    worker.start()
    worker.join(timeout)
    result.elapsed = time.monotonic() - started
    if worker.is_alive():
        return ProbeResult(
            url=target,
            outcome=UNREACHABLE,
            error=too_slow,
            elapsed=result.elapsed,
        )
    return result
