"""The ``dockerflow.django`` app, and registering ``DOCKERFLOW_CHECKS`` as Django system checks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.apps import AppConfig
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from . import conf


class DockerFlowAppConfig(AppConfig):
    """The ``dockerflow.django`` app (label ``dockerflow``).

    The class name is python-dockerflow's, so projects that list
    ``"dockerflow.django.apps.DockerFlowAppConfig"`` in ``INSTALLED_APPS`` keep
    working. Unlike python-dockerflow, ``ready()`` does not register
    ``DOCKERFLOW_CHECKS`` as Django system checks: the heartbeat runs them itself,
    and ``manage.py check`` (often run at image build time, without a database)
    should not need the backing services.
    """

    name = "dockerflow.django"
    label = "dockerflow"
    verbose_name = "Dockerflow"


def register_system_checks() -> list[Callable[..., Any]]:
    """Register the ``DOCKERFLOW_CHECKS`` with Django's system-check framework (tag "dockerflow").

    python-dockerflow's ``dockerflow.django.checks.register()``, kept for ``manage.py
    check``; the heartbeat does not use Django's registry (it runs ``DOCKERFLOW_CHECKS``
    itself). Returns the checks.
    """
    registered = []
    for path in conf.valid("DOCKERFLOW_CHECKS"):
        try:
            check = import_string(path)
        except ImportError as exc:
            raise ImproperlyConfigured(f"DOCKERFLOW_CHECKS entry {path!r}: {exc}") from exc
        checks.register(check, "dockerflow")
        registered.append(check)
    return registered
