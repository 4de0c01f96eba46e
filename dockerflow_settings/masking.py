"""Hiding secrets in reports and error messages: the runtime's one masking module."""

from __future__ import annotations

from dockerflow.masking import MASK, mask, mask_databases, mask_text, mask_url

__all__ = ["MASK", "mask", "mask_databases", "mask_text", "mask_url"]
