"""The runtime tests' settings, with mozlog lines on stdout and views that log."""

from tests.settings import *  # noqa: F403

ROOT_URLCONF = "tests.otel_project.urls"
DOCKERFLOW_CHECKS = ["tests.otel_project.views.check_that_logs"]
DOCKERFLOW_HEARTBEAT_DETAILS = True
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "dockerflow.logging.JsonLogFormatter", "logger_name": "otel"}},
    "filters": {"request_id": {"()": "dockerflow.logging.RequestIdLogFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "json",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": "INFO"},
}
