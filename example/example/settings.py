"""Settings of the example service: one base, three configurations.

Choose one with ``DJANGO_CONFIGURATION``:

``Dev``
    ``DEBUG`` on; the default of ``manage.py``.
``Prod``
    ``DEBUG`` off: ``DJANGO_SECRET_KEY`` and ``DJANGO_ALLOWED_HOSTS`` come from the
    environment, production security settings apply. The default of wsgi.py/asgi.py.
``Build``
    For ``collectstatic`` while building an image: ``DEBUG`` off (so the manifest
    storage hashes and compresses), no database and no secret needed.

Everything Dockerflow needs (apps, middleware, logging, checks, static files,
database from ``DATABASE_URL``...) comes from ``DockerflowConfiguration``.
"""

from __future__ import annotations

import os

from configurations import Configuration, values

from dockerflow.django import conf as dockerflow_conf
from dockerflow_settings import DockerflowConfiguration

# EXAMPLE_HANGING_CHECK=1 adds a check that hangs, for tests of the heartbeat's timeout
# (lower case: Django takes every upper-case name here for a setting).
hanging_checks = (
    ["greetings.checks.check_hangs"] if os.environ.get("EXAMPLE_HANGING_CHECK") == "1" else []
)


class Base(DockerflowConfiguration, Configuration):
    INSTALLED_APPS = [
        "django.contrib.auth",
        "django.contrib.contenttypes",
        "greetings",
    ]
    MIDDLEWARE = [
        "django.middleware.common.CommonMiddleware",
    ]
    ROOT_URLCONF = "example.urls"
    WSGI_APPLICATION = "example.wsgi.application"
    TEMPLATES = [
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "DIRS": [],
            "APP_DIRS": True,
            "OPTIONS": {},
        }
    ]
    STATIC_URL = "static/"
    DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

    #: The page's text (DJANGO_GREETING); greetings.checks.check_greeting checks it.
    GREETING = values.Value("Hello from a Dockerflow service")

    # The default checks (database connected, migrations applied) and the app's own.
    DOCKERFLOW_CHECKS = [
        *dockerflow_conf.DEFAULTS["DOCKERFLOW_CHECKS"],
        "greetings.checks.check_greeting",
        *hanging_checks,
    ]


class Dev(Base):
    DEBUG = True


class Prod(Base):
    DEBUG = False


class Build(Base):
    DEBUG = False
    # Never used to sign anything: the build only collects static files.
    SECRET_KEY = "build-time-placeholder-not-secret"
    DATABASES = {"default": {"ENGINE": "django.db.backends.dummy"}}
