"""Drop-in for ``configurations.management`` (use it in manage.py).

Importing it installs django-configurations' importer, as
``configurations.management`` does, after dockerflow_settings' loader fix.
"""

from __future__ import annotations

import sys

from configurations.management import call_command
from configurations.management import execute_from_command_line as _execute

import dockerflow_settings  # noqa: F401  (installs the loader fix first)
from dockerflow_settings.errors import ConfigurationError

__all__ = ["call_command", "execute_from_command_line"]


def execute_from_command_line(argv: list[str] | None = None) -> None:
    """Run a management command; a bad configuration exits 2 with its problem list."""
    try:
        _load_settings_before_django()
        _execute(argv)
    except ConfigurationError as exc:
        sys.stderr.write(f"{str(exc).strip()}\n")
        raise SystemExit(2) from None


def _load_settings_before_django() -> None:
    # Load the settings before Django does: Django's ManagementUtility keeps an
    # ImproperlyConfigured from the first settings access to itself, and whether a
    # later access raises it again depends on what the failed import left in
    # sys.modules (on some versions it does not, and the command then fails far
    # from the cause with AppRegistryNotReady).
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    try:
        settings.INSTALLED_APPS  # noqa: B018 - the access is the point
    except ConfigurationError:
        raise
    except (ImproperlyConfigured, ImportError):
        pass  # no settings module, or an error of Django's own: Django reports it
