"""The ``dockerflow_settings`` Django app (both front ends add it to INSTALLED_APPS): the
``dockerflow_settings`` command, and a system check of the installation itself."""

from __future__ import annotations

import importlib.metadata
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core import checks
from django.utils.module_loading import import_string

from dockerflow.masking import mask_text

#: python-dockerflow's distribution, which installs a ``dockerflow`` package too.
PYTHON_DOCKERFLOW = "dockerflow"
FOREIGN_DOCKERFLOW_ID = "dockerflow_settings.E001"


def foreign_dockerflow() -> str | None:
    """What is wrong when python-dockerflow shares the ``dockerflow`` package with us, or
    None. Both install ``dockerflow/``: the last one's files win, uninstalling one deletes
    files of the other, and ``pip check`` sees no conflict."""
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


def check_middleware(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Each MIDDLEWARE entry imports (the mixin keeps one it could not read as written)."""
    errors = []
    for entry in settings.MIDDLEWARE:
        try:
            import_string(entry)
        except Exception as exc:
            text = f"MIDDLEWARE entry {entry!r} cannot be imported: {type(exc).__name__}: {exc}"
            errors.append(checks.Error(mask_text(text), id="dockerflow_settings.E002"))
    return errors


def check_installation(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    problem = foreign_dockerflow()
    errors = [] if problem is None else [checks.Error(problem, id=FOREIGN_DOCKERFLOW_ID)]
    return errors + check_middleware()


class DockerflowSettingsConfig(AppConfig):
    name = "dockerflow_settings"
    verbose_name = "Dockerflow settings"

    def ready(self) -> None:
        checks.register(check_installation)
