"""Settings of the recipe server before adopting dockerflow-settings.

django-configurations with python-dockerflow wired in by hand. Modelled on the
shape of mozilla/normandy's normandy/settings.py: a Core of fixed settings, a plain
mixin of OIDC values, setting methods computed from flags, subclassed security,
WhiteNoise and common middleware, legacy storage settings in Production and Test.
"""

import os

from configurations import Configuration, values


class Core(Configuration):
    """Settings that never change per environment."""

    BASE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

    INSTALLED_APPS = [
        "recipeserver",
        "dockerflow.django",
        "django.contrib.admin",
        "django.contrib.auth",
        "django.contrib.contenttypes",
        "django.contrib.sessions",
        "django.contrib.messages",
        "whitenoise.runserver_nostatic",
        "django.contrib.staticfiles",
    ]

    # Middleware every environment has; Base.MIDDLEWARE adds the others.
    MIDDLEWARE = [
        "recipeserver.middleware.request_received_at_middleware",
        "dockerflow.django.middleware.DockerflowMiddleware",
        "recipeserver.middleware.RecipeSecurityMiddleware",
        "recipeserver.middleware.RecipeWhiteNoiseMiddleware",
        "recipeserver.middleware.RecipeCommonMiddleware",
        "django.middleware.clickjacking.XFrameOptionsMiddleware",
    ]

    ROOT_URLCONF = "recipeserver.urls"
    WSGI_APPLICATION = "recipeserver.wsgi.application"
    DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

    TEMPLATES = [
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "DIRS": [],
            "APP_DIRS": True,
            "OPTIONS": {
                "context_processors": [
                    "django.template.context_processors.debug",
                    "django.template.context_processors.request",
                    "django.contrib.auth.context_processors.auth",
                    "django.contrib.messages.context_processors.messages",
                ],
            },
        },
    ]

    LANGUAGE_CODE = "en-us"
    TIME_ZONE = "UTC"
    USE_I18N = False
    USE_TZ = True

    # A new name forced every browser to drop the old, http-only cookie.
    CSRF_COOKIE_NAME = "csrftoken-20170707"

    def CSP_DEFAULT_SRC(self):
        sources = ["'self'"]
        if self.CDN_URL:
            sources.append(self.CDN_URL)
        return sources

    CSP_OBJECT_SRC = "'none'"
    CSP_FRAME_SRC = "'none'"

    # python-dockerflow
    DOCKERFLOW_REQUEST_ID_HEADER_NAME = "X-Correlation-ID"
    DOCKERFLOW_SUMMARY_LOG_QUERYSTRING = True
    DOCKERFLOW_HEARTBEAT_FAILED_STATUS_CODE = 503


class OIDC:
    """The OIDC provider that authenticates the admin users."""

    OIDC_USER_ENDPOINT = values.URLValue("https://auth.example.com/userinfo")
    OIDC_REMOTE_AUTH_HEADER = values.Value("HTTP_REMOTE_USER")


