"""A Django ASGI project whose middleware chain is async all the way down.

The example (like every project on ``DockerflowConfiguration``) has WhiteNoise's
middleware, which is sync-only: Django then runs the whole chain, DockerflowMiddleware
included, in a thread per request, and the middleware's async path is never used. Here
the chain is DockerflowMiddleware, SecurityMiddleware and CommonMiddleware only, all
async-capable, so a real uvicorn drives the async path. Same URLs and log lines as the
example (its ``greetings`` views): ``/`` (sync) and ``/greeting?wait=SECONDS`` (async).
``EXAMPLE_HANGING_CHECK=1`` adds the example's hanging check, and
``DJANGO_DOCKERFLOW_HEARTBEAT_TIMEOUT`` sets the heartbeat timeout.
"""

from __future__ import annotations

import os
from pathlib import Path

import django
from django.conf import settings
from django.core.asgi import get_asgi_application
from django.urls import path

from dockerflow_settings.django_logging import build_logging
from dockerflow_settings.table import Context

os.environ.pop("DJANGO_SETTINGS_MODULE", None)  # configured here, not by a module
settings.configure(
    DEBUG=False,
    SECRET_KEY=os.environ["DJANGO_SECRET_KEY"],
    ALLOWED_HOSTS=os.environ["DJANGO_ALLOWED_HOSTS"].split(","),
    ROOT_URLCONF=__name__,
    INSTALLED_APPS=["dockerflow.django", "django.contrib.staticfiles", "greetings"],
    TEMPLATES=[{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True}],
    STATIC_URL="static/",
    GREETING="Hello from a Dockerflow service",
    MIDDLEWARE=[
        "dockerflow.django.middleware.DockerflowMiddleware",
        "django.middleware.security.SecurityMiddleware",
        "django.middleware.common.CommonMiddleware",
    ],
    DATABASES={},
    SECURE_SSL_REDIRECT=True,
    SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
    BASE_DIR=os.environ["DJANGO_BASE_DIR"],
    DOCKERFLOW_CHECKS=(
        ["greetings.checks.check_hangs"] if os.environ.get("EXAMPLE_HANGING_CHECK") == "1" else []
    ),
    DOCKERFLOW_HEARTBEAT_TIMEOUT=float(os.environ.get("DJANGO_DOCKERFLOW_HEARTBEAT_TIMEOUT", 5)),
    # What DockerflowConfiguration sets: mozlog on stdout, request ids on every record.
    LOGGING=build_logging(
        Context(debug=False, base_dir=Path(), project="asgi-app", testing=False, values={})
    ),
)
django.setup()

from greetings import views  # noqa: E402 -- needs the settings above

urlpatterns = [path("", views.index), path("greeting", views.greeting)]


application = get_asgi_application()
