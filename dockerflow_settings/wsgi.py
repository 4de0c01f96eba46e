"""Drop-in for ``configurations.wsgi``: ``gunicorn dockerflow_settings.wsgi:application``.

``application`` is created on first access (as ``configurations.wsgi`` does at import).
"""

from __future__ import annotations

from typing import Any

import dockerflow_settings  # noqa: F401  (installs the loader fix first)


def get_wsgi_application() -> Any:
    """Install django-configurations' importer and return Django's WSGI application."""
    from configurations import importer

    importer.install()
    from django.core.wsgi import get_wsgi_application as django_wsgi

    return django_wsgi()


def __getattr__(name: str) -> Any:
    if name == "application":
        from configurations.wsgi import application

        globals()["application"] = application
        return application
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
