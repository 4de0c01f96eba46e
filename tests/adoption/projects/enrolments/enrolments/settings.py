"""Settings of the enrolments service after adopting dockerflow-settings.

settings_before.py with DockerflowConfiguration first in Base's bases and what it
provides deleted: the dockerflow app, WhiteNoise's middleware, and SECRET_KEY (read
from the same variable). The DockerflowMiddleware subclass stays where it was.
"""

import json
import os

from configurations import Configuration, values

from dockerflow_settings import DockerflowConfiguration

BASE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA_DIR = os.path.join(BASE_DIR, "data")


def get_release():
    """The version of version.json, or "NA" without one."""
    try:
        with open(os.path.join(BASE_DIR, "version.json"), encoding="utf8") as version:
            return json.load(version)["version"]
    except FileNotFoundError:
        return "NA"


class Base(DockerflowConfiguration, Configuration):
    """What every configuration inherits.

    Reads DJANGO_SECRET_KEY, DB_NAME, DB_HOST, DB_USER, DB_PASSWORD and the others below.
    """

    DEBUG = False
    USE_SWAGGER = False
    API_VERSION = "v1.0"

    ALLOWED_HOSTS = values.ListValue([])
    # Server-to-server callers, by token.
    ENROLMENTS_AUTHORIZED_API_TOKENS = values.ListValue([], environ_prefix=None)
    WEBHOOK_TOKEN = values.Value(None, environ_name="WEBHOOK_TOKEN", environ_prefix=None)

    ROOT_URLCONF = "enrolments.urls"
    WSGI_APPLICATION = "enrolments.wsgi.application"

    DATABASES = {
        "default": {
            "ENGINE": values.Value(
                "django.db.backends.postgresql", environ_name="DB_ENGINE", environ_prefix=None
            ),
            "NAME": values.Value("enrolments", environ_name="DB_NAME", environ_prefix=None),
            "USER": values.Value("fun", environ_name="DB_USER", environ_prefix=None),
            "PASSWORD": values.Value("pass", environ_name="DB_PASSWORD", environ_prefix=None),
            "HOST": values.Value("localhost", environ_name="DB_HOST", environ_prefix=None),
            "PORT": values.Value(5432, environ_name="DB_PORT", environ_prefix=None),
        }
    }
    DEFAULT_AUTO_FIELD = "django.db.models.AutoField"

    STATIC_URL = "/static/"
    STATIC_ROOT = os.path.join(DATA_DIR, "static")
    MEDIA_URL = "/media/"
    MEDIA_ROOT = os.path.join(DATA_DIR, "media")

    SITE_ID = 1

    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        "contracts": {
            "BACKEND": "enrolments.core.storage.ContractsStorage",
            "OPTIONS": {"location": os.path.join(DATA_DIR, "contracts")},
        },
    }

    LANGUAGE_CODE = values.Value("en-us")
    # In order of priority: the first is the fallback.
    LANGUAGES = values.SingleNestedTupleValue((("en-us", "English"), ("fr-fr", "French")))
    LOCALE_PATHS = (os.path.join(BASE_DIR, "locale"),)
    TIME_ZONE = "UTC"
    USE_I18N = True
    USE_TZ = True

    TEMPLATES = [
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "DIRS": [os.path.join(BASE_DIR, "templates")],
            "APP_DIRS": True,
            "OPTIONS": {
                "context_processors": [
                    "django.contrib.auth.context_processors.auth",
                    "django.contrib.messages.context_processors.messages",
                    "django.template.context_processors.request",
                ],
            },
        },
    ]

    MIDDLEWARE = [
        "django.middleware.security.SecurityMiddleware",
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.locale.LocaleMiddleware",
        "django.middleware.clickjacking.XFrameOptionsMiddleware",
        "django.middleware.common.CommonMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "django.contrib.messages.middleware.MessageMiddleware",
        "enrolments.core.middleware.EnrolmentsDockerflowMiddleware",
    ]

    AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]

    # From the highest priority to the lowest.
    INSTALLED_APPS = [
        "django.contrib.auth",
        "django.contrib.contenttypes",
        "django.contrib.sessions",
        "django.contrib.sites",
        "django.contrib.messages",
        "django.contrib.staticfiles",
        "django.contrib.humanize",
        "enrolments.core",
        # After enrolments.core, whose templates override the admin's.
        "django.contrib.admin",
    ]

    ENROLMENTS_LMS_BACKENDS = [
        {
            "API_TOKEN": values.Value(environ_name="LMS_API_TOKEN", environ_prefix=None),
            "BASE_URL": values.Value(environ_name="LMS_BASE_URL", environ_prefix=None),
            "SELECTOR_REGEX": values.Value(
                r".*", environ_name="LMS_SELECTOR_REGEX", environ_prefix=None
            ),
        },
    ]

    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "redis": {
            "BACKEND": values.Value(
                "django_redis.cache.RedisCache", environ_name="CACHE_REDIS_BACKEND"
            ),
            "LOCATION": values.Value("redis://redis/0", environ_name="CACHE_REDIS_LOCATION"),
            "OPTIONS": values.DictValue(
                {"CLIENT_CLASS": "django_redis.client.DefaultClient"},
                environ_name="CACHE_REDIS_OPTIONS",
            ),
        },
    }

    ENROLMENTS_SERIALIZER_DEFAULT_CACHE_TTL = values.PositiveIntegerValue(3600, environ_prefix=None)
    ENROLMENTS_VAT = values.Value(20, environ_name="ENROLMENTS_VAT", environ_prefix=None)
    ENROLMENTS_PAYMENT_SCHEDULE_LIMITS = values.DictValue(
        {150: (100,), 200: (30, 70), 500: (30, 35, 35)},
        environ_name="ENROLMENTS_PAYMENT_SCHEDULE_LIMITS",
        environ_prefix=None,
    )

    SENTRY_DSN = values.Value(None, environ_name="SENTRY_DSN")
    CELERY_BROKER_URL = values.Value("redis://redis:6379/0")
    CELERY_DEFAULT_QUEUE = values.Value("celery")

    @property
    def ENVIRONMENT(self):
        """The configuration's name: development, test, production..."""
        return self.__class__.__name__.lower()

    @property
    def RELEASE(self):
        return get_release()

    @property
    def PARLER_LANGUAGES(self):
        return {
            self.SITE_ID: tuple({"code": code} for code, _name in self.LANGUAGES),
            "default": {"fallbacks": [self.LANGUAGE_CODE], "hide_untranslated": False},
        }

    @classmethod
    def post_setup(cls):
        """Settings that need others loaded first."""
        super().post_setup()
        if cls.WEBHOOK_TOKEN is not None:
            cls.ENROLMENTS_AUTHORIZED_API_TOKENS.append(cls.WEBHOOK_TOKEN)


