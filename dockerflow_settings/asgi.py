"""Drop-in for ``configurations.asgi``: ``uvicorn dockerflow_settings.asgi:application``.

``application`` is created on first access (``configurations.asgi`` creates it at import).
"""

from __future__ import annotations

from typing import Any

from dockerflow_settings._entry import installed_application, lazy_application


def get_asgi_application() -> Any:
    """Install django-configurations' importer and return Django's ASGI application."""
    return installed_application("django.core.asgi.get_asgi_application")


__getattr__ = lazy_application(__name__, "configurations.asgi")
