"""Settings of the symbol server after adopting dockerflow-settings.

settings_before.py with DockerflowConfiguration first in Core's bases and what it
provides deleted: the dockerflow app and middleware, WhiteNoise's middleware, and
DEBUG, SECRET_KEY and ALLOWED_HOSTS (read from the same variables). The project
keeps its own LOGGING method.
"""

import datetime
import os

from configurations import Configuration, values

from dockerflow.version import get_version
from dockerflow_settings import DockerflowConfiguration


class AWS:
    AWS_CONFIG = {}


class Celery:
    CELERY_RESULT_BACKEND = "django-cache"
    CELERY_RESULT_EXPIRES = datetime.timedelta(minutes=60)
    CELERY_TASK_TRACK_STARTED = True
    CELERY_TASK_SOFT_TIME_LIMIT = 60 * 5
    CELERY_TASK_TIME_LIMIT = CELERY_TASK_SOFT_TIME_LIMIT * 2


class S3:
    S3_LOOKUP_CONNECT_TIMEOUT = values.IntegerValue(2)
    S3_LOOKUP_READ_TIMEOUT = values.IntegerValue(4)
    S3_PUT_CONNECT_TIMEOUT = values.IntegerValue(10)
    S3_PUT_READ_TIMEOUT = values.IntegerValue(30)


class Core(DockerflowConfiguration, AWS, Configuration, Celery, S3):
    """Settings that never change per environment."""

    THIS_DIR = os.path.dirname(os.path.abspath(__file__))
    BASE_DIR = os.path.dirname(THIS_DIR)

    VERSION = get_version(BASE_DIR)

    SITE_ID = 1

    INSTALLED_APPS = [
        "django.contrib.sites",
        "django.contrib.auth",
        "django.contrib.contenttypes",
        "django.contrib.sessions",
        "symbolserver.apps.SymbolServerAppConfig",
    ]

    MIDDLEWARE = (
        "django.middleware.security.SecurityMiddleware",
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.common.CommonMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "symbolserver.middleware.APITokenAuthenticationMiddleware",
    )

    ROOT_URLCONF = "symbolserver.urls"
    WSGI_APPLICATION = "symbolserver.wsgi.application"
    DEFAULT_AUTO_FIELD = "django.db.models.AutoField"

    AUTHENTICATION_BACKENDS = ("django.contrib.auth.backends.ModelBackend",)

    LANGUAGE_CODE = "en-us"
    TIME_ZONE = "UTC"
    USE_I18N = False
    USE_TZ = True
    DATETIME_FORMAT = "Y-m-d H:i"

    STATIC_ROOT = values.Value(default=os.path.join(BASE_DIR, "frontend/build"))
    STATIC_URL = "/"
    WHITENOISE_MAX_AGE = values.IntegerValue(60 * 60)

    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
    SESSION_CACHE_ALIAS = "default"

    # Done by the web server in front of the service.
    SILENCED_SYSTEM_CHECKS = [
        "security.W002",
        "security.W003",
        "security.W004",
        "security.W005",
    ]

    ENABLE_TOKENS_AUTHENTICATION = values.BooleanValue(True)
    TOKENS_DEFAULT_EXPIRATION_DAYS = values.IntegerValue(365)
    SYNCHRONOUS_UPLOAD_FILE_UPLOAD = False


