"""Plain Django settings for the runtime (``dockerflow``) tests.

These mirror what a python-dockerflow user already has in a hand-written
settings.py, so the runtime is tested the way existing projects use it.
"""

from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent / "project_root"
SECRET_KEY = "tests-only-not-a-secret-" + "x" * 40
DEBUG = False
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
USE_TZ = True
ROOT_URLCONF = "tests.urls"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "dockerflow.django",
]

MIDDLEWARE = [
    "dockerflow.django.middleware.DockerflowMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]

DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "dockerflow.logging.JsonLogFormatter", "logger_name": "tests"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "json"},
    },
    "loggers": {
        "request.summary": {"handlers": ["console"], "level": "DEBUG"},
        "dockerflow": {"handlers": ["console"], "level": "DEBUG"},
    },
}