class Base(Core, OIDC):
    """Settings that may change per environment, with defaults."""

    # Flags the setting methods below follow.
    LOGGING_USE_JSON = values.BooleanValue(False)
    USE_OIDC = values.BooleanValue(False)

    DEBUG = values.BooleanValue(False)
    SECRET_KEY = values.SecretValue()
    ALLOWED_HOSTS = values.ListValue([])
    SILENCED_SYSTEM_CHECKS = values.ListValue(
        [
            # The security middleware is subclassed: Django's check cannot see it.
            "security.W001",
        ]
    )

    def AUTHENTICATION_BACKENDS(self):
        if self.USE_OIDC:
            return ["recipeserver.auth_backends.LoggingRemoteUserBackend"]
        return ["recipeserver.auth_backends.LoggingModelBackend"]

    # What most environments add to Core.MIDDLEWARE (a subclass may empty it).
    EXTRA_MIDDLEWARE = [
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "django.contrib.messages.middleware.MessageMiddleware",
    ]

    def MIDDLEWARE(self):
        middleware = Core.MIDDLEWARE + self.EXTRA_MIDDLEWARE
        if self.USE_OIDC:
            middleware.append("recipeserver.middleware.ConfigurableRemoteUserMiddleware")
        return middleware

    def LOGGING(self):
        return {
            "version": 1,
            "disable_existing_loggers": False,
            "formatters": {
                "json": {
                    "()": "dockerflow.logging.JsonLogFormatter",
                    "logger_name": "recipeserver",
                },
                "development": {"format": "%(levelname)s %(asctime)s %(name)s %(message)s"},
            },
            "handlers": {
                "console": {
                    "level": "DEBUG",
                    "class": "logging.StreamHandler",
                    "formatter": "json" if self.LOGGING_USE_JSON else "development",
                },
            },
            "root": {"handlers": ["console"], "level": "WARNING"},
            "loggers": {
                "recipeserver": {"propagate": False, "handlers": ["console"], "level": "DEBUG"},
                "request.summary": {
                    "propagate": False,
                    "handlers": ["console"],
                    "level": "DEBUG",
                },
            },
        }

    DATABASES = values.DatabaseURLValue("postgres://postgres@localhost/recipes")
    CONN_MAX_AGE = values.IntegerValue(0)

    def RAVEN_CONFIG(self):
        version_path = os.path.join(Core.BASE_DIR, "version.json")
        try:
            with open(version_path) as version_file:
                release = version_file.read().strip() or None
        except OSError:
            release = None
        return {
            "dsn": values.URLValue(None, environ_name="RAVEN_CONFIG_DSN"),
            "release": values.Value(release, environ_name="RAVEN_CONFIG_RELEASE"),
        }

    STATSD_HOST = values.Value("localhost")
    STATSD_PORT = values.IntegerValue(8125)
    STATSD_PREFIX = values.Value("recipeserver")

    USE_X_FORWARDED_HOST = values.BooleanValue(False)
    SECURE_PROXY_SSL_HEADER = values.TupleValue()
    SECURE_HSTS_SECONDS = values.IntegerValue(3600)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = values.BooleanValue(True)
    CSRF_COOKIE_SECURE = values.BooleanValue(True)
    SECURE_SSL_REDIRECT = values.BooleanValue(True)
    # Fetched over HTTP by old clients.
    SECURE_REDIRECT_EXEMPT = values.ListValue([r"^api/v1/recipe/signed/$"])
    SESSION_COOKIE_SECURE = values.BooleanValue(True)
    SECURE_CONTENT_TYPE_NOSNIFF = values.BooleanValue(True)
    X_FRAME_OPTIONS = values.Value("DENY")

    STATIC_URL = values.Value("/static/")
    STATIC_ROOT = values.Value(os.path.join(Core.BASE_DIR, "static"))
    MEDIA_URL = values.Value("/media/")
    MEDIA_ROOT = values.Value(os.path.join(Core.BASE_DIR, "media"))

    CDN_URL = values.URLValue(None)
    PERMANENT_REDIRECT_CACHE_TIME = values.IntegerValue(60 * 60 * 24 * 30)
    HTTPS_REDIRECT_CACHE_TIME = values.IntegerValue(60 * 60 * 24 * 30)
    PEER_APPROVAL_ENFORCED = values.BooleanValue(True)


class Development(Base):
    """Local development."""

    SECRET_KEY = values.Value("not a secret")
    DEBUG = values.BooleanValue(True)
    AUTH_PASSWORD_VALIDATORS = values.ListValue([])
    INSTALLED_APPS = [*Base.INSTALLED_APPS, "recipeserver.devtools"]
    SECURE_SSL_REDIRECT = values.Value(False)
    PEER_APPROVAL_ENFORCED = values.BooleanValue(False)


class Production(Base):
    """The service as deployed."""

    USE_X_FORWARDED_HOST = values.BooleanValue(True)
    SECURE_PROXY_SSL_HEADER = values.TupleValue(("HTTP_X_FORWARDED_PROTO", "https"))
    LOGGING_USE_JSON = values.Value(True)
    SECURE_HSTS_SECONDS = values.IntegerValue(31536000)
    DEFAULT_FILE_STORAGE = values.Value("recipeserver.storage.PermissiveStorage")
    STATICFILES_STORAGE = "whitenoise.storage.CompressedManifestStaticFilesStorage"


class Test(Base):
    SECRET_KEY = "not a secret"
    DEFAULT_FILE_STORAGE = "django.core.files.storage.InMemoryStorage"
    SECURE_SSL_REDIRECT = False
    USE_OIDC = True
    OIDC_USER_ENDPOINT = "https://auth.example.com/userinfo"
