"""DockerflowConfiguration through the loader's steps, in-process."""

from __future__ import annotations

import copy
import pickle
import string
import sys

import pytest
from configurations import Configuration, pristinemethod, values
from django.conf import global_settings
from django.core.exceptions import ImproperlyConfigured

import dockerflow_settings
from dockerflow_settings import DockerflowConfiguration, configure, defaults, merging, table
from dockerflow_settings.errors import ConfigurationError

from .conftest import load

SECRET = "tests-only-" + string.ascii_letters
pytestmark = pytest.mark.usefixtures("configurations_installed")


def snapshot_globals():
    names = [n for n in dir(global_settings) if n.isupper()]
    return {n: pickle.dumps(getattr(global_settings, n)) for n in names}


def define():
    class Base(DockerflowConfiguration, Configuration):
        INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth", "myapp"]
        MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]
        ROOT_URLCONF = "myproject.urls"
        TIME_ZONE = "Europe/Paris"

    class Dev(Base):
        DEBUG = values.BooleanValue(True)

    class Prod(Base):
        pass

    class Test(Base):
        SECRET_KEY = "test-only-" + "t" * 50
        PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

    return Base, Dev, Prod, Test


def test_dev_and_prod(monkeypatch):
    _, Dev, Prod, _ = define()
    dev = load(Dev)
    assert dev["DEBUG"] is True
    assert dev["ALLOWED_HOSTS"] == [".localhost", "127.0.0.1", "[::1]"]
    assert dev["INSTALLED_APPS"] == [
        "django.contrib.contenttypes",
        "django.contrib.auth",
        "myapp",
        "dockerflow.django",
        "dockerflow_settings",
        "whitenoise.runserver_nostatic",
        "django.contrib.staticfiles",
    ]
    assert dev["MIDDLEWARE"][:3] == [
        merging.DOCKERFLOW_MIDDLEWARE,
        merging.SECURITY_MIDDLEWARE,
        merging.WHITENOISE_MIDDLEWARE,
    ]
    assert dev["ROOT_URLCONF"] == "myproject.urls"
    assert dev["TIME_ZONE"] == "Europe/Paris"
    with pytest.raises(ConfigurationError, match="DJANGO_SECRET_KEY: required"):
        load(Prod)
    monkeypatch.setenv("DJANGO_SECRET_KEY", SECRET)
    prod = load(Prod)
    assert prod["DEBUG"] is False
    assert prod["SECRET_KEY"] == SECRET
    assert prod["SECURE_SSL_REDIRECT"] is True


def test_global_defaults_the_project_never_set_are_not_exposed(monkeypatch):
    monkeypatch.setenv("DJANGO_SECRET_KEY", SECRET)
    _, _, Prod, _ = define()
    settings = load(Prod)
    # Deprecated defaults on some Django version, and ones Django 6.1 rejects together.
    for name in ["USE_L10N", "USE_DEPRECATED_PYTZ", "CSRF_COOKIE_MASKED",
                 "FORMS_URLFIELD_ASSUME_HTTPS", "EMAIL_HOST", "EMAIL_PORT", "LANGUAGE_CODE",
                 "STATICFILES_STORAGE", "DEFAULT_FILE_STORAGE"]:  # fmt: skip
        assert name not in settings, name
    user = {"INSTALLED_APPS", "MIDDLEWARE", "ROOT_URLCONF", "TIME_ZONE"}
    expected = table.SETTING_NAMES | user | {"DOTENV_LOADED"}
    assert set(settings) == expected


