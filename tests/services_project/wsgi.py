"""WSGI entry point: ``gunicorn tests.services_project.wsgi`` (run from the repository root)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.services_project.settings")

application = get_wsgi_application()
