"""The ``dockerflow.django`` app, and the Django system check of the runtime's settings."""

from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from dockerflow import health
from dockerflow.masking import mask_text

from . import conf


class DockerFlowAppConfig(AppConfig):
    """The ``dockerflow.django`` app (label ``dockerflow``).

    The class name is python-dockerflow's, so projects that list
    ``"dockerflow.django.apps.DockerFlowAppConfig"`` in ``INSTALLED_APPS`` keep working.
    ``ready()`` registers :func:`check_settings` as a Django system check; unlike
    python-dockerflow, not the ``DOCKERFLOW_CHECKS`` themselves: the heartbeat runs them,
    and ``manage.py check`` (often run at build time, without a database) should not
    need the backing services.
    """

    name = "dockerflow.django"
    label = "dockerflow"
    verbose_name = "Dockerflow"

    def ready(self) -> None:
        checks.register(check_settings)


def check_settings(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Django system check: the runtime's settings can work (``manage.py check``...).

    An error for each ``DOCKERFLOW_*`` value its rule refuses (E017), and for each
    ``DOCKERFLOW_CHECKS`` entry that cannot be imported or is not callable (E014), naming
    it. Entries are imported here, once the app registry is ready, so checks that import
    models may be listed; an entry's import error is shown with credentials masked.
    """
    errors = []
    for name in conf.VALIDATORS:
        try:
            conf.valid(name)
        except ImproperlyConfigured as exc:
            errors.append(checks.Error(str(exc), id=health.ERROR_INVALID_SETTING))
    try:
        paths = conf.valid("DOCKERFLOW_CHECKS")
    except ImproperlyConfigured:
        paths = []  # reported above
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
