"""A plain settings.py that starts Sentry the way the front ends do, for subprocesses.

``SENTRY_DSN`` (required: the tests' loopback receiver), ``SENTRY_ENVIRONMENT``,
``SENTRY_TRACES_SAMPLE_RATE``; ``DFS_SENTRY_BASE_DIR`` holds ``version.json``;
``DFS_CELERY_BROKER_URL`` and ``DFS_CELERY_QUEUE`` for the Celery test.
"""

import os

from dockerflow_settings.sentry import init_sentry, parse_dsn, parse_sample_rate, sentry_release
from tests.stdout_logging import stdout_json_logging

BASE_DIR = os.environ["DFS_SENTRY_BASE_DIR"]
SECRET_KEY = "sentry-tests-only-" + "x" * 40
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
USE_TZ = True
ROOT_URLCONF = "tests.sentry.project.urls"
INSTALLED_APPS = ["dockerflow.django"]
MIDDLEWARE = ["dockerflow.django.middleware.DockerflowMiddleware"]
DATABASES: dict = {}
DOCKERFLOW_CHECKS: list = []  # no database here: the heartbeat has nothing to check
LOGGING = stdout_json_logging("sentry-tests")

init_sentry(
    dsn=parse_dsn(os.environ["SENTRY_DSN"]),
    environment=os.environ.get("SENTRY_ENVIRONMENT", "sentry-tests"),
    release=sentry_release(BASE_DIR),
    traces_sample_rate=parse_sample_rate(os.environ.get("SENTRY_TRACES_SAMPLE_RATE", "0")),
)
