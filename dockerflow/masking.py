"""Hiding secrets in everything the package shows: reports, errors, check messages, logs.

One module so that every surface masks the same way. The rule for URLs is "never
guess": when a URL's user-info cannot be told apart from its host or path (a raw
``/`` or ``@`` in a password), everything from ``//`` to the last ``@`` is masked.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

MASK = "********"

#: A query option or settings key whose name contains one of these holds a secret.
SECRET_NAME_PARTS = ("password", "passwd", "secret", "token", "key")

# A URL inside free text: a scheme, "://", then everything up to whitespace or a quote.
_URL_IN_TEXT = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://[^\s'\"<>]*")
_QUERY_OPTION = re.compile(r"(?P<name>[^&=?#;]+)=(?P<value>[^&#;]*)")


def is_secret_name(name: object) -> bool:
    """Whether a key or query option called ``name`` holds a secret."""
    return isinstance(name, str) and any(part in name.lower() for part in SECRET_NAME_PARTS)


def mask(value: Any) -> Any:
    """``MASK`` for a secret that is set; an empty or missing secret is shown as it is."""
    if value is None or value == "":
        return value
    return MASK


def _mask_query(query: str) -> str:
    def replace(match: re.Match[str]) -> str:
        if is_secret_name(match["name"]) and match["value"]:
            return f"{match['name']}={MASK}"
        return match.group()

    return _QUERY_OPTION.sub(replace, query)


def mask_url(url: str) -> str:
    """``url`` with its password and secret query options replaced by :data:`MASK`.

    ``scheme://user:password@host/path?password=x`` keeps the user name, host and
    path. When the user-info part is ambiguous -- an ``@`` after the first ``/``,
    ``?`` or ``#`` that follows ``//`` (a password with a raw ``/``, say) -- all of
    ``//...@`` up to the last ``@`` is masked, user name included.
    """
    scheme_end = url.find("://")
    start = 0 if scheme_end == -1 else scheme_end + 3
    last_at = url.rfind("@", start)
    if last_at != -1:
        authority_end = len(url)
        for stop in "/?#":
            index = url.find(stop, start)
            if index != -1:
                authority_end = min(authority_end, index)
        if last_at > authority_end or scheme_end == -1:
            # Ambiguous, or no scheme to anchor on: hide all of it, never guess.
            url = f"{url[:start]}{MASK}{url[last_at:]}"
        else:
            colon = url.find(":", start, last_at)
            if colon != -1:
                url = f"{url[: colon + 1]}{MASK}{url[last_at:]}"
    query_start = url.find("?")
    if query_start != -1:
        url = url[: query_start + 1] + _mask_query(url[query_start + 1 :])
    return url


def mask_text(text: str, secrets: Iterable[Any] = ()) -> str:
    """``text`` with every URL in it masked by :func:`mask_url` and each of ``secrets``
    (non-empty strings) replaced by :data:`MASK`.

    For messages that may quote a URL or a DSN: driver errors, check messages,
    exception texts.
    """
    for secret in secrets:
        if isinstance(secret, str) and secret:
            text = text.replace(secret, MASK)
    return _URL_IN_TEXT.sub(lambda match: mask_url(match.group()), text)


def mask_mapping(values: Any) -> Any:
    """A copy of a settings-like dict with every secret-named key's value masked,
    recursively (``PASSWORD``, ``OPTIONS['sslpassword']``...)."""
    if not isinstance(values, Mapping):
        return values
    return {
        key: mask(value) if is_secret_name(key) and isinstance(value, str) else mask_mapping(value)
        for key, value in values.items()
    }


def mask_databases(databases: Any) -> Any:
    """A copy of a ``DATABASES`` dict with every password and secret option masked."""
    if not isinstance(databases, Mapping):
        return databases
    return {alias: mask_mapping(config) for alias, config in databases.items()}
