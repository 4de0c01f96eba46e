"""What the WSGI and ASGI entry points share: the importer installed, Django's factory called."""

from __future__ import annotations

import importlib
from typing import Any

import dockerflow_settings  # noqa: F401  (installs the loader fix first)


def installed_application(django_factory: str) -> Any:
    """Install django-configurations' importer, then call Django's factory
    (``"django.core.wsgi.get_wsgi_application"``)."""
    from configurations import importer

    importer.install()
    module, _, name = django_factory.rpartition(".")
    return getattr(importlib.import_module(module), name)()
