"""Settings of the Celery worker the Celery tests start (a plain settings.py, as users have)."""

from tests.stdout_logging import stdout_json_logging

SECRET_KEY = "celery-tests-only-" + "x" * 40
DEBUG = False
USE_TZ = True
INSTALLED_APPS = ["dockerflow.django"]
DATABASES: dict = {}
LOGGING = stdout_json_logging("celery-tests")
