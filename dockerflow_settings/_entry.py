"""What the WSGI and ASGI entry points share: installing the importer, a lazy ``application``."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import dockerflow_settings  # noqa: F401  (installs the loader fix first)


def installed_application(django_factory: str) -> Any:
    """Install django-configurations' importer, then call Django's factory
    (``"django.core.wsgi.get_wsgi_application"``)."""
    from configurations import importer

    importer.install()
    module, _, name = django_factory.rpartition(".")
    return getattr(importlib.import_module(module), name)()


def lazy_application(module_name: str, configurations_module: str) -> Callable[[str], Any]:
    """A module ``__getattr__`` creating ``application`` on first access, as
    ``configurations_module`` (``configurations.wsgi``) does at import."""

    def __getattr__(name: str) -> Any:
        if name == "application":
            return importlib.import_module(configurations_module).application
        raise AttributeError(f"module {module_name!r} has no attribute {name!r}")

    return __getattr__