def test_explicitly_declared_defaults_are_honoured(monkeypatch):
    monkeypatch.setenv("DJANGO_SECRET_KEY", SECRET)
    monkeypatch.setenv("DJANGO_SECURE_SSL_REDIRECT", "on")

    class Behind(DockerflowConfiguration, Configuration):
        # Identical to Django's default object, but declared: fixed by the project.
        SECURE_SSL_REDIRECT = False
        USE_I18N = True

    settings = load(Behind)
    assert settings["SECURE_SSL_REDIRECT"] is False
    assert settings["USE_I18N"] is True
    entry = next(
        e for e in Behind.dockerflow_resolution().entries if e.name == "SECURE_SSL_REDIRECT"
    )
    assert (
        entry.origin == "Behind.SECURE_SSL_REDIRECT (fixed: DJANGO_SECURE_SSL_REDIRECT is ignored)"
    )


def test_values_use_the_one_boolean_grammar(monkeypatch):
    _, Dev, _, _ = define()
    for text, expected in [("off", False), ("ON", True), (" no ", False), ("", True)]:
        monkeypatch.setenv("DJANGO_DEBUG", text)
        monkeypatch.setenv("DJANGO_SECRET_KEY", SECRET)
        assert load(Dev)["DEBUG"] is expected, text
    monkeypatch.setenv("DJANGO_DEBUG", "maybe")
    with pytest.raises(ConfigurationError) as info:
        load(Dev)
    assert "DJANGO_DEBUG='maybe'" in str(info.value)


def test_values_keep_their_own_variable_name(monkeypatch):
    class Custom(DockerflowConfiguration, Configuration):
        DEBUG = True
        STATIC_URL = values.Value("/assets/", environ_prefix="APP")
        ALLOWED_HOSTS = values.ListValue(["a.example"])
        SECURE_HSTS_SECONDS = values.IntegerValue(60, environ=False)

    settings = load(Custom)
    assert settings["STATIC_URL"] == "/assets/"
    assert settings["ALLOWED_HOSTS"] == ["a.example"]
    assert settings["SECURE_HSTS_SECONDS"] == 60
    monkeypatch.setenv("APP_STATIC_URL", "/s/")
    monkeypatch.setenv("DJANGO_ALLOWED_HOSTS", "b.example, c.example")
    monkeypatch.setenv("DJANGO_SECURE_HSTS_SECONDS", "5")
    settings = load(Custom)
    assert settings["STATIC_URL"] == "/s/"
    assert settings["ALLOWED_HOSTS"] == ["b.example", "c.example"]
    assert settings["SECURE_HSTS_SECONDS"] == 60  # environ=False: not overridable
    entries = {e.name: e for e in Custom.dockerflow_resolution().entries}
    assert entries["STATIC_URL"].origin == "environment variable APP_STATIC_URL"
    # environ=False makes configurations resolve it at class definition: a plain value.
    assert entries["SECURE_HSTS_SECONDS"].origin == (
        "Custom.SECURE_HSTS_SECONDS (fixed: DJANGO_SECURE_HSTS_SECONDS is ignored)"
    )
    assert entries["ALLOWED_HOSTS"].source == "environment"


def test_other_values_are_resolved_without_touching_the_class(monkeypatch):
    class WithFeature(DockerflowConfiguration, Configuration):
        DEBUG = True
        FEATURE = values.BooleanValue(False)
        LIMIT = values.IntegerValue(3)
        CACHES = values.DictValue({"default": {"BACKEND": "x.Locmem"}})

    assert load(WithFeature)["FEATURE"] is False
    # As Configuration.setup() does, the selected class holds the resolved values (for
    # post_setup() and __init__); the next setup starts from the class as written.
    assert WithFeature.FEATURE is False
    monkeypatch.setenv("DJANGO_FEATURE", "yes")
    settings = load(WithFeature)
    assert settings["FEATURE"] is True
    assert WithFeature.FEATURE is True
    assert settings["LIMIT"] == 3
    # CACHES is a table setting: its Value's default is the project's, and the Value's own
    # variable (in the table's grammar: a cache URL) overrides it.
    assert settings["CACHES"] == {"default": {"BACKEND": "x.Locmem"}}
    monkeypatch.setenv("DJANGO_CACHES", "redis://cache:6379/1")
    settings = load(WithFeature)
    assert settings["CACHES"]["default"]["LOCATION"] == "redis://cache:6379/1"
    assert settings["DOCKERFLOW_CHECKS"][-1] == defaults.REDIS_CHECK

    class WithRedis(DockerflowConfiguration, Configuration):
        DEBUG = True
        CACHES = {"default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": "x"}}

    assert load(WithRedis)["DOCKERFLOW_CHECKS"][-1] == defaults.REDIS_CHECK

    # Their errors join the same single report.
    monkeypatch.setenv("DJANGO_LIMIT", "many")
    monkeypatch.setenv("DJANGO_DOCKERFLOW_HEARTBEAT_TIMEOUT", "soon")
    with pytest.raises(ConfigurationError) as info:
        load(WithFeature)
    variables = [p.variable for p in info.value.problems]
    assert variables == ["DJANGO_LIMIT", "DJANGO_DOCKERFLOW_HEARTBEAT_TIMEOUT"]


