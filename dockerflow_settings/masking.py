"""Hiding secrets in reports and error messages."""

from __future__ import annotations

from typing import Any

MASK = "********"


def mask(value: Any) -> Any:
    """``MASK`` for a secret that is set; an empty or missing secret is shown as it is."""
    if value is None or value == "":
        return value
    return MASK


def mask_url(url: str) -> str:
    """The URL with the password of its user-info part replaced by ``MASK``.

    Built for the URLs users get wrong, since those are the ones printed in error
    messages: a missing ``//`` or a raw ``@`` inside the password still never shows
    the password. When unsure it masks too much (e.g. the host), never too little.
    """
    scheme_end = url.find("://")
    start = 0 if scheme_end == -1 else scheme_end + 3
    # In a well-formed URL the user info ends before the path; a malformed one may
    # have no recognisable path, so then take the last "@" anywhere.
    path_start = url.find("/", start) if scheme_end != -1 else -1
    at = url.rfind("@", start, len(url) if path_start == -1 else path_start)
    if at == -1:
        return url
    colon = url.find(":", start, at)
    if colon == -1:  # a user name without a password
        return url
    return f"{url[: colon + 1]}{MASK}{url[at:]}"


def mask_databases(databases: Any) -> Any:
    """A copy of a ``DATABASES`` dict with every non-empty ``PASSWORD`` masked."""
    if not isinstance(databases, dict):
        return databases
    return {
        alias: {**config, "PASSWORD": mask(config["PASSWORD"])}
        if isinstance(config, dict) and config.get("PASSWORD")
        else config
        for alias, config in databases.items()
    }
