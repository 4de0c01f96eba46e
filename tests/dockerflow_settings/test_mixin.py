"""DockerflowConfiguration through the loader's steps, in-process."""

from __future__ import annotations

import copy
import pickle
import string

import pytest
from configurations import Configuration, values
from django.conf import global_settings
from django.core.exceptions import ImproperlyConfigured

import dockerflow_settings
from dockerflow_settings import DockerflowConfiguration, configure, merging, table
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
    assert dev["ALLOWED_HOSTS"] == ["localhost", "127.0.0.1", "[::1]"]
    assert dev["INSTALLED_APPS"] == [
        "django.contrib.contenttypes",
        "django.contrib.auth",
        "myapp",
        "dockerflow.django",
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
    class WithCache(DockerflowConfiguration, Configuration):
        DEBUG = True
        CACHES = values.DictValue({"default": {"BACKEND": "x.Locmem"}})
        FEATURE = values.BooleanValue(False)
        LIMIT = values.IntegerValue(3)

    original = WithCache.__dict__["CACHES"]
    assert table.REDIS_CHECK not in load(WithCache)["DOCKERFLOW_CHECKS"]
    redis = "{'default': {'BACKEND': 'django_redis.cache.RedisCache', 'LOCATION': 'redis://'}}"
    monkeypatch.setenv("DJANGO_CACHES", redis)
    monkeypatch.setenv("DJANGO_FEATURE", "yes")
    settings = load(WithCache)
    assert settings["FEATURE"] is True
    assert settings["CACHES"]["default"]["LOCATION"] == "redis://"
    assert WithCache.__dict__["CACHES"] is original
    # A cache through django-redis adds the Redis check.
    assert settings["DOCKERFLOW_CHECKS"][-1] == table.REDIS_CHECK

    class WithRedis(DockerflowConfiguration, Configuration):
        DEBUG = True
        CACHES = {"default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": "x"}}

    assert load(WithRedis)["DOCKERFLOW_CHECKS"][-1] == table.REDIS_CHECK

    # Their errors join the same single report.
    monkeypatch.setenv("DJANGO_LIMIT", "many")
    monkeypatch.setenv("DJANGO_DOCKERFLOW_HEARTBEAT_TIMEOUT", "soon")
    with pytest.raises(ConfigurationError) as info:
        load(WithCache)
    variables = [p.variable for p in info.value.problems]
    assert variables == ["DJANGO_LIMIT", "DJANGO_DOCKERFLOW_HEARTBEAT_TIMEOUT"]


def test_table_settings_cannot_be_properties():
    class Computed(DockerflowConfiguration, Configuration):
        DEBUG = True

        @property
        def ALLOWED_HOSTS(self):
            return ["x"]

    with pytest.raises(ConfigurationError, match=r"Computed.ALLOWED_HOSTS: define it as a plain"):
        load(Computed)


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


def test_report_and_validate(monkeypatch, tmp_path):
    monkeypatch.setenv("DJANGO_SECRET_KEY", SECRET)
    monkeypatch.setenv("DJANGO_BASE_DIR", str(tmp_path))
    _, Dev, Prod, _ = define()
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
    # validate() re-resolves another environment with the recorded class attributes.
    assert dockerflow_settings.validate({}, settings_module=module) == [
        "DJANGO_SECRET_KEY: required when DEBUG is off: set DJANGO_SECRET_KEY, or "
        "DJANGO_SECRET_KEY_FILE to a file containing it"
    ]
    problems = dockerflow_settings.validate(
        {"DJANGO_SECRET_KEY": "x", "PORT": "0"},
        configuration="Prod",
        base_dir=tmp_path,
        settings_module=module,
    )
    assert [p.variable for p in problems] == ["DJANGO_SECRET_KEY", "PORT"]  # "x" is too short
    load(Dev)
    # Dev was recorded last: Dev's DEBUG=True makes the secret optional.
    assert dockerflow_settings.validate({}, configuration="Dev", settings_module=module) == []
    # Another configuration than the recorded one: environment and defaults only.
    other = dockerflow_settings.validate({}, configuration="Prod", settings_module=module)
    assert [p.variable for p in other] == ["DJANGO_SECRET_KEY"]
    (tmp_path / ".env").write_text(f"DJANGO_SECRET_KEY=from-dotenv-{SECRET}\n")
    assert (
        dockerflow_settings.validate({}, base_dir=tmp_path, settings_module="none.settings") == []
    )


def test_report_is_none_for_settings_not_built_by_us(settings):
    assert dockerflow_settings.report() is None  # tests.settings is a plain module