def test_setting_methods_and_properties_work_as_on_a_plain_configuration(monkeypatch):
    monkeypatch.setenv("DJANGO_GREETING_NAME", "Ada")

    def define_with(base):
        class Site(base):
            DEBUG = values.BooleanValue(True)
            USE_OIDC = values.BooleanValue(False)
            GREETING_NAME = values.Value("world")
            INSTALLED_APPS = ["django.contrib.auth", "myapp"]

            def AUTHENTICATION_BACKENDS(self):
                backends = ["django.contrib.auth.backends.ModelBackend"]
                return ["oidc.Backend", *backends] if self.USE_OIDC else backends

            @property
            def GREETING(self):
                return f"Hello {self.GREETING_NAME}, debug={self.DEBUG}"

        class Dev(Site):
            # In the selected class: django-configurations copies a parent's into each
            # subclass without its staticmethod, which then binds (its own behaviour).
            @pristinemethod
            def HOOK(value):
                return value * 2

            def INSTALLED_APPS(self):
                return [*super().INSTALLED_APPS, "debug_toolbar"]

        return Dev

    class Plain(Configuration):
        pass

    plain = load(define_with(Plain))
    ours = load(define_with(type("Mixed", (DockerflowConfiguration, Configuration), {})))
    for name in ("AUTHENTICATION_BACKENDS", "GREETING", "GREETING_NAME", "USE_OIDC"):
        assert ours[name] == plain[name], name
    assert ours["GREETING"] == "Hello Ada, debug=True"
    assert ours["HOOK"](2) == plain["HOOK"](2) == 4
    # The computed INSTALLED_APPS is merged like a plain one, the project's order kept.
    assert plain["INSTALLED_APPS"] == ["django.contrib.auth", "myapp", "debug_toolbar"]
    assert ours["INSTALLED_APPS"][:3] == plain["INSTALLED_APPS"]
    assert "dockerflow.django" in ours["INSTALLED_APPS"]


def test_managed_settings_computed_by_methods_are_merged(monkeypatch):
    class Base(DockerflowConfiguration, Configuration):
        USE_OIDC = values.BooleanValue(False)
        STORAGES = {"default": {"BACKEND": "storages.backends.s3.S3Storage"}}

        def MIDDLEWARE(self):
            middleware = ["django.contrib.sessions.middleware.SessionMiddleware"]
            if self.USE_OIDC:
                middleware.append("mozilla_django_oidc.middleware.SessionRefresh")
            return middleware

    class Dev(Base):
        DEBUG = True

        def LOGGING(self):
            config = super().LOGGING()
            config["loggers"]["myapp"] = {"level": "DEBUG", "handlers": ["console"]}
            return config

    monkeypatch.setenv("DJANGO_USE_OIDC", "true")
    settings = load(Dev)
    assert settings["MIDDLEWARE"][0] == merging.DOCKERFLOW_MIDDLEWARE
    assert settings["MIDDLEWARE"][-2:] == [
        "mozilla_django_oidc.middleware.SessionRefresh",
        merging.XFRAME_MIDDLEWARE,
    ]
    logging_config = settings["LOGGING"]
    assert logging_config["loggers"]["myapp"] == {"level": "DEBUG", "handlers": ["console"]}
    assert logging_config["handlers"]["console"]["formatter"] == "text"  # the mixin's, Dev
    assert "request.summary" in logging_config["loggers"]
    entries = {e.name: e for e in Dev.dockerflow_resolution().entries}
    assert entries["LOGGING"].origin == "Dev.LOGGING()"
    # A project without a LOGGING method gets the mixin's LOGGING, not a method.
    monkeypatch.setenv("DJANGO_SECRET_KEY", SECRET)
    assert load(Base)["LOGGING"]["handlers"]["console"]["formatter"] == "json"
    assert settings["STORAGES"]["default"]["BACKEND"] == "storages.backends.s3.S3Storage"


