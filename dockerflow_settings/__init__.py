"""Make a Django service meet Mozilla's Dockerflow container spec with one line in its settings.

With django-configurations::

    class Base(DockerflowConfiguration, Configuration):  # the mixin FIRST
        ...

In a plain settings.py, at the end::

    dockerflow_settings.configure(globals())

Importing this package makes django-configurations' settings loader use
``exec_module()`` (no ImportWarning under ``python -W error``).
"""

from __future__ import annotations

from dockerflow_settings import _configurations
from dockerflow_settings.errors import (
    ConfigurationError,
    IgnoredVariable,
    Problem,
    format_problems,
)
from dockerflow_settings.masking import MASK, mask, mask_databases, mask_url
from dockerflow_settings.mixin import DockerflowConfiguration
from dockerflow_settings.plain import configure
from dockerflow_settings.report import EnvironmentCheck, check_environment, report, validate
from dockerflow_settings.resolve import Entry
from dockerflow_settings.table import TABLE, Setting

_configurations.install_loader_fix()


def setup() -> None:
    """Drop-in for ``configurations.setup()`` (the loader fix is already installed)."""
    _configurations.setup()


__all__ = [
    "MASK",
    "TABLE",
    "ConfigurationError",
    "DockerflowConfiguration",
    "Entry",
    "EnvironmentCheck",
    "IgnoredVariable",
    "Problem",
    "Setting",
    "check_environment",
    "configure",
    "format_problems",
    "mask",
    "mask_databases",
    "mask_url",
    "report",
    "setup",
    "validate",
]
