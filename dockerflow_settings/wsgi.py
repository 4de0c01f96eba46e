"""Drop-in for ``configurations.wsgi``: ``gunicorn dockerflow_settings.wsgi:application``.

``application`` is created on first access (``configurations.wsgi`` creates it at import).
"""

from __future__ import annotations

import importlib
from typing import Any

from dockerflow_settings._entry import installed_application


def get_wsgi_application() -> Any:
    """Install django-configurations' importer and return Django's WSGI application."""
    return installed_application("django.core.wsgi.get_wsgi_application")


def __getattr__(name: str) -> Any:
    if name == "application":
        return importlib.import_module("configurations.wsgi").application
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
