"""What a project without the mixin writes to get the example's ``Prod`` settings.

Hand-written, the way a plain ``settings.py`` does it: literals, ``os.environ`` for
the secret, hosts and database URL, ``dj_database_url`` to parse the URL. Loaded
with ``import django; django.setup()`` and ``DJANGO_SETTINGS_MODULE=plain_prod_settings``;
``benchmarks/run.py`` checks that every setting equals the mixin's before timing.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

# Where the example project lives (this file sits in benchmarks/plain_settings/).
BASE_DIR = Path(__file__).resolve().parents[2] / "example"

DEBUG = False
USE_TZ = True  # Django 4.2's default is False
SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]
ALLOWED_HOSTS = [h.strip() for h in os.environ["DJANGO_ALLOWED_HOSTS"].split(",") if h.strip()]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "greetings",
    "dockerflow.django",
    "dockerflow_settings",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
]
MIDDLEWARE = [
    "dockerflow.django.middleware.DockerflowMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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
DATABASES = {
    "default": {
        **dj_database_url.parse(os.environ["DATABASE_URL"]),
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

SECURE_SSL_REDIRECT = True
SECURE_REDIRECT_EXEMPT = [r"^__heartbeat__/?$", r"^__lbheartbeat__/?$", r"^__version__/?$"]
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = False
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "dockerflow.logging.RequestIdLogFilter"}},
    "formatters": {
        "json": {"()": "dockerflow.logging.JsonLogFormatter", "logger_name": "example"},
        "text": {"()": "dockerflow_settings.django_logging.TextFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "json",
            "stream": "ext://sys.stdout",
        }
    },
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "dockerflow": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "request.summary": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "uvicorn": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "uvicorn.access": {"handlers": [], "propagate": False},
    },
}

GREETING = "Hello from a Dockerflow service"

DOCKERFLOW_DRAIN_SECONDS = 0.0
DOCKERFLOW_CHECKS = [
    "dockerflow.django.checks.check_database_connected",
    "dockerflow.django.checks.check_migrations_applied",
    "greetings.checks.check_greeting",
]
DOCKERFLOW_ERROR_ENDPOINT = False
DOCKERFLOW_HEARTBEAT_CACHE_SECONDS = 0.0
DOCKERFLOW_HEARTBEAT_DETAILS = None
DOCKERFLOW_HEARTBEAT_FAILED_STATUS_CODE = 500
DOCKERFLOW_HEARTBEAT_TIMEOUT = 5.0
DOCKERFLOW_REQUEST_ID_HEADER_NAME = "X-Request-ID"
DOCKERFLOW_REQUEST_ID_RESPONSE_HEADER = None
DOCKERFLOW_SUMMARY_LOG_QUERYSTRING = False
DOCKERFLOW_SUMMARY_LOG_PROBES = "failures"
DOCKERFLOW_SUMMARY_EXTRA_FIELDS = None
DOCKERFLOW_VERSION_CALLBACK = "dockerflow.version.get_version"
