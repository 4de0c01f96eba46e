"""``python -m dockerflow_settings check``: validate the environment, every problem at once.

Loads ``DJANGO_SETTINGS_MODULE`` (through django-configurations when it uses it) so the
project's own values count; a module that cannot be imported is reported and the
environment checked against the defaults alone. Server variables are checked too. Once
the settings load, Django is set up and the runtime's system check runs (a typo in
``DOCKERFLOW_CHECKS`` is found before the first heartbeat). Warnings go to stderr.

Exit codes: 0 no problems, 1 problems found, 2 usage error.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Sequence

from dockerflow.masking import mask_text
from dockerflow_settings import _configurations
from dockerflow_settings.apps import foreign_dockerflow
from dockerflow_settings.errors import ConfigurationError, Problem, format_problems
from dockerflow_settings.report import EnvironmentCheck, check_environment
from dockerflow_settings.table import SERVER, TABLE

USAGE_LINE = "usage: python -m dockerflow_settings check"
_SERVER_VARIABLES = frozenset(s.env_var for s in TABLE if s.role == SERVER)


def _load(module: str) -> list[Problem] | None:
    """Import the settings module; its problems if loading failed on them, else None."""
    try:
        if os.environ.get("DJANGO_CONFIGURATION"):
            from configurations import importer

            importer.install()
        elif classes := _configurations.configuration_classes(module):
            return [
                Problem(
                    "DJANGO_CONFIGURATION",
                    f"required: {module} defines django-configurations classes "
                    f"({', '.join(classes)}); set it to the one to use",
                )
            ]
        importlib.import_module(module)  # a plain module: already imported, once
    except ConfigurationError as exc:
        return exc.problems
    return None


def _after_setup(module: str) -> list[Problem]:
    """What only a set-up Django can tell: apps that fail to load, and the runtime's system
    check of its settings (a DOCKERFLOW_CHECKS entry that cannot be imported...)."""
    import django

    try:
        django.setup()
    except Exception as exc:
        reason = mask_text(f"{type(exc).__name__}: {exc}")
        return [Problem(module, f"settings whose apps load ({reason})")]
    from dockerflow.django.apps import check_settings
    from dockerflow_settings.apps import check_middleware

    errors = [*check_settings(), *check_middleware()]
    return [Problem(error.id or "check", error.msg) for error in errors]


def check() -> EnvironmentCheck:
    module = os.environ.get("DJANGO_SETTINGS_MODULE")
    foreign = foreign_dockerflow()
    found = [Problem("dockerflow", foreign)] if foreign else []
    if module:
        try:
            problems = _load(module)
        except Exception as exc:  # the project's own import error: report it, check the rest
            sys.stderr.write(
                f"cannot import {module} ({mask_text(f'{type(exc).__name__}: {exc}')}); "
                "checking the environment against the defaults only\n"
            )
        else:
            if problems is not None:
                rest = check_environment(settings_module=module)
                server = [p for p in rest.problems if p.variable in _SERVER_VARIABLES]
                return EnvironmentCheck([*found, *problems, *server], rest.warnings)
            found += _after_setup(module)
    result = check_environment(
        configuration=os.environ.get("DJANGO_CONFIGURATION"), settings_module=module
    )
    return EnvironmentCheck([*found, *result.problems], result.warnings)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args != ["check"]:
        sys.stderr.write(USAGE_LINE + "\n")
        return 2
    found = check()
    for warning in found.warnings:
        sys.stderr.write(f"Warning: {warning}\n")
    if found.problems:
        sys.stdout.write(format_problems(found.problems) + "\n")
        return 1
    sys.stdout.write("No problems found.\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
