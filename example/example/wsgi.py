"""WSGI entry point: ``gunicorn -c python:dockerflow_settings.gunicorn example.wsgi``.

The configuration defaults to ``Prod`` here (``Dev`` in manage.py): a server started
without ``DJANGO_CONFIGURATION`` must not run with ``DEBUG`` on.
"""

from __future__ import annotations

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "example.settings")
os.environ.setdefault("DJANGO_CONFIGURATION", "Prod")

from dockerflow_settings.wsgi import application

__all__ = ["application"]