def test_a_failing_setting_method_is_a_problem_naming_it():
    class Broken(DockerflowConfiguration, Configuration):
        DEBUG = True

        def ALLOWED_HOSTS(self):
            return self.NO_SUCH_SETTING

    with pytest.raises(ConfigurationError) as info:
        load(Broken)
    assert info.value.problems[0].startswith("Broken.ALLOWED_HOSTS: a setting method")
    assert "AttributeError" in info.value.problems[0]


def test_mixin_after_configuration_fails_at_class_definition():
    with pytest.raises(ImproperlyConfigured) as info:

        class Wrong(Configuration, DockerflowConfiguration):
            pass

    assert "class Wrong(DockerflowConfiguration, Configuration)" in str(info.value)

    class Company(Configuration):
        TIME_ZONE = "UTC"

    with pytest.raises(ImproperlyConfigured, match="must come before Configuration"):

        class AlsoWrong(Company, DockerflowConfiguration):
            pass

    class Right(DockerflowConfiguration, Company):
        DEBUG = True

    assert load(Right)["TIME_ZONE"] == "UTC"  # the project base class's value survives


def test_mixins_built_on_the_mixin_carry_no_django_defaults():
    class Extra(DockerflowConfiguration):
        CUSTOM = 1

    assert "TIME_ZONE" not in Extra.__dict__

    class Company(Configuration):
        TIME_ZONE = "Asia/Tokyo"

    class Site(Extra, Company):
        DEBUG = True

    settings = load(Site)
    assert settings["TIME_ZONE"] == "Asia/Tokyo"
    assert settings["CUSTOM"] == 1


def test_nothing_is_mutated_and_loads_are_independent(monkeypatch):
    monkeypatch.setenv("DJANGO_SECRET_KEY", SECRET)
    before = snapshot_globals()
    config_before = {n: copy.deepcopy(v) for n, v in vars(Configuration).items() if n.isupper()}

    def fresh(name):
        classes = dict(zip(["Base", "Dev", "Prod", "Test"], define(), strict=True))
        settings = load(classes[name])
        settings.pop("SECRET_KEY")  # random per load in Dev
        return settings

    alone = {name: fresh(name) for name in ["Dev", "Prod", "Test"]}
    Base, Dev, Prod, Test = define()
    base_dict = dict(vars(Base))
    together = {}
    for cls in (Dev, Prod, Test, Dev, Prod, Test):  # one process, each twice
        settings = load(cls)
        settings.pop("SECRET_KEY")
        together[cls.__name__] = settings
    assert together == alone
    assert dict(vars(Base)) == base_dict
    assert Base.INSTALLED_APPS == ["django.contrib.contenttypes", "django.contrib.auth", "myapp"]
    assert Base.MIDDLEWARE == ["django.middleware.common.CommonMiddleware"]
    assert snapshot_globals() == before
    assert {n: v for n, v in vars(Configuration).items() if n.isupper()} == config_before
    assert "dockerflow.django" not in global_settings.INSTALLED_APPS