class Development(Base):
    """DEBUG on, any host."""

    ALLOWED_HOSTS = ["*"]
    CSRF_TRUSTED_ORIGINS = ["http://localhost:3000", "http://localhost:8072"]
    DEBUG = True
    DEVELOPER_EMAIL = values.Value(
        "developer@example.com", environ_name="DEVELOPER_EMAIL", environ_prefix=None
    )

    LOGGING = values.DictValue(
        {
            "version": 1,
            "disable_existing_loggers": False,
            "handlers": {"console": {"class": "logging.StreamHandler"}},
            "loggers": {
                "enrolments": {"handlers": ["console"], "level": "DEBUG"},
                "request.summary": {"handlers": ["console"], "level": "DEBUG"},
            },
        }
    )

    SESSION_COOKIE_NAME = "enrolments_sessionid"
    USE_SWAGGER = True

    def __init__(self):
        self.INSTALLED_APPS += ["enrolments.debug"]


class Test(Base):
    ENROLMENTS_LMS_BACKENDS = [
        {
            "API_TOKEN": "FakeLMSAPIKey",
            "BASE_URL": "http://localhost:8073",
            "SELECTOR_REGEX": r"^(?P<course_id>.*)$",
        }
    ]
    ENROLMENTS_PAYMENT_SCHEDULE_LIMITS = values.DictValue(
        {0: (30, 70)},
        environ_name="ENROLMENTS_PAYMENT_SCHEDULE_LIMITS",
        environ_prefix=None,
    )
    LOGGING = values.DictValue(
        {
            "version": 1,
            "disable_existing_loggers": False,
            "handlers": {"console": {"class": "logging.StreamHandler"}},
            "loggers": {"enrolments": {"handlers": ["console"], "level": "DEBUG"}},
        }
    )
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    USE_SWAGGER = True

    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        "contracts": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }

    CELERY_TASK_ALWAYS_EAGER = values.BooleanValue(True)

    def INSTALLED_APPS(self):
        return [*super().INSTALLED_APPS, "enrolments.debug"]


class Production(Base):
    """Production: set DJANGO_ALLOWED_HOSTS."""

    ALLOWED_HOSTS = values.ListValue([])
    CSRF_TRUSTED_ORIGINS = values.ListValue([])
    SECURE_CONTENT_TYPE_NOSNIFF = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_SECURE = True

    # Hashed, compressed static files: browsers always get the current version.
    STORAGES = {
        "default": {"BACKEND": "enrolments.core.storage.MediaStorage"},
        "staticfiles": {
            "BACKEND": values.Value(
                "whitenoise.storage.CompressedManifestStaticFilesStorage",
                environ_name="STORAGES_STATICFILES_BACKEND",
            )
        },
        "contracts": {
            "BACKEND": "enrolments.core.storage.ContractsStorage",
            "OPTIONS": {"location": os.path.join(DATA_DIR, "contracts")},
        },
    }
