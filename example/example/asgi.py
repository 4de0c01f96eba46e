"""ASGI entry point (configuration ``Prod`` by default, as in wsgi.py)."""

from __future__ import annotations

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "example.settings")
os.environ.setdefault("DJANGO_CONFIGURATION", "Prod")

from dockerflow_settings.asgi import application

__all__ = ["application"]
