"""The ``LOGGING`` dictConfig the table's default builds: one stdout handler, mozlog or text."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from dockerflow.logging.encoding import clean
from dockerflow.logging.formatter import MozlogFormatter

if TYPE_CHECKING:
    from dockerflow_settings.table import Context

TEXT_LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
REQUEST_SUMMARY = "request.summary"
# uvicorn configures its loggers before it imports the application, which then takes them
# over: naming "uvicorn" resets its child "uvicorn.error" to propagate to it. Naming
# "uvicorn.error" would also empty the handler list that gunicorn's uvicorn worker shares
# between it and gunicorn's error log.
LOGGER_NAMES = (REQUEST_SUMMARY, "dockerflow", "django", "uvicorn")


class TextFormatter(logging.Formatter):
    """Development lines, ``TEXT_LOG_FORMAT``: a ``request.summary`` reads like an access
    log (``GET /path 200 12ms rid=...``), and a record without a message (such as
    ``task.summary``) shows its fields, masked as in JSON, instead of nothing."""

    def __init__(self) -> None:
        super().__init__(TEXT_LOG_FORMAT)

    def formatMessage(self, record: logging.LogRecord) -> str:
        excluded = MozlogFormatter.EXCLUDED_LOGRECORD_ATTRS
        fields = clean({k: v for k, v in record.__dict__.items() if k not in excluded})
        message = record.message
        if record.name == REQUEST_SUMMARY and "method" in fields:
            query = fields.get("querystring")
            target = f"{fields.get('path')}?{query}" if query else fields.get("path")
            access = f"{fields['method']} {target} {fields.get('code')} {fields.get('t')}ms"
            user = f" uid={fields['uid']}" if fields.get("uid") not in (None, "") else ""
            message = f"{access} rid={fields.get('rid')}{user} {message}"
        elif not message:
            message = " ".join(f"{key}={value}" for key, value in fields.items())
        return f"{record.asctime} {record.levelname} {record.name} {message}".rstrip()


def build_logging(ctx: Context) -> dict[str, Any]:
    """LOGGING from the options resolved before it (LOGGING_USE_JSON, ..._LEVEL, ..._NAME)."""
    use_json = ctx.values.get("LOGGING_USE_JSON", True)
    level = ctx.values.get("LOGGING_DEFAULT_LEVEL", "INFO")
    logger = {"handlers": ["console"], "level": level, "propagate": False}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {
                "()": "dockerflow.logging.JsonLogFormatter",
                "logger_name": ctx.values.get("LOGGING_LOGGER_NAME", ctx.project),
            },
            "text": {"()": "dockerflow_settings.django_logging.TextFormatter"},
        },
        "filters": {"request_id": {"()": "dockerflow.logging.RequestIdLogFilter"}},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
                "formatter": "json" if use_json else "text",
                "filters": ["request_id"],
            }
        },
        "loggers": {
            **{name: dict(logger) for name in LOGGER_NAMES},
            # request.summary is the access log.
            "uvicorn.access": {"handlers": [], "propagate": False},
        },
        "root": {"handlers": ["console"], "level": level},
    }
