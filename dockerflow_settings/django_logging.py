"""The ``LOGGING`` dictConfig the table's default builds: one stdout handler, mozlog or text."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dockerflow_settings.table import Context

TEXT_LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
# uvicorn configures its loggers before it imports the application, which then takes them
# over: naming "uvicorn" resets its child "uvicorn.error" to propagate to it. Naming
# "uvicorn.error" would also empty the handler list that gunicorn's uvicorn worker shares
# between it and gunicorn's error log.
LOGGER_NAMES = ("request.summary", "dockerflow", "django", "uvicorn")


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
            "text": {"format": TEXT_LOG_FORMAT},
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
