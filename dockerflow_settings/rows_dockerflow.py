"""Rows of the table: the settings the ``dockerflow`` runtime reads.

Each takes its default and its rule from ``dockerflow.django.conf``
(:func:`~dockerflow_settings.setting.runtime_default`,
:func:`~dockerflow_settings.setting.runtime_rule`), so the variable and the Django
setting accept the same values. Part of :data:`dockerflow_settings.table.TABLE`.
"""

from __future__ import annotations

from dockerflow.django import conf
from dockerflow_settings import parsing
from dockerflow_settings.context import Context
from dockerflow_settings.setting import (
    Setting,
    runtime_default,
    runtime_rule,
    same_in_dev_and_prod,
)

REDIS_CHECK = "dockerflow.django.checks.check_redis_connected"


def _checks(ctx: Context) -> list[str]:
    caches = ctx.attributes.get("CACHES") or {}
    backend = str((caches.get("default") or {}).get("BACKEND", ""))
    redis = [REDIS_CHECK] if backend.startswith("django_redis.") else []
    return [*conf.DEFAULTS["DOCKERFLOW_CHECKS"], *redis]


ROWS: tuple[Setting, ...] = (
    Setting(
        name="DOCKERFLOW_CHECKS",
        env_var="DJANGO_DOCKERFLOW_CHECKS",
        type="dotted path list",
        parse=runtime_rule("DOCKERFLOW_CHECKS", parsing.parse_list),
        default=_checks,
        describe=same_in_dev_and_prod(
            "database connected, migrations applied (+ Redis with django-redis)"
        ),
        help="Checks /__heartbeat__ runs, comma-separated dotted paths. Only their syntax "
        "is checked here; the heartbeat imports them (error dockerflow.health.E014 for one "
        "that cannot be imported).",
        example="dockerflow.django.checks.check_database_connected",
    ),
    Setting(
        name="DOCKERFLOW_HEARTBEAT_TIMEOUT",
        env_var="DJANGO_DOCKERFLOW_HEARTBEAT_TIMEOUT",
        type="float",
        parse=runtime_rule("DOCKERFLOW_HEARTBEAT_TIMEOUT", parsing.parse_number),
        default=runtime_default("DOCKERFLOW_HEARTBEAT_TIMEOUT"),
        help=f"Seconds each heartbeat check may take: more than 0, at most "
        f"{conf.MAX_HEARTBEAT_TIMEOUT}.",
        example="2.5",
    ),
    Setting(
        name="DOCKERFLOW_HEARTBEAT_CACHE_SECONDS",
        env_var="DJANGO_DOCKERFLOW_HEARTBEAT_CACHE_SECONDS",
        type="float",
        parse=runtime_rule("DOCKERFLOW_HEARTBEAT_CACHE_SECONDS", parsing.parse_number),
        default=runtime_default("DOCKERFLOW_HEARTBEAT_CACHE_SECONDS"),
        help=f"Seconds a heartbeat result is reused (0: never), at most "
        f"{conf.MAX_HEARTBEAT_CACHE_SECONDS}.",
        example="1",
    ),
    Setting(
        name="DOCKERFLOW_HEARTBEAT_DETAILS",
        env_var="DJANGO_DOCKERFLOW_HEARTBEAT_DETAILS",
        type="bool",
        parse=runtime_rule(
            "DOCKERFLOW_HEARTBEAT_DETAILS", parsing.parse_bool, explain_bad_text_by="grammar"
        ),
        default=runtime_default("DOCKERFLOW_HEARTBEAT_DETAILS"),
        help="Include check details in /__heartbeat__ responses; unset: only with DEBUG.",
        example="false",
    ),
    Setting(
        name="DOCKERFLOW_HEARTBEAT_FAILED_STATUS_CODE",
        env_var="DJANGO_DOCKERFLOW_HEARTBEAT_FAILED_STATUS_CODE",
        type="int",
        parse=runtime_rule("DOCKERFLOW_HEARTBEAT_FAILED_STATUS_CODE", parsing.integer()),
        default=runtime_default("DOCKERFLOW_HEARTBEAT_FAILED_STATUS_CODE"),
        help="HTTP status of a failed heartbeat, 400 to 599.",
        example="503",
    ),
    Setting(
        name="DOCKERFLOW_HEARTBEAT_MAX_STUCK",
        env_var="DJANGO_DOCKERFLOW_HEARTBEAT_MAX_STUCK",
        type="int",
        parse=runtime_rule("DOCKERFLOW_HEARTBEAT_MAX_STUCK", parsing.integer()),
        default=runtime_default("DOCKERFLOW_HEARTBEAT_MAX_STUCK"),
        help="Runs of one check that may still be running (timed out) before it is not "
        f"started, 1 to {conf.MAX_HEARTBEAT_STUCK}.",
        example="2",
    ),
    Setting(
        name="DOCKERFLOW_SUMMARY_LOG_QUERYSTRING",
        env_var="DJANGO_DOCKERFLOW_SUMMARY_LOG_QUERYSTRING",
        type="bool",
        parse=runtime_rule(
            "DOCKERFLOW_SUMMARY_LOG_QUERYSTRING", parsing.parse_bool, explain_bad_text_by="grammar"
        ),
        default=runtime_default("DOCKERFLOW_SUMMARY_LOG_QUERYSTRING"),
        help="Log the query string in request.summary records.",
        example="true",
    ),
    Setting(
        name="DOCKERFLOW_ERROR_ENDPOINT",
        env_var="DJANGO_DOCKERFLOW_ERROR_ENDPOINT",
        type="bool",
        parse=runtime_rule(
            "DOCKERFLOW_ERROR_ENDPOINT", parsing.parse_bool, explain_bad_text_by="grammar"
        ),
        # Unlike the runtime's default (True, as python-dockerflow), off in production.
        default=lambda ctx: ctx.debug,
        help="Serve /__error__ (raises, to test error reporting).",
        example="false",
    ),
    Setting(
        name="DOCKERFLOW_REQUEST_ID_HEADER_NAME",
        env_var="DJANGO_DOCKERFLOW_REQUEST_ID_HEADER_NAME",
        type="HTTP header name",
        parse=runtime_rule("DOCKERFLOW_REQUEST_ID_HEADER_NAME", parsing.parse_str),
        default=runtime_default("DOCKERFLOW_REQUEST_ID_HEADER_NAME"),
        help="Request header carrying the request id: ASCII letters, digits and hyphens "
        "(proxies and servers drop headers with other characters).",
        example="X-Amzn-Trace-Id",
    ),
    Setting(
        name="DOCKERFLOW_REQUEST_ID_RESPONSE_HEADER",
        env_var="DJANGO_DOCKERFLOW_REQUEST_ID_RESPONSE_HEADER",
        type="HTTP header name or off",
        parse=runtime_rule("DOCKERFLOW_REQUEST_ID_RESPONSE_HEADER", parsing.parse_response_header),
        default=runtime_default("DOCKERFLOW_REQUEST_ID_RESPONSE_HEADER"),
        describe=same_in_dev_and_prod("the request-id header name"),
        help="Response header that carries the request id back: a header name (same rule "
        "as DJANGO_DOCKERFLOW_REQUEST_ID_HEADER_NAME), off/false/no/0 for none, "
        "on/true/yes/1 or unset for the request-id header name.",
        example="X-Trace-Id",
    ),
    Setting(
        name="DOCKERFLOW_DRAIN_SECONDS",
        env_var="DJANGO_DOCKERFLOW_DRAIN_SECONDS",
        type="float",
        parse=runtime_rule("DOCKERFLOW_DRAIN_SECONDS", parsing.parse_number),
        default=runtime_default("DOCKERFLOW_DRAIN_SECONDS"),
        help="Seconds /__lbheartbeat__ answers 503 after SIGTERM before the server shuts "
        f"down, so load balancers stop routing to it first (0: no drain), at most "
        f"{conf.MAX_DRAIN_SECONDS}.",
        example="15",
    ),
    Setting(
        name="DOCKERFLOW_VERSION_CALLBACK",
        env_var="DJANGO_DOCKERFLOW_VERSION_CALLBACK",
        type="dotted path",
        parse=runtime_rule("DOCKERFLOW_VERSION_CALLBACK", parsing.parse_str),
        default=runtime_default("DOCKERFLOW_VERSION_CALLBACK"),
        help="Function(BASE_DIR) returning the /__version__ data. Only its syntax is checked "
        "here; /__version__ imports it.",
        example="myapp.version.get_version",
    ),
)
