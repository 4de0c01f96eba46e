"""WSGI entry point of the build index (the Base configuration runs in production)."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "buildindex.settings")
os.environ.setdefault("DJANGO_CONFIGURATION", "Base")

from configurations.wsgi import get_wsgi_application

application = get_wsgi_application()
