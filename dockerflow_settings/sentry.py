"""Sentry, initialised the Dockerflow way (the ``sentry`` extra: sentry-sdk 2.x).

:func:`init_sentry` is called by the front ends while settings load, only when
``SENTRY_DSN`` is set: the Django integration (and Celery's when Celery is
installed), ``send_default_pii`` off, probe requests never traced, every event
tagged with the request id (``rid``) and masked by :mod:`dockerflow.masking`, the
rule log lines follow. Nothing here imports ``sentry_sdk`` or ``celery`` before it
is needed.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Callable, Mapping
from typing import Any

from dockerflow.django import conf
from dockerflow.logging.request_id import request_id_context
from dockerflow.masking import mask_mapping, mask_query, mask_text, url_secrets
from dockerflow.version import get_version
from dockerflow_settings.errors import Problem
from dockerflow_settings.parsing import ParseError

#: Requests that never become transactions (load balancers and orchestrators send
#: them every few seconds: tracing them would spend the quota on noise).
PROBE_PATHS = conf.endpoint_paths("lbheartbeat", "heartbeat", "version")

DSN_EXPECTED = "a Sentry DSN such as https://PUBLIC_KEY@o1.ingest.sentry.io/PROJECT_ID"
INSTALL_HINT = "pip install 'dockerflow-settings[sentry]'"
# Sentry's own structures that hold no user data; "modules" and "sdk" are keyed by
# package names, which the masking rule could take for secrets ("keyring").
_UNMASKED_KEYS = frozenset({"modules", "sdk"})


def parse_dsn(text: str) -> str:
    """``SENTRY_DSN``: a DSN sentry-sdk's own parser accepts; ParseError otherwise
    (also when sentry-sdk 2.x is not installed, since nothing would be sent)."""
    installed = importlib.util.find_spec("sentry_sdk") is not None
    version = importlib.import_module("sentry_sdk.consts").VERSION if installed else None
    if version is None or not version.startswith("2."):
        found = "is not installed" if version is None else f"{version} is installed"
        raise ParseError(f"{DSN_EXPECTED}, with sentry-sdk 2.x ({found}: {INSTALL_HINT})")
    from sentry_sdk.utils import Dsn

    dsn = text.strip()
    try:
        Dsn(dsn)
    except ValueError as exc:  # BadDsn, or urllib's complaint about a port
        raise ParseError(f"{DSN_EXPECTED} ({mask_text(str(exc), url_secrets(dsn))})") from None
    return dsn


def sentry_release(base_dir: str | os.PathLike[str]) -> str | None:
    """The release named by ``version.json`` in ``base_dir``: its version, else its
    commit, else None. Raises ValueError for a bad file (see ``get_version``)."""
    version = get_version(base_dir) or {}
    release = version.get("version") or version.get("commit")
    return str(release) if release else None


def init_sentry(
    *, dsn: str, environment: str, release: str | None, traces_sample_rate: float
) -> None:
    """Initialise sentry-sdk for this process; does nothing (imports nothing) without
    a ``dsn``. ``release`` None lets sentry-sdk choose (``SENTRY_RELEASE``...)."""
    if not dsn:
        return
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration

    integrations: list[Any] = [DjangoIntegration()]
    # sentry-sdk would enable it by itself whenever celery is importable; named
    # here so that it does not depend on that default.
    if importlib.util.find_spec("celery") is not None:
        from sentry_sdk.integrations.celery import CeleryIntegration

        integrations.append(CeleryIntegration())

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release,
        integrations=integrations,
        # send_default_pii is left unset: its default is off, and sentry-sdk >= 2.45 warns
        # (DeprecationWarning) whenever it is passed at all.
        traces_sampler=_sampler(traces_sample_rate),
        before_send=_prepare_event,
        before_send_transaction=_prepare_event,
    )


def start(values: Mapping[str, Any]) -> list[Problem]:
    """Initialise Sentry from the resolved SENTRY_* rows (after the settings resolved
    without a problem); the problem when ``version.json`` cannot give the release."""
    if not values.get("SENTRY_DSN"):
        return []
    try:
        release = sentry_release(values["BASE_DIR"])
    except ValueError as exc:
        return [Problem("SENTRY_DSN", f"a readable version.json for Sentry's release ({exc})")]
    init_sentry(
        dsn=values["SENTRY_DSN"],
        environment=values["SENTRY_ENVIRONMENT"],
        release=release,
        traces_sample_rate=values["SENTRY_TRACES_SAMPLE_RATE"],
    )
    return []


def _sampler(rate: float) -> Callable[[Mapping[str, Any]], float]:
    """``traces_sampler``: ``rate`` (or the parent's decision), never a probe."""

    def traces_sampler(context: Mapping[str, Any]) -> float:
        if _request_path(context) in PROBE_PATHS:
            return 0.0
        parent = context.get("parent_sampled")
        return rate if parent is None else float(parent)

    return traces_sampler


def _request_path(context: Mapping[str, Any]) -> str | None:
    """The path the application routes (Django's ``path_info``) of the request a
    transaction would trace, from the sampling context; None outside a request."""
    wsgi = context.get("wsgi_environ")  # the request's, not this process's environment
    if wsgi is not None:
        return wsgi.get("PATH_INFO")
    scope = context.get("asgi_scope")
    if scope is None:
        return None
    return scope.get("path", "").removeprefix(scope.get("root_path", ""))


def _prepare_event(event: dict[str, Any], hint: Any) -> dict[str, Any]:
    """Tag ``event`` with the current request id and mask every secret in it."""
    rid = request_id_context.get()
    if rid is not None:
        event["tags"] = {**(event.get("tags") or {}), "rid": rid}
    request = event.get("request")
    if isinstance(request, dict) and isinstance(request.get("query_string"), str):
        request["query_string"] = mask_query(request["query_string"])
    # The dynamic sampling context is Sentry's routing data (its "public_key" is
    # the DSN's key, not a secret of the application); it leaves the event before
    # sending, into the envelope header.
    trace = (event.get("contexts") or {}).get("trace") or {}
    sampling = trace.pop("dynamic_sampling_context", None)
    masked = mask_mapping({k: v for k, v in event.items() if k not in _UNMASKED_KEYS})
    masked.update((k, v) for k, v in event.items() if k in _UNMASKED_KEYS)
    if sampling is not None:
        masked["contexts"]["trace"]["dynamic_sampling_context"] = sampling
    return masked
