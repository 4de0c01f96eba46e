"""Rows of the table: HTTPS, HSTS, cookie and header security settings.

Part of :data:`dockerflow_settings.table.TABLE`, in resolution order.
"""

from __future__ import annotations

from dockerflow_settings import parsing
from dockerflow_settings.merging import merge_redirect_exempt
from dockerflow_settings.setting import Setting, by_debug, constant, not_debug, same_in_dev_and_prod

HSTS_SECONDS = 31_536_000

ROWS: tuple[Setting, ...] = (
    Setting(
        name="SECURE_REDIRECT_EXEMPT",
        env_var="DJANGO_SECURE_REDIRECT_EXEMPT",
        type="list of str",
        parse=parsing.parse_regex_list,
        default=constant(None),
        merge=merge_redirect_exempt,
        describe=same_in_dev_and_prod("the three health paths"),
        help="Path regexes never redirected to HTTPS; the health paths are always added.",
        example=r"^healthz/?$",
    ),
    Setting(
        name="SECURE_SSL_REDIRECT",
        env_var="DJANGO_SECURE_SSL_REDIRECT",
        type="bool",
        parse=parsing.parse_bool,
        default=not_debug,
        help="Redirect HTTP to HTTPS (turn off where TLS ends elsewhere without "
        "DJANGO_SECURE_PROXY_SSL_HEADER).",
        example="off",
    ),
    Setting(
        name="SECURE_PROXY_SSL_HEADER",
        env_var="DJANGO_SECURE_PROXY_SSL_HEADER",
        type="str",
        parse=parsing.parse_proxy_ssl_header,
        default=constant(None),
        help="Header a trusted proxy sets for HTTPS requests: 'HEADER,value'.",
        example="HTTP_X_FORWARDED_PROTO,https",
    ),
    Setting(
        name="SECURE_HSTS_SECONDS",
        env_var="DJANGO_SECURE_HSTS_SECONDS",
        type="int",
        parse=parsing.integer(0),
        default=by_debug(0, HSTS_SECONDS),
        help="Strict-Transport-Security max-age (Prod: one year).",
        example="63072000",
    ),
    Setting(
        name="SECURE_HSTS_INCLUDE_SUBDOMAINS",
        env_var="DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS",
        type="bool",
        parse=parsing.parse_bool,
        default=not_debug,
        help="HSTS includeSubDomains.",
        example="false",
    ),
    Setting(
        name="SECURE_HSTS_PRELOAD",
        env_var="DJANGO_SECURE_HSTS_PRELOAD",
        type="bool",
        parse=parsing.parse_bool,
        default=not_debug,
        help="HSTS preload.",
        example="false",
    ),
    Setting(
        name="SESSION_COOKIE_SECURE",
        env_var="DJANGO_SESSION_COOKIE_SECURE",
        type="bool",
        parse=parsing.parse_bool,
        default=not_debug,
        help="Send the session cookie over HTTPS only.",
        example="true",
    ),
    Setting(
        name="CSRF_COOKIE_SECURE",
        env_var="DJANGO_CSRF_COOKIE_SECURE",
        type="bool",
        parse=parsing.parse_bool,
        default=not_debug,
        help="Send the CSRF cookie over HTTPS only.",
        example="true",
    ),
    Setting(
        name="CSRF_TRUSTED_ORIGINS",
        env_var="DJANGO_CSRF_TRUSTED_ORIGINS",
        type="list of str",
        parse=parsing.parse_origin_list,
        default=constant([]),
        help="Origins trusted for unsafe requests, comma-separated, with scheme.",
        example="https://example.com",
    ),
    Setting(
        name="SECURE_CONTENT_TYPE_NOSNIFF",
        env_var="DJANGO_SECURE_CONTENT_TYPE_NOSNIFF",
        type="bool",
        parse=parsing.parse_bool,
        default=constant(True),
        help="X-Content-Type-Options: nosniff.",
        example="true",
    ),
    Setting(
        name="X_FRAME_OPTIONS",
        env_var="DJANGO_X_FRAME_OPTIONS",
        type="str",
        parse=parsing.choice("DENY", "SAMEORIGIN"),
        default=constant("DENY"),
        help="X-Frame-Options header value.",
        example="SAMEORIGIN",
    ),
)
