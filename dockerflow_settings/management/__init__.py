"""Drop-in for ``configurations.management`` (use it in manage.py), and the home of the
``dockerflow_settings`` management command.

django-configurations' importer is installed when a function here is called (not at
import: Django imports this package to find the command, in plain projects too). The
stock ``configurations.management`` shows a bad configuration's problem list as well;
this one exits 2 with the list alone.
"""

from __future__ import annotations

import sys
from typing import Any

from dockerflow_settings.errors import ConfigurationError, format_problems

__all__ = ["call_command", "execute_from_command_line"]


def execute_from_command_line(argv: list[str] | None = None) -> None:
    """Run a management command; a bad configuration exits 2 with its problem list."""
    from configurations.management import execute_from_command_line as execute

    try:
        execute(argv)
    except ConfigurationError as exc:
        sys.stderr.write(f"{format_problems(exc.problems)}\n")
        raise SystemExit(2) from None


def call_command(*args: Any, **kwargs: Any) -> Any:
    """``configurations.management.call_command``."""
    from configurations.management import call_command as call

    return call(*args, **kwargs)
