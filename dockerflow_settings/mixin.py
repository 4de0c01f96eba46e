"""``DockerflowConfiguration``: the Dockerflow settings as a django-configurations mixin.

List it first: ``class Base(DockerflowConfiguration, Configuration)``.

django-configurations' loader calls ``setup()`` on the selected class, then builds
an instance and copies every uppercase name ``dir(instance)`` lists into the
settings module. ``setup()`` resolves everything once and keeps the result on the
selected class (never on a parent, never inside Django's defaults); the instance
exposes the results plus the project's own settings, and hides the Django defaults
the project never set.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dockerflow_settings import _configurations, report, table
from dockerflow_settings.errors import ConfigurationError
from dockerflow_settings.resolve import Resolution, project_location, resolve

_STATE = "_dockerflow_state"


class DockerflowConfiguration(metaclass=_configurations.DockerflowConfigurationBase):
    """Dockerflow settings for a django-configurations ``Configuration``.

    Provides BASE_DIR, INSTALLED_APPS/MIDDLEWARE additions, LOGGING, STORAGES,
    DATABASES, security settings and the Dockerflow runtime settings, each
    overridable by its environment variable (see ``dockerflow_settings.table``).
    """

    _dockerflow_mixin = True

    @classmethod
    def setup(cls) -> None:
        """Resolve the settings of this (the selected) class; raise on any problem."""
        type.__setattr__(cls, _STATE, None)
        type.__setattr__(cls, _STATE, _build(cls))

    @classmethod
    def dockerflow_resolution(cls) -> Resolution:
        """The resolution ``setup()`` made for this class (made now if it has not run)."""
        state = cls.__dict__.get(_STATE)
        if state is None:
            cls.setup()
            state = cls.__dict__[_STATE]
        return state[0]

    def __init__(self) -> None:
        resolution = self.dockerflow_resolution()
        others = type(self).__dict__[_STATE][1]
        for name, value in {**others, **resolution.settings}.items():
            setattr(self, name, value)

    def __dir__(self) -> list[str]:
        cls = type(self)
        resolution = self.dockerflow_resolution()
        others = cls.__dict__[_STATE][1]
        exposed = _configurations.user_set_names(cls) | set(resolution.settings) | set(others)
        names = set(super().__dir__()) | exposed
        return sorted(n for n in names if n in exposed or not _configurations.isuppercase(n))


def _build(cls: type) -> tuple[Resolution, dict[str, Any]]:
    user_names = _configurations.user_set_names(cls)
    attributes, others, problems = _configurations.class_attributes(
        cls, user_names, table.SETTING_NAMES
    )
    base_dir, project = project_location(cls.__module__, _configurations.module_file(cls))
    resolution = resolve(attributes, base_dir=base_dir, project=project, extra=others)
    problems.extend(resolution.problems)
    if problems:
        raise ConfigurationError(problems)
    report.record(
        report.Recorded(
            module=cls.__module__,
            configuration=cls.__name__,
            attributes=attributes,
            extra=others,
            base_dir=Path(base_dir),
            project=project,
            resolution=resolution,
        )
    )
    return resolution, others
