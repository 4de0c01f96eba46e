"""The ``dockerflow.django`` app, and the Django system check of the runtime's settings."""

from __future__ import annotations

import sys
from typing import Any

from django.apps import AppConfig
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from dockerflow import health
from dockerflow.cli.conventions import startup_logs_to_stderr
from dockerflow.masking import mask_text

from . import conf


class DockerFlowAppConfig(AppConfig):
    """The ``dockerflow.django`` app (python-dockerflow's class name and label). Unlike
    python-dockerflow's, it does not register the ``DOCKERFLOW_CHECKS`` as system checks:
    ``manage.py check`` (often run at build time) should not need the services."""

    name = "dockerflow.django"
    label = "dockerflow"
    verbose_name = "Dockerflow"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Before any app's ready() logs: `manage.py dockerflow_* --json` keeps stdout for
        # its JSON (logging is configured by now; the command's own code runs later).
        startup_logs_to_stderr(sys.argv)

    def ready(self) -> None:
        checks.register(check_settings)


def check_settings(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Django system check (``manage.py check``...): an error for each ``DOCKERFLOW_*`` value
    its rule refuses (E017), and for each ``DOCKERFLOW_CHECKS`` entry that cannot be imported
    or is not callable (E014; its error text masked). Entries are imported here, once the
    app registry is ready, so checks that import models may be listed."""
    errors, paths = [], []
    for name in conf.VALIDATORS:
        try:
            value = conf.valid(name)
        except ImproperlyConfigured as exc:
            errors.append(checks.Error(str(exc), id=health.ERROR_INVALID_SETTING))
            continue
        paths = value if name == "DOCKERFLOW_CHECKS" else paths
    for path in paths:
        try:
            check = import_string(path)
        except Exception as exc:
            problem = f"cannot be imported: {mask_text(f'{type(exc).__name__}: {exc}')}"
        else:
            if callable(check):
                continue
            problem = f"is not callable: it is {type(check).__name__}"
        text = f"DOCKERFLOW_CHECKS entry {path!r} {problem}"
        errors.append(checks.Error(text, id=health.ERROR_CHECK_NOT_IMPORTABLE))
    return errors
