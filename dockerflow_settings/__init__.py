"""Make a Django service meet Mozilla's Dockerflow container spec with one line in its settings.

With django-configurations::

    class Base(DockerflowConfiguration, Configuration):  # the mixin FIRST
        ...

In a plain settings.py, at the end::

    dockerflow_settings.configure(globals())

Importing this package makes django-configurations' settings loader use
``exec_module()`` (no ImportWarning under ``python -W error``). Listed in
``INSTALLED_APPS`` (both front ends add it), it is also a Django app: the
``dockerflow_settings`` management command and system checks of the installation.
"""

from __future__ import annotations

from dockerflow_settings.apps import foreign_dockerflow

try:
    from dockerflow_settings import _configurations
    from dockerflow_settings.errors import ConfigurationError
    from dockerflow_settings.mixin import DockerflowConfiguration
    from dockerflow_settings.plain import configure
    from dockerflow_settings.report import check_environment, report
except ImportError as exc:  # python-dockerflow's files over ours: say so, not what is missing
    problem = foreign_dockerflow()
    if problem is None:
        raise
    raise ImportError(problem) from exc

_configurations.install_loader_fix()

__all__ = [
    "ConfigurationError",
    "DockerflowConfiguration",
    "check_environment",
    "configure",
    "report",
]
