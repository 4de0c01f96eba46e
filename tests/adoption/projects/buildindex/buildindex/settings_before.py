"""Settings of the build index before adopting dockerflow-settings.

Modelled on the shape of mozilla-releng/buildhub2's buildhub/settings.py: BASE_DIR
computed at module level, Core(Configuration, <plain mixins>), properties computed
from values (DATABASES from a private DatabaseURLValue, the search connections, its
own LOGGING), a WhiteNoiseMiddleware subclass listed after DockerflowMiddleware, and
the Base class itself as the production configuration.
"""

import json
import os

from configurations import Configuration, values

from dockerflow.version import get_version

BASE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Archive:
    """Where the build metadata comes from."""

    ARCHIVE_QUEUE_URL = values.URLValue("https://queue.example.com/123/buildindex-events")
    ARCHIVE_BUCKET_URL = values.URLValue("https://storage.example.com/buildindex")
    # Seconds a receive call waits for a message before returning.
    ARCHIVE_QUEUE_WAIT_TIME_SECONDS = values.IntegerValue(10)
    ARCHIVE_QUEUE_MAX_NUMBER_OF_MESSAGES = values.IntegerValue(1)


class CORS:
    CORS_URLS_REGEX = r"^/api/.*$"
    CORS_ORIGIN_ALLOW_ALL = True


class Core(Configuration, Archive, CORS):
    """Settings that never change per environment."""

    BASE_DIR = BASE_DIR

    STATIC_URL = "/"
    STATIC_ROOT = values.PathValue(os.path.join(BASE_DIR, "ui", "build"), check_exists=False)

    VERSION = get_version(BASE_DIR)

    INSTALLED_APPS = [
        "django.contrib.contenttypes",
        "dockerflow.django",
        "buildindex.api",
    ]

    MIDDLEWARE = [
        "django.middleware.security.SecurityMiddleware",
        "buildindex.middleware.StatsMiddleware",
        "django.middleware.common.CommonMiddleware",
        "django.middleware.clickjacking.XFrameOptionsMiddleware",
        "dockerflow.django.middleware.DockerflowMiddleware",
        "buildindex.whitenoise_extra.BuildIndexWhiteNoiseMiddleware",
    ]

    ROOT_URLCONF = "buildindex.urls"
    WSGI_APPLICATION = "buildindex.wsgi.application"

    LANGUAGE_CODE = "en-us"
    TIME_ZONE = "UTC"
    USE_I18N = False
    USE_TZ = True

    DOCKERFLOW_CHECKS = [
        "dockerflow.django.checks.check_database_connected",
        "dockerflow.django.checks.check_migrations_applied",
        "buildindex.dockerflow_extra.check_search",
    ]


class Search:
    SEARCH_INDEX = values.Value("buildindex")
    SEARCH_REFRESH_INTERVAL = values.Value("1s")

    @property
    def SEARCH_INDEX_SETTINGS(self):
        return {"refresh_interval": self.SEARCH_REFRESH_INTERVAL}

    SEARCH_URLS = values.ListValue(["http://localhost:9200"])

    @property
    def SEARCH_CONNECTIONS(self):
        return {"default": {"hosts": self.SEARCH_URLS}}


class Base(Core, Search):
    """Settings that may change per environment; as it is, production."""

    SECRET_KEY = values.SecretValue()
    DEBUG = values.BooleanValue(default=False)
    ALLOWED_HOSTS = values.ListValue([])

    _DATABASES = values.DatabaseURLValue("postgresql://localhost/buildindex")
    CONN_MAX_AGE = values.IntegerValue(60)

    @property
    def DATABASES(self):
        """A database URL cannot say CONN_MAX_AGE: add it to what the URL gave."""
        databases = self._DATABASES.value.copy()
        if self.CONN_MAX_AGE:
            databases["default"]["CONN_MAX_AGE"] = self.CONN_MAX_AGE
        return databases

    LOGGING_USE_JSON = values.BooleanValue(True)
    LOGGING_DEFAULT_LEVEL = values.Value("INFO")

    @property
    def LOGGING(self):
        return {
            "version": 1,
            "disable_existing_loggers": False,
            "formatters": {
                "json": {
                    "()": "dockerflow.logging.JsonLogFormatter",
                    "logger_name": "buildindex",
                },
                "verbose": {"format": "%(levelname)s %(asctime)s %(name)s %(message)s"},
            },
            "handlers": {
                "console": {
                    "level": self.LOGGING_DEFAULT_LEVEL,
                    "class": "logging.StreamHandler",
                    "formatter": "json" if self.LOGGING_USE_JSON else "verbose",
                },
                "null": {"class": "logging.NullHandler"},
            },
            "root": {"level": "INFO", "handlers": ["console"]},
            "loggers": {
                "django": {"level": "WARNING", "handlers": ["console"], "propagate": False},
                "django.request": {"level": "INFO", "handlers": ["console"], "propagate": False},
                "buildindex": {"level": "DEBUG", "handlers": ["console"], "propagate": False},
                "request.summary": {
                    "handlers": ["console"],
                    "level": "INFO",
                    "propagate": False,
                },
                "django.security.DisallowedHost": {"handlers": ["null"], "propagate": False},
            },
        }


class Localdev(Base):
    """Local development, and the base of Test."""

    DEBUG = values.BooleanValue(default=True)
    LOGGING_USE_JSON = values.BooleanValue(False)

    @property
    def VERSION(self):
        path = os.path.join(self.BASE_DIR, "version.json")
        if os.path.isfile(path):
            with open(path) as file:
                return json.load(file)
        return {"version": "localdev"}


class Test(Base):
    DEBUG = False
    SEARCH_INDEX = "test_buildindex"
    SECRET_KEY = values.Value("not-so-secret-after-all")
    ARCHIVE_QUEUE_URL = "https://queue.example.com/123/test-events"
    VERSION = {"version": "Testing"}
    STATIC_ROOT = "/tmp/test_buildindex"
