"""Entry points and helpers in-process (their real runs are in test_project.py)."""

from __future__ import annotations

import importlib
import string
import sys
import warnings
from pathlib import Path

import pytest
from configurations import values
from configurations.importer import ConfigurationLoader
from django.conf import settings
from django.utils.functional import empty

import dockerflow_settings
from dockerflow_settings import __main__ as cli
from dockerflow_settings import _configurations, table
from dockerflow_settings.resolve import _Resolver
from dockerflow_settings.sources import Sources

PLAIN = """\
import dockerflow_settings

DEBUG = True
dockerflow_settings.configure(globals())
"""


def test_loader_fix_is_installed_once():
    assert hasattr(ConfigurationLoader, "exec_module")
    assert hasattr(ConfigurationLoader, "create_module")
    assert _configurations.install_loader_fix() is False  # already done at import

    class Fresh:
        pass

    assert _configurations.install_loader_fix(Fresh) is True
    assert Fresh.exec_module is _configurations._exec_module
    assert _configurations.install_loader_fix(Fresh) is False


def test_lazy_applications_reject_other_names():
    for name in ("dockerflow_settings.wsgi", "dockerflow_settings.asgi"):
        module = importlib.import_module(name)
        with pytest.raises(AttributeError, match="has no attribute 'nope'"):
            module.nope  # noqa: B018


@pytest.fixture
def plain_project(tmp_path, monkeypatch):
    package = tmp_path / "plainproj"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "settings.py").write_text(PLAIN)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield "plainproj.settings"
    for name in ("plainproj.settings", "plainproj"):
        sys.modules.pop(name, None)


def test_python_m_check_in_process(plain_project, monkeypatch, capsys):
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", plain_project)
    monkeypatch.setenv("WEB_CONCURRENCY", "none")
    assert cli.main(["check"]) == 1
    out = capsys.readouterr().out
    assert out.splitlines() == [
        "Invalid configuration (1 problem):",
        "- WEB_CONCURRENCY='none' (from environment variable WEB_CONCURRENCY): expected an "
        "integer >= 1",
    ]
    monkeypatch.delenv("WEB_CONCURRENCY")
    assert cli.main(["check"]) == 0
    assert capsys.readouterr().out == "No problems found.\n"
    monkeypatch.setattr(sys, "argv", ["python -m dockerflow_settings"])
    assert cli.main() == 2
    # Without a settings module: the environment against the defaults.
    monkeypatch.delenv("DJANGO_SETTINGS_MODULE")
    monkeypatch.setenv("DJANGO_SECRET_KEY", "tests-only-" + string.ascii_letters)
    assert cli.main(["check"]) == 0


def test_report_finds_the_settings_module_before_django_is_configured(plain_project, monkeypatch):
    importlib.import_module(plain_project)
    monkeypatch.setattr(settings, "_wrapped", empty)
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", plain_project)
    entries = dockerflow_settings.report()
    assert entries is not None
    assert {e.name: e.source for e in entries}["DEBUG"] == "module global"
    monkeypatch.delenv("DJANGO_SETTINGS_MODULE")
    assert dockerflow_settings.report() is None


def test_values_without_environ_and_multiple_values(configurations_installed, monkeypatch):
    from configurations import Configuration

    from .conftest import load

    class Pair(values.MultipleMixin, values.Value):
        late_binding = True

        def setup(self, name):
            self.value = "left"
            return {"PAIR_RIGHT": "right"}

    class Site(dockerflow_settings.DockerflowConfiguration, Configuration):
        DEBUG = True
        ALLOWED_HOSTS = values.ListValue([], environ=False)
        PAIR = Pair()

    monkeypatch.setenv("DJANGO_ALLOWED_HOSTS", "ignored.example")
    settings_ = load(Site)
    assert settings_["ALLOWED_HOSTS"] == []
    assert (settings_["PAIR"], settings_["PAIR_RIGHT"]) == ("left", "right")


def test_secret_parse_errors_are_masked():
    secret = table.Setting(
        name="API_TOKEN",
        type="secret",
        parse=table.parsing.integer(),
        default=lambda ctx: 0,
        help="A numeric token.",
        secret=True,
    )
    resolver = _Resolver({}, Sources({"DJANGO_API_TOKEN": "tok-123"}))
    ctx = table.Context(False, Path("/a"), "p", False, {})
    assert resolver.resolve_one(secret, ctx) == 0
    assert resolver.problems == [
        "DJANGO_API_TOKEN='********' (from environment variable DJANGO_API_TOKEN): "
        "expected an integer"
    ]


def test_importing_the_package_warns_nothing():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        importlib.reload(dockerflow_settings)
