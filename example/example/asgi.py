"""ASGI entry point (configuration ``Prod`` by default, as in wsgi.py).

Served by gunicorn with uvicorn workers::

    DJANGO_SERVER_WORKER_CLASS=uvicorn \
        python -m dockerflow_settings.gunicorn example.asgi:application

or by uvicorn alone (see docs/deployment.rst for each option)::

    uvicorn --host 0.0.0.0 --port "${PORT:-8000}" --no-access-log --lifespan off \\
        --log-config "$(python -m dockerflow_settings.uvicorn)" example.asgi:application
"""

from __future__ import annotations

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "example.settings")
os.environ.setdefault("DJANGO_CONFIGURATION", "Prod")

from dockerflow_settings.asgi import application

__all__ = ["application"]
