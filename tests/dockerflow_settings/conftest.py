"""Shared fixtures: a clean environment, Configuration classes, the loader's steps."""

from __future__ import annotations

import os
import sys

import pytest
from configurations import importer
from configurations.utils import uppercase_attributes
from configurations.values import Value, setup_value

from dockerflow_settings.table import TABLE

VARIABLES = {v for s in TABLE for v in (s.env_var, s.file_env_var) if v}


@pytest.fixture(autouse=True)
def clean_environ(monkeypatch):
    """No table variable leaks in from the developer's shell or another test."""
    for name in list(os.environ):
        if name in VARIABLES or name.startswith("DJANGO_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "tests.settings")


@pytest.fixture
def configurations_installed(monkeypatch):
    """Let Configuration subclasses be defined in-process.

    configurations refuses subclasses until its importer is installed; installing it
    for real would add --configuration to every command of the whole test session.
    """
    monkeypatch.setattr(importer, "installed", True)


def load(cls) -> dict:
    """What configurations.importer.ConfigurationLoader does with the selected class."""
    cls.pre_setup()
    cls.setup()
    obj = cls()
    settings = {}
    for name, value in uppercase_attributes(obj).items():
        if callable(value) and not getattr(value, "pristine", False):
            value = value()
            if isinstance(value, Value):  # pragma: no cover - not used by these tests
                holder = type("Holder", (), {})
                setup_value(holder, name, value)
                value = getattr(holder, name)
        settings[name] = value
    cls.post_setup()
    return settings


def here_module_file() -> str:
    return sys.modules[__name__].__file__
