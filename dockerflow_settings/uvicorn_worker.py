"""gunicorn's uvicorn worker for a Dockerflow service (``pip install "dockerflow-settings[asgi]"``).

``DJANGO_SERVER_WORKER_CLASS=uvicorn`` with :mod:`dockerflow_settings.gunicorn` selects it,
or ``-k dockerflow_settings.uvicorn_worker.UvicornWorker``.
"""

from __future__ import annotations

from typing import Any

import uvicorn_worker


class UvicornWorker(uvicorn_worker.UvicornWorker):
    """uvicorn-worker's ``UvicornWorker`` without uvicorn's access log (the middleware's
    ``request.summary`` replaces it) and without the ASGI lifespan probe, which Django does
    not implement (uvicorn would log that it "appears unsupported")."""

    CONFIG_KWARGS: dict[str, Any] = {
        **uvicorn_worker.UvicornWorker.CONFIG_KWARGS,
        "access_log": False,
        "lifespan": "off",
    }