class Base(Core):
    """Settings that may change per environment, some with defaults."""

    DEBUG_PROPAGATE_EXCEPTIONS = values.BooleanValue(default=False)

    DATABASES = values.DatabaseURLValue("postgres://postgres@db/postgres")
    CONN_MAX_AGE = values.IntegerValue(60)

    REDIS_URL = values.Value("redis://redis-cache:6379/0")
    REDIS_STORE_URL = values.Value("redis://redis-store:6379/0")

    @property
    def CELERY_BROKER_URL(self):
        return self.REDIS_URL

    @property
    def CACHES(self):
        return {
            "default": {
                "BACKEND": "django_redis.cache.RedisCache",
                "LOCATION": self.REDIS_URL,
                "OPTIONS": {"COMPRESSOR": "django_redis.compressors.zlib.ZlibCompressor"},
            },
            "store": {
                "BACKEND": "django_redis.cache.RedisCache",
                "LOCATION": self.REDIS_STORE_URL,
                "OPTIONS": {"COMPRESSOR": "django_redis.compressors.zlib.ZlibCompressor"},
            },
        }

    LOGGING_USE_JSON = values.BooleanValue(False)
    LOGGING_DEFAULT_LEVEL = values.Value("INFO")

    def LOGGING(self):
        return {
            "version": 1,
            "disable_existing_loggers": False,
            "formatters": {
                "json": {
                    "()": "dockerflow.logging.JsonLogFormatter",
                    "logger_name": "symbolserver",
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
                "django.db.backends": {
                    "level": "ERROR",
                    "handlers": ["console"],
                    "propagate": False,
                },
                "django.request": {"level": "ERROR", "handlers": ["console"], "propagate": False},
                "symbolserver": {"level": "DEBUG", "handlers": ["console"], "propagate": False},
                "celery.task": {"level": "DEBUG", "handlers": ["console"], "propagate": False},
                "request.summary": {
                    "handlers": ["console"],
                    "level": "DEBUG",
                    "propagate": False,
                },
                "django.security.DisallowedHost": {"handlers": ["null"], "propagate": False},
            },
        }

    CSRF_FAILURE_VIEW = "symbolserver.views.csrf_failure"
    CSRF_USE_SESSIONS = values.BooleanValue(True)

    # Tried in order: the most used first.
    SYMBOL_URLS = values.ListValue([])
    UPLOAD_DEFAULT_URL = values.Value()
    UPLOAD_URL_EXCEPTIONS = values.DictValue({})
    COMPRESS_EXTENSIONS = values.ListValue(["sym"])
    MIME_OVERRIDES = values.DictValue({"sym": "text/plain"})

    DOCKERFLOW_CHECKS = [
        "dockerflow.django.checks.check_database_connected",
        "dockerflow.django.checks.check_migrations_applied",
        "dockerflow.django.checks.check_redis_connected",
        "symbolserver.dockerflow_extra.check_storage_urls",
    ]

    API_UPLOADS_BATCH_SIZE = 20
    API_FILES_BATCH_SIZE = 40


class Localdev(Base):
    """Local development, and the base of Test."""

    DEBUG = values.BooleanValue(default=True)
    DEBUG_PROPAGATE_EXCEPTIONS = values.BooleanValue(default=True)

    SYMBOL_URLS = values.ListValue(["http://minio:9000/testbucket"])
    UPLOAD_DEFAULT_URL = values.Value("http://minio:9000/testbucket")

    @property
    def VERSION(self):
        return {"version": "localdev"}

    # Smaller pages make pagination easy to try.
    API_UPLOADS_BATCH_SIZE = 10
    API_FILES_BATCH_SIZE = 20


class Test(Localdev):
    DEBUG = False
    SYNCHRONOUS_UPLOAD_FILE_UPLOAD = True
    SECRET_KEY = values.Value("not-so-secret-after-all")
    PASSWORD_HASHERS = ("django.contrib.auth.hashers.MD5PasswordHasher",)
    SYMBOL_URLS = [
        "https://s3.example.com/public/prefix/?access=public",
        "https://s3.example.com/private/prefix/",
    ]
    UPLOAD_URL_EXCEPTIONS = {"*@example.com": "https://s3.example.com/example-com"}

    @property
    def CACHES(self):
        parent = super().CACHES
        parent["default"] = {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "unique-snowflake",
        }
        return parent


class Dev(Base):
    """The deployed dev environment; Stage and Prod are the same."""

    LOGGING_USE_JSON = True

    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = int(datetime.timedelta(days=365).total_seconds())
    SECURE_HSTS_PRELOAD = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_CONTENT_TYPE_NOSNIFF = True
    X_FRAME_OPTIONS = "DENY"

    @property
    def DATABASES(self):
        """Encrypted connections to PostgreSQL only."""
        databases = super().DATABASES.value.copy()
        databases["default"].setdefault("OPTIONS", {})["sslmode"] = "require"
        return databases

    SENTRY_DSN = values.Value(environ_prefix=None)

    MIDDLEWARE = ("symbolserver.middleware.ResponseErrorIdMiddleware", *Base.MIDDLEWARE)

    STATSD_HOST = values.Value("localhost")
    STATSD_PORT = values.IntegerValue(8125)
    STATSD_NAMESPACE = values.Value("")

    @property
    def MARKUS_BACKENDS(self):
        return [
            {
                "class": "markus.backends.datadog.DatadogMetrics",
                "options": {
                    "statsd_host": self.STATSD_HOST,
                    "statsd_port": self.STATSD_PORT,
                    "statsd_namespace": self.STATSD_NAMESPACE,
                },
            },
        ]


class Stage(Dev):
    pass


class Prod(Stage):
    pass
