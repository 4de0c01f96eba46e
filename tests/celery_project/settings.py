"""Settings of the Celery worker the Celery tests start (a plain settings.py, as users have).

The worker logs mozlog JSON on stdout through the same LOGGING shape the settings
package generates: one console handler with the request-id filter.
"""

SECRET_KEY = "celery-tests-only-" + "x" * 40
DEBUG = False
USE_TZ = True
INSTALLED_APPS = ["dockerflow.django"]
DATABASES: dict = {}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "dockerflow.logging.JsonLogFormatter", "logger_name": "celery-tests"},
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
