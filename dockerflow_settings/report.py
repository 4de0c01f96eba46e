"""What the running process's settings were built from, and validation without Django.

Each front end records its resolution under the settings module's name, for
:func:`report` and :func:`check_environment`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dockerflow_settings.errors import Problem
from dockerflow_settings.resolve import Attribute, Entry, Resolution, resolve


@dataclass(frozen=True)
class Recorded:
    """Inputs and result of one resolution (enough to resolve again)."""

    module: str
    configuration: str | None  # the class name, for the mixin
    attributes: Mapping[str, Attribute]
    extra: Mapping[str, Any]
    base_dir: Path  # the derived default, before DJANGO_BASE_DIR
    project: str
    resolution: Resolution


_recorded: dict[str, Recorded] = {}


def record(recorded: Recorded) -> None:
    _recorded[recorded.module] = recorded


def _active_module() -> str | None:
    from django.conf import settings

    if settings.configured:
        return getattr(settings, "SETTINGS_MODULE", None)
    return os.environ.get("DJANGO_SETTINGS_MODULE")


def recorded(settings_module: str | None = None) -> Recorded | None:
    module = settings_module or _active_module()
    return _recorded.get(module) if module else None


def report(settings_module: str | None = None) -> list[Entry] | None:
    """One ``Entry`` per table setting of the active settings (values masked),
    or None when they were not built by ``DockerflowConfiguration``/``configure()``."""
    found = recorded(settings_module)
    return None if found is None else list(found.resolution.entries)


@dataclass(frozen=True)
class EnvironmentCheck:
    """What :func:`check_environment` found: problems, and variables set to no effect."""

    problems: list[Problem]
    #: Variables set to no effect, secret files readable by anyone.
    warnings: list[str]


def check_environment(
    environ: Mapping[str, str] | None = None,
    *,
    base_dir: Path | str | None = None,
    configuration: str | None = None,
    settings_module: str | None = None,
) -> EnvironmentCheck:
    """Every problem (server variables included) and warning the environment ``environ``
    (default ``os.environ``) would cause, without Django: with the project's own values
    when this process's settings were built by dockerflow_settings (same configuration
    class), else against the mixin's defaults."""
    found = recorded(settings_module)
    if found is not None and configuration not in (None, found.configuration):
        found = None
    if found is not None:
        attributes, extra, project = found.attributes, found.extra, found.project
        derived = Path(base_dir) if base_dir is not None else found.base_dir
    else:
        attributes, extra = {}, {}
        derived = Path(base_dir) if base_dir is not None else Path.cwd()
        module = settings_module or os.environ.get("DJANGO_SETTINGS_MODULE") or derived.name
        project = module.split(".")[0]
    resolution = resolve(
        attributes,
        environ=environ,
        base_dir=derived,
        project=project,
        extra=extra,
        configuration=found.configuration if found is not None else configuration,
    )
    return EnvironmentCheck(
        problems=[*resolution.problems, *resolution.server_problems],
        warnings=list(resolution.warnings),
    )
