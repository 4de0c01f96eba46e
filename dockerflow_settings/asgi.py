"""Drop-in for ``configurations.asgi``: ``uvicorn dockerflow_settings.asgi:application``.

``application`` is created on first access (as ``configurations.asgi`` does at import).
"""

from __future__ import annotations

from typing import Any

import dockerflow_settings  # noqa: F401  (installs the loader fix first)


def get_asgi_application() -> Any:
    """Install django-configurations' importer and return Django's ASGI application."""
    from configurations import importer

    importer.install()
    from django.core.asgi import get_asgi_application as django_asgi

    return django_asgi()


def __getattr__(name: str) -> Any:
    if name == "application":
        from configurations.asgi import application

        globals()["application"] = application
        return application
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
