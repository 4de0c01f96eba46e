"""The runtime tests' settings, with mozlog lines on stdout and views that log."""

from tests.settings import *  # noqa: F403
from tests.stdout_logging import stdout_json_logging

ROOT_URLCONF = "tests.otel_project.urls"
DOCKERFLOW_CHECKS = ["tests.otel_project.views.check_that_logs"]
DOCKERFLOW_HEARTBEAT_DETAILS = True
LOGGING = stdout_json_logging("otel")
