"""Drop-in for ``configurations.asgi``: ``uvicorn dockerflow_settings.asgi:application``.

``application`` is created on first access (``configurations.asgi`` creates it at import),
with the Dockerflow probes answered before Django's handler
(:func:`dockerflow.django.asgi.probes_first`: a waiting probe costs no thread).
"""

from __future__ import annotations

import functools
from typing import Any

from dockerflow_settings._entry import installed_application


def get_asgi_application() -> Any:
    """Install django-configurations' importer; Django's ASGI application, probes first."""
    from dockerflow.django.asgi import probes_first

    return probes_first(installed_application("django.core.asgi.get_asgi_application"))


@functools.cache
def _application() -> Any:
    import configurations.asgi

    from dockerflow.django.asgi import probes_first

    return probes_first(configurations.asgi.application)


def __getattr__(name: str) -> Any:
    if name == "application":
        return _application()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
