"""A plain settings.py whose Sentry is started by ``configure()`` from the table, for
subprocesses.

``SENTRY_DSN`` (required: the tests' loopback receiver), ``SENTRY_ENVIRONMENT``,
``SENTRY_TRACES_SAMPLE_RATE`` are the table's; ``DFS_SENTRY_BASE_DIR`` holds
``version.json``; ``DFS_CELERY_BROKER_URL`` and ``DFS_CELERY_QUEUE`` for the Celery test.
"""

import os

import dockerflow_settings
from tests.stdout_logging import stdout_json_logging

BASE_DIR = os.environ["DFS_SENTRY_BASE_DIR"]
SECRET_KEY = "sentry-tests-only-" + "x" * 40
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
SECURE_SSL_REDIRECT = False  # plain HTTP on loopback
ROOT_URLCONF = "tests.sentry.project.urls"
INSTALLED_APPS: list = []
DATABASES: dict = {}
DOCKERFLOW_CHECKS: list = []  # no database here: the heartbeat has nothing to check
LOGGING = stdout_json_logging("sentry-tests")

dockerflow_settings.configure(globals())
