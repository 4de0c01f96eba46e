"""Hiding secrets in reports and error messages: the runtime's one masking module."""

from __future__ import annotations

from dockerflow.masking import (
    MASK,
    has_ambiguous_userinfo,
    is_secret_name,
    mask,
    mask_databases,
    mask_mapping,
    mask_query,
    mask_text,
    mask_url,
    url_secrets,
)

__all__ = [
    "MASK",
    "has_ambiguous_userinfo",
    "is_secret_name",
    "mask",
    "mask_databases",
    "mask_mapping",
    "mask_query",
    "mask_text",
    "mask_url",
    "url_secrets",
]
