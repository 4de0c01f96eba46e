"""A plain settings.py serving the views of the log secrets corpus, logging mozlog to stdout."""

import os

from tests.stdout_logging import stdout_json_logging

SECRET_KEY = "security-log-tests-only-" + "x" * 40
DEBUG = False
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
USE_TZ = True
ROOT_URLCONF = "tests.security.log_project.urls"
INSTALLED_APPS = ["dockerflow.django"]
MIDDLEWARE = ["dockerflow.django.middleware.DockerflowMiddleware"]
DATABASES: dict = {}
DOCKERFLOW_CHECKS: list = []
DOCKERFLOW_SUMMARY_LOG_QUERYSTRING = os.environ.get("LOG_QUERYSTRING") == "1"
LOGGING = stdout_json_logging("security")
