"""The LOGGING of test projects whose processes the tests read: mozlog JSON on stdout.

The same shape the settings package generates: one console handler with the
request-id filter, on the root logger.
"""

from __future__ import annotations

from typing import Any


def stdout_json_logging(logger_name: str) -> dict[str, Any]:
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {"()": "dockerflow.logging.JsonLogFormatter", "logger_name": logger_name},
        },
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