def test_instance_without_setup_resolves_itself(monkeypatch):
    _, Dev, _, _ = define()
    assert Dev().DEBUG is True
    assert "DEBUG" in dir(Dev())


def test_configure_matches_the_mixin(monkeypatch, tmp_path):
    monkeypatch.setenv("DJANGO_SECRET_KEY", SECRET)
    monkeypatch.setenv("DJANGO_ALLOWED_HOSTS", "example.com")
    monkeypatch.setenv("DJANGO_BASE_DIR", str(tmp_path))
    _, _, Prod, _ = define()
    from_mixin = {n: v for n, v in load(Prod).items() if n in table.SETTING_NAMES}
    namespace = {
        "__name__": "myproject.settings",
        "__file__": str(tmp_path / "myproject" / "settings.py"),
        "INSTALLED_APPS": ["django.contrib.contenttypes", "django.contrib.auth", "myapp"],
        "MIDDLEWARE": ["django.middleware.common.CommonMiddleware"],
        "ROOT_URLCONF": "myproject.urls",
        "TIME_ZONE": "Europe/Paris",
    }
    applied = configure(namespace)
    # The mixin's project is this test package ("tests"); configure()'s is "myproject".
    from_mixin["LOGGING"]["formatters"]["json"]["logger_name"] = "myproject"
    from_mixin["LOGGING_LOGGER_NAME"] = "myproject"
    assert applied == from_mixin
    assert {n: namespace[n] for n in applied} == applied
    assert namespace["TIME_ZONE"] == "Europe/Paris"
    entries = {e.name: e for e in dockerflow_settings.report("myproject.settings")}
    assert entries["INSTALLED_APPS"].source == "module global"
    assert entries["INSTALLED_APPS"].origin == "module global INSTALLED_APPS"
    assert entries["SECRET_KEY"].value == "********"


def test_configure_reports_every_problem(monkeypatch):
    monkeypatch.setenv("DJANGO_DEBUG", "perhaps")
    monkeypatch.setenv("PORT", "eighty")
    with pytest.raises(ConfigurationError) as info:
        configure({"__name__": "plain.settings"})
    assert [p.variable for p in info.value.problems] == ["DJANGO_DEBUG", "DJANGO_SECRET_KEY"]
    assert dockerflow_settings.report("plain.settings") is None


def test_report_and_check_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("DJANGO_SECRET_KEY", SECRET)
    monkeypatch.setenv("DJANGO_BASE_DIR", str(tmp_path))
    _, Dev, Prod, _ = define()

    def check(*args, **kwargs):
        return dockerflow_settings.check_environment(*args, **kwargs).problems

    load(Prod)
    module = Prod.__module__
    entries = dockerflow_settings.report(module)
    assert [e.name for e in entries] == [s.name for s in table.TABLE]
    by_name = {e.name: e for e in entries}
    assert by_name["SECRET_KEY"].value == "********"
    assert by_name["SECRET_KEY"].source == "environment"
    assert by_name["DEBUG"].origin == "mixin default"
    assert by_name["INSTALLED_APPS"].origin == "Base.INSTALLED_APPS"
    assert by_name["PORT"].value == 8000
    # check_environment() re-resolves another environment with the recorded class attributes.
    assert check({}, settings_module=module) == [
        "DJANGO_SECRET_KEY: required when DEBUG is off: set DJANGO_SECRET_KEY, or "
        "DJANGO_SECRET_KEY_FILE to a file containing it"
    ]
    problems = check(
        {"DJANGO_SECRET_KEY": "x", "PORT": "0"},
        configuration="Prod",
        base_dir=tmp_path,
        settings_module=module,
    )
    assert [p.variable for p in problems] == ["DJANGO_SECRET_KEY", "PORT"]  # "x" is too short
    load(Dev)
    # Dev was recorded last: Dev's DEBUG=True makes the secret optional.
    assert check({}, configuration="Dev", settings_module=module) == []
    # Another configuration than the recorded one: environment and defaults only.
    other = check({}, configuration="Prod", settings_module=module)
    assert [p.variable for p in other] == ["DJANGO_SECRET_KEY"]
    (tmp_path / ".env").write_text(f"DJANGO_SECRET_KEY=from-dotenv-{SECRET}\n")
    assert check({}, base_dir=tmp_path, settings_module="none.settings") == []


