"""The ``dockerflow_settings`` Django app (both front ends add it to INSTALLED_APPS): the
``dockerflow_settings`` command, and a system check of the installation itself."""

from __future__ import annotations

import importlib.metadata
from typing import Any

from django.apps import AppConfig
from django.core import checks

#: python-dockerflow's distribution, which installs a ``dockerflow`` package too.
PYTHON_DOCKERFLOW = "dockerflow"
FOREIGN_DOCKERFLOW_ID = "dockerflow_settings.E001"


def foreign_dockerflow() -> str | None:
    """What is wrong when python-dockerflow shares the ``dockerflow`` package with us, or None.

    Both distributions install ``dockerflow/``: whichever pip installed last overwrote
    the other's files (and uninstalling one deletes files the other needs), while
    ``pip check`` sees no conflict.
    """
    import dockerflow

    try:
        version = importlib.metadata.version(PYTHON_DOCKERFLOW)
    except importlib.metadata.PackageNotFoundError:
        if getattr(dockerflow, "__version__", None) is not None:
            return None  # ours, alone
        version = "unknown version"
    return (
        f"python-dockerflow ({PYTHON_DOCKERFLOW} {version}) is installed and shares the "
        "`dockerflow` package with dockerflow-settings, whose files it replaces: run "
        f"`pip uninstall -y {PYTHON_DOCKERFLOW} dockerflow-settings && pip install "
        f"dockerflow-settings`, and remove `{PYTHON_DOCKERFLOW}` from your requirements "
        "(dockerflow-settings provides its API)"
    )


def check_installation(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    problem = foreign_dockerflow()
    return [] if problem is None else [checks.Error(problem, id=FOREIGN_DOCKERFLOW_ID)]


class DockerflowSettingsConfig(AppConfig):
    name = "dockerflow_settings"
    verbose_name = "Dockerflow settings"

    def ready(self) -> None:
        checks.register(check_installation)
