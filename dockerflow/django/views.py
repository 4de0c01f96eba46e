"""The Dockerflow endpoints as plain Django views: the middleware serves them without a
URLconf, or a project routes them itself (``path("__version__", views.version)``...). Each
answers JSON with ``Cache-Control: no-store`` and ``X-Content-Type-Options: nosniff``, and
never needs ``request.get_host()``, so probes work whatever the ``Host`` header.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Mapping
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.utils.module_loading import import_string

from dockerflow import checks
from dockerflow.checks.registry import CheckResults
from dockerflow.django import conf
from dockerflow.django.drain import draining
from dockerflow.django.heartbeat import run_heartbeat, run_heartbeat_async
from dockerflow.masking import mask_text
from dockerflow.version import DEFAULT_ROOT, UnusableFile, json_default

logger = logging.getLogger("dockerflow.django")

JSON = "application/json"


def encode_json(payload: Mapping[str, Any]) -> bytes:
    """Compact UTF-8 JSON (``default``: ``dockerflow.version.json_default``); raises
    ``ValueError`` for ``NaN``, the infinities and lone surrogates (invalid JSON)."""
    return json.dumps(
        payload, separators=(",", ":"), ensure_ascii=False, default=json_default, allow_nan=False
    ).encode()


#: The headers every Dockerflow endpoint sends. ``no-store``: no cache or CDN may answer a
#: probe. ``nosniff``: a browser must not guess another type than the JSON declared.
PROBE_HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}


def json_response(payload: dict[str, Any] | bytes, status: int = 200) -> HttpResponse:
    """A JSON response that no cache may store and no browser may sniff."""
    body = payload if isinstance(payload, bytes) else encode_json(payload)
    return HttpResponse(body, status=status, content_type=JSON, headers=PROBE_HEADERS)


class DrainingResponse(HttpResponse):
    """``/__lbheartbeat__``'s 503 while draining: expected in every deploy, not an error
    (the middleware has Django log it at INFO, not ERROR)."""

    status_code = 503


def lbheartbeat(request: HttpRequest) -> HttpResponse:
    """``/__lbheartbeat__``: ``{"status":"ok"}`` for load balancers; no I/O, no database.

    python-dockerflow answers an empty ``text/html`` 200; a JSON body keeps every
    Dockerflow endpoint ``application/json`` (probes only look at the status). After
    ``SIGTERM`` with a drain period (``dockerflow.django.drain``): 503
    ``{"status":"draining"}``, so load balancers take the instance out.
    """
    # Constant bodies: answering costs no serialisation.
    if draining:
        return DrainingResponse(b'{"status":"draining"}', content_type=JSON, headers=PROBE_HEADERS)
    return HttpResponse(b'{"status":"ok"}', content_type=JSON, headers=PROBE_HEADERS)


def version_callback() -> Callable[[Any], Any]:
    """``DOCKERFLOW_VERSION_CALLBACK`` as a function, imported on each call (a ``sys.modules``
    lookup) so a test patching ``dockerflow.version.get_version`` works as in python-dockerflow."""
    spec = conf.valid("DOCKERFLOW_VERSION_CALLBACK")
    if callable(spec):
        return spec
    try:
        return import_string(spec)
    except ImportError as exc:
        raise ImproperlyConfigured(
            f"DOCKERFLOW_VERSION_CALLBACK={spec!r} cannot be imported ({exc}); "
            "expected a dotted path to a function taking the project root"
        ) from exc


def version_root() -> str | os.PathLike[str]:
    """Where ``version.json`` lives: ``BASE_DIR``, else ``/app`` (the Dockerflow spec)."""
    return conf.valid("BASE_DIR") or DEFAULT_ROOT


#: The body of every 500 whose cause only the log names (a callback's own failure).
_VERSION_UNAVAILABLE = {"error": "version information is unavailable"}


def version(request: HttpRequest) -> HttpResponse:
    """``/__version__``: what ``DOCKERFLOW_VERSION_CALLBACK`` returns for the project root.

    200 with the JSON object (any mapping); 404 ``{"error": "version.json not found"}``
    when there is none; 500 with a JSON error (and one ERROR log line) when it is unusable.
    """
    try:
        func = version_callback()
        root = version_root()
    except ImproperlyConfigured:
        logger.exception("/__version__ failed: a setting is not valid")
        return json_response(_VERSION_UNAVAILABLE, status=500)
    try:
        data = func(root)
    except UnusableFile as exc:
        logger.error("version.json is unusable: %s", exc)
        return json_response({"error": f"version.json {exc.reason}"}, status=500)
    except Exception:
        logger.exception("/__version__ failed: the version callback raised")
        return json_response(_VERSION_UNAVAILABLE, status=500)
    if data is None:
        return json_response({"error": "version.json not found"}, status=404)
    problem = f"returned {type(data).__name__}, expected a mapping or None"
    if isinstance(data, Mapping):
        try:
            return json_response(encode_json(data))
        except ValueError as exc:
            problem = f"returned a mapping JSON cannot represent ({exc})"
    logger.error("/__version__ failed: the version callback %r %s", func, problem)
    return json_response(_VERSION_UNAVAILABLE, status=500)


def details_shown() -> bool:
    """``DOCKERFLOW_HEARTBEAT_DETAILS``: True/False, or ``None`` to follow ``DEBUG``."""
    shown = conf.get("DOCKERFLOW_HEARTBEAT_DETAILS")
    if shown is None:
        shown = conf.get("DEBUG")
    return bool(shown)


def heartbeat(request: HttpRequest) -> HttpResponse:
    """``/__heartbeat__``: run ``DOCKERFLOW_CHECKS`` and report.

    200 for ok/info/warning, ``DOCKERFLOW_HEARTBEAT_FAILED_STATUS_CODE`` for
    error/critical; ``{"status": ...}`` plus ``"checks"`` and ``"details"`` when details
    are shown. Anything unexpected gives a JSON 500 and an ERROR log with the traceback.
    """
    try:
        return _heartbeat_response(run_heartbeat(sender=heartbeat))
    except Exception as exc:
        return _heartbeat_failure(exc)


async def heartbeat_async(request: HttpRequest) -> HttpResponse:
    """:func:`heartbeat` for async code: waiting for the run in progress holds no thread."""
    try:
        return _heartbeat_response(await run_heartbeat_async(sender=heartbeat))
    except Exception as exc:
        return _heartbeat_failure(exc)


def _heartbeat_response(results: CheckResults) -> HttpResponse:
    failed = results.level >= checks.ERROR
    status = conf.valid("DOCKERFLOW_HEARTBEAT_FAILED_STATUS_CODE") if failed else 200
    payload: dict[str, Any] = {"status": checks.level_to_text(results.level)}
    if details_shown():
        payload["checks"] = results.statuses
        payload["details"] = results.details
    return json_response(payload, status=status)


def _heartbeat_failure(exc: Exception) -> HttpResponse:
    logger.error("/__heartbeat__ failed", exc_info=exc)
    payload = {"status": "error"}
    if details_shown():
        payload["error"] = mask_text(f"{type(exc).__name__}: {exc}")
    return json_response(payload, status=500)


ERROR_ENDPOINT_MESSAGE = "The __error__ endpoint was called"


class DeliberateError(Exception):
    """Raised by ``/__error__`` so a project can see its error reporting work."""


def error(request: HttpRequest) -> HttpResponse:
    """``/__error__``: log an ERROR and raise ``DeliberateError`` on purpose.

    Switch it off with ``DOCKERFLOW_ERROR_ENDPOINT = False``. The log line and the
    exception carry the same message as python-dockerflow's, which alerting may match.
    """
    logger.error(ERROR_ENDPOINT_MESSAGE)
    raise DeliberateError(ERROR_ENDPOINT_MESSAGE)