def test_report_is_none_for_settings_not_built_by_us(settings):
    assert dockerflow_settings.report() is None  # tests.settings is a plain module


def test_project_middleware_subclasses_take_the_place_of_the_bases(tmp_path, monkeypatch):
    # Read, never imported: importing it would blow up, as a module importing models does
    # while the settings load.
    (tmp_path / "shop").mkdir()
    (tmp_path / "shop" / "__init__.py").write_text("")
    (tmp_path / "shop" / "middleware.py").write_text(
        "from django.middleware import security\n"
        "from whitenoise.middleware import WhiteNoiseMiddleware as Base\n"
        "from dockerflow.django.middleware import DockerflowMiddleware\n"
        "class Secure(security.SecurityMiddleware): pass\n"
        "class Static(Base): pass\n"
        "class Summary(DockerflowMiddleware): pass\n"
        "class Tracking: pass\n"
        "raise RuntimeError('imported while the settings load')\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    user = ["shop.middleware.Tracking", "shop.middleware.Secure", "a.Common",
            "shop.middleware.Static", "shop.middleware.Summary"]  # fmt: skip
    assert merging.merge_middleware(user, None) == [
        "shop.middleware.Summary",  # one DockerflowMiddleware, first
        "shop.middleware.Tracking",
        "shop.middleware.Secure",
        "shop.middleware.Static",  # WhiteNoise right after Security
        "a.Common",
        merging.XFRAME_MIDDLEWARE,
    ]
    assert "shop.middleware" not in sys.modules


def test_post_setup_init_and_module_globals_see_what_a_plain_configuration_does(monkeypatch):
    seen = {}

    class Site(DockerflowConfiguration, Configuration):
        DEBUG = True
        TOKENS = values.ListValue(["a"])

        def __init__(self):  # no super().__init__(): still works
            self.INSTALLED_APPS = [*self.INSTALLED_APPS, "extra"]

        @classmethod
        def post_setup(cls):
            seen["tokens"], seen["debug"] = cls.TOKENS, cls.DEBUG

    monkeypatch.setenv("DJANGO_TOKENS", "b,c")
    settings = load(Site)
    assert seen == {"tokens": ["b", "c"], "debug": True}
    assert settings["INSTALLED_APPS"][-1] == "extra"
    assert "dockerflow.django" in settings["INSTALLED_APPS"]
    # A table setting defined at the settings module's level is the project's value.
    module = type(sys)("adopted_settings")
    module.BASE_DIR = "/srv/from-module"
    monkeypatch.setitem(sys.modules, "adopted_settings", module)
    Moduled = type("Moduled", (DockerflowConfiguration, Configuration),
                   {"DEBUG": True, "__module__": "adopted_settings"})  # fmt: skip
    assert load(Moduled)["BASE_DIR"] == "/srv/from-module"


def test_a_project_logging_is_laid_over_the_mixins():
    class Own(DockerflowConfiguration, Configuration):
        DEBUG = True
        LOGGING = {
            "version": 1,
            "handlers": {"sentry": {"class": "logging.NullHandler"}},
            "loggers": {"myapp": {"handlers": ["sentry"], "level": "WARNING"},
                        "django": {"level": "ERROR"}},
        }  # fmt: skip

    logging_config = load(Own)["LOGGING"]
    assert logging_config["loggers"]["myapp"] == {"handlers": ["sentry"], "level": "WARNING"}
    assert logging_config["loggers"]["django"] == {"level": "ERROR"}  # the project's wins
    assert "request.summary" in logging_config["loggers"]  # the mixin's is kept
    assert set(logging_config["handlers"]) == {"console", "sentry"}
