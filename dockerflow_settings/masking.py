"""Hiding secrets in reports and error messages."""

from __future__ import annotations

import re
from typing import Any

MASK = "********"

# scheme://user:password@host -> the password part (URL-quoted passwords contain no "@").
_URL_PASSWORD = re.compile(r"^(?P<head>[A-Za-z][A-Za-z0-9+.-]*://[^:/@]*:)(?P<password>[^@]*)@")


def mask(value: Any) -> Any:
    """``MASK`` for a secret that is set; an empty or missing secret is shown as it is."""
    if value is None or value == "":
        return value
    return MASK


def mask_url(url: str) -> str:
    """The URL with the password of its user-info part replaced by ``MASK``."""
    return _URL_PASSWORD.sub(lambda m: f"{m['head']}{MASK}@", url, count=1)


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
