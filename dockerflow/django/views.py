"""The Dockerflow endpoints as plain Django views.

:class:`~dockerflow.django.middleware.DockerflowMiddleware` serves them without a
URLconf; a project may also route them itself, as python-dockerflow's docs show::

    path("__version__", views.version), path("__heartbeat__", views.heartbeat), ...

Each answers JSON (``/__lbheartbeat__``: an empty 200) with ``Cache-Control: no-store``
and never needs ``request.get_host()``, so probes work whatever the ``Host`` header.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.utils.module_loading import import_string

from dockerflow import checks
from dockerflow.django import conf, version_file
from dockerflow.django.heartbeat import run_heartbeat

logger = logging.getLogger("dockerflow.django")

CACHE_CONTROL = "no-store"
JSON = "application/json"

_DEFAULT_VERSION_CALLBACK = conf.DEFAULTS["DOCKERFLOW_VERSION_CALLBACK"]


def json_response(payload: dict[str, Any] | bytes, status: int = 200) -> HttpResponse:
    """A JSON response that no cache may store."""
    body = payload if isinstance(payload, bytes) else version_file.encode_json(payload)
    response = HttpResponse(body, status=status, content_type=JSON)
    response["Cache-Control"] = CACHE_CONTROL
    return response


#: The whole /__lbheartbeat__ body: constant, so answering costs no serialisation.
LBHEARTBEAT_BODY = b'{"status":"ok"}'


def lbheartbeat(request: HttpRequest) -> HttpResponse:
    """``/__lbheartbeat__``: ``{"status":"ok"}`` for load balancers; no I/O, no database.

    python-dockerflow answers an empty ``text/html`` 200; a JSON body keeps every
    Dockerflow endpoint ``application/json`` (probes only look at the status).
    """
    response = HttpResponse(LBHEARTBEAT_BODY, content_type="application/json")
    response["Cache-Control"] = CACHE_CONTROL
    return response


# --- /__version__ ----------------------------------------------------------------------


@conf.derived
def version_callback() -> Callable[[Any], Any] | str:
    """``DOCKERFLOW_VERSION_CALLBACK``: a callable, or the dotted path to import per call.

    The dotted path is imported at request time (a ``sys.modules`` lookup), so a test
    that patches ``dockerflow.version.get_version`` is honoured as in python-dockerflow.
    """
    value = conf.get("DOCKERFLOW_VERSION_CALLBACK")
    if callable(value):
        return value
    if isinstance(value, str) and value:
        try:
            import_string(value)
        except ImportError as exc:
            raise ImproperlyConfigured(
                f"DOCKERFLOW_VERSION_CALLBACK={value!r} cannot be imported ({exc}); "
                "expected a dotted path to a function taking the project root"
            ) from exc
        return value
    raise ImproperlyConfigured(
        f"DOCKERFLOW_VERSION_CALLBACK={value!r} is not valid; expected a callable "
        "or a dotted path such as 'dockerflow.version.get_version'"
    )


def version_root() -> str | os.PathLike[str]:
    """Where ``version.json`` lives: ``BASE_DIR``, else ``/app`` (the Dockerflow spec)."""
    return conf.get("BASE_DIR") or version_file.DEFAULT_ROOT


def _is_builtin_reader(func: Any) -> bool:
    # True for the unpatched dockerflow.version.get_version: it is then replaced by the
    # cached reader. A mock or a project's own function is called as it is.
    return (
        getattr(func, "__module__", None) == "dockerflow.version"
        and getattr(func, "__qualname__", None) == "get_version"
    )


def version(request: HttpRequest) -> HttpResponse:
    """``/__version__``: the contents of ``version.json``.

    200 with the JSON object; 404 ``{"error": "version.json not found"}`` when there is
    none; 500 with a JSON error (and one ERROR log line) when it is unusable.
    """
    root = version_root()
    try:
        spec = version_callback()
        func = import_string(spec) if isinstance(spec, str) else spec
        if _is_builtin_reader(func):
            info = version_file.read_version(root)
            if info is None:
                return _version_not_found()
            return json_response(info.body)
        data = func(root)
    except version_file.VersionFileError as exc:
        logger.error("version.json is unusable: %s", exc)
        return json_response({"error": f"version.json {exc.reason}"}, status=500)
    except Exception:
        logger.exception("/__version__ failed: the version callback raised")
        return json_response({"error": "version information is unavailable"}, status=500)
    if data is None:
        return _version_not_found()
    if not isinstance(data, dict):
        logger.error(
            "/__version__ failed: the version callback %r returned %s, expected a dict or None",
            spec,
            type(data).__name__,
        )
        return json_response({"error": "version information is unavailable"}, status=500)
    return json_response(data)


def _version_not_found() -> HttpResponse:
    return json_response({"error": "version.json not found"}, status=404)


# --- /__heartbeat__ --------------------------------------------------------------------


@conf.derived
def failed_status_code() -> int:
    """``DOCKERFLOW_HEARTBEAT_FAILED_STATUS_CODE`` as an int, validated."""
    value = conf.get("DOCKERFLOW_HEARTBEAT_FAILED_STATUS_CODE")
    try:
        code = int(value)
    except (TypeError, ValueError):
        code = 0
    if isinstance(value, bool) or not 400 <= code <= 599:
        raise ImproperlyConfigured(
            f"DOCKERFLOW_HEARTBEAT_FAILED_STATUS_CODE={value!r} is not valid; "
            "expected an HTTP error status code from 400 to 599 (default 500)"
        )
    return code


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
        results = run_heartbeat(sender=heartbeat)
        status = 200 if results.level < checks.ERROR else failed_status_code()
        payload: dict[str, Any] = {"status": checks.level_to_text(results.level)}
        if details_shown():
            payload["checks"] = results.statuses
            payload["details"] = results.details
        return json_response(payload, status=status)
    except Exception as exc:
        logger.exception("/__heartbeat__ failed")
        payload = {"status": "error"}
        if details_shown():
            payload["error"] = f"{type(exc).__name__}: {exc}"
        return json_response(payload, status=500)


# --- /__error__ ------------------------------------------------------------------------


class DeliberateError(Exception):
    """Raised by ``/__error__`` so a project can see its error reporting work."""


def error(request: HttpRequest) -> HttpResponse:
    """``/__error__``: log an ERROR and raise :class:`DeliberateError` on purpose.

    Switch it off with ``DOCKERFLOW_ERROR_ENDPOINT = False``.
    """
    logger.error("/__error__ was requested: raising an exception on purpose")
    raise DeliberateError("Deliberate error from the /__error__ endpoint")
