"""``DockerflowConfiguration``: the Dockerflow settings as a django-configurations mixin.

List it first: ``class Base(DockerflowConfiguration, Configuration)``.

django-configurations' loader calls ``setup()`` on the selected class, then builds an
instance and copies every uppercase name ``dir(instance)`` lists into the settings
module, calling setting methods on the way. ``setup()`` resolves everything once and
keeps the result on the selected class (never on a parent, never inside Django's
defaults):

1. the project's plain values and ``values.*`` Values, with the table, give a draft;
2. its setting methods and properties are evaluated on an instance that sees the
   draft (``self.DEBUG`` is the resolved DEBUG), as on a plain ``Configuration``;
   ``super().LOGGING()`` is the mixin's LOGGING;
3. the table is resolved again with their results: a computed MIDDLEWARE is merged like
   a plain one.

The instance then answers every setting with its resolved value and hides the Django
defaults the project never set.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from dockerflow_settings import _configurations, merging, report, sentry, table
from dockerflow_settings.errors import raise_configuration_error
from dockerflow_settings.resolve import Attribute, Resolution, project_location, resolve

_STATE = "_dockerflow_state"
#: Instance attributes: the settings the instance answers with, and (while setup()
#: evaluates the project's methods) the draft resolution.
_EXPOSED = "_dockerflow_exposed"
_DRAFT = "_dockerflow_draft"


class DockerflowConfiguration(metaclass=_configurations.DockerflowConfigurationBase):
    """Dockerflow settings for a django-configurations ``Configuration``.

    Provides BASE_DIR, INSTALLED_APPS/MIDDLEWARE additions, LOGGING, STORAGES,
    DATABASES, CACHES, security settings and the Dockerflow runtime settings, each
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
        if cls.__dict__.get(_STATE) is None:
            cls.setup()
        return cls.__dict__[_STATE][0]

    def LOGGING(self) -> dict[str, Any]:
        """The mixin's LOGGING, for a project's ``def LOGGING(self)`` to extend with
        ``config = super().LOGGING()``."""
        draft = object.__getattribute__(self, "__dict__").get(_DRAFT)
        if draft is None:  # not while setup() runs: the resolved LOGGING
            return copy.deepcopy(self.__getattribute__(_EXPOSED)["LOGGING"])
        return copy.deepcopy(draft.settings["LOGGING"])

    def __init__(self) -> None:
        self.dockerflow_resolution()
        object.__setattr__(self, _EXPOSED, type(self).__dict__[_STATE][1])

    def __getattribute__(self, name: str) -> Any:
        # A setting answers with its resolved value, even where the class defines a
        # property or method for it (the loader reads the instance).
        if name.isupper():
            exposed = object.__getattribute__(self, "__dict__").get(_EXPOSED)
            if exposed is not None and name in exposed:
                return exposed[name]
        return object.__getattribute__(self, name)

    def __dir__(self) -> list[str]:
        cls = type(self)
        exposed = set(self.__getattribute__(_EXPOSED)) | _configurations.user_set_names(cls)
        names = set(super().__dir__()) | exposed
        return sorted(n for n in names if n in exposed or not _configurations.isuppercase(n))


def _build(cls: type) -> tuple[Resolution, dict[str, Any]]:
    """The resolution and the settings the instance exposes (see the module docstring)."""
    user_names = _configurations.user_set_names(cls)
    attributes, others, problems = _configurations.class_attributes(
        cls, user_names, table.SETTING_NAMES
    )
    base_dir, project = project_location(cls.__module__, _configurations.module_file(cls))
    options = {"base_dir": base_dir, "project": project, "configuration": cls.__name__}
    resolution = resolve(attributes, extra=others, **options)
    computed_names = {n for n in user_names if _configurations.is_computed(cls, n)}
    if computed_names:
        instance = object.__new__(cls)
        visible = {**others, **resolution.settings}
        object.__setattr__(
            instance, _EXPOSED, {n: visible[n] for n in visible.keys() - computed_names}
        )
        object.__setattr__(instance, _DRAFT, resolution)
        computed, failures = _configurations.evaluate(cls, computed_names, instance)
        problems.extend(failures)
        for name, value in computed.items():
            if name in table.SETTING_NAMES:
                attributes[name] = Attribute(value, f"{cls.__name__}.{name}()")
            else:
                others[name] = value
        resolution = resolve(attributes, extra=others, **options)
    problems.extend(resolution.problems)
    if not problems:
        problems.extend(sentry.start(resolution.values))
    if problems:
        raise_configuration_error(problems)
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
    # Translated into STORAGES: Django 4.2 refuses both, 5.1+ ignores the old names.
    exposed = {n: v for n, v in others.items() if n not in merging.LEGACY_STORAGES}
    # Computed non-table settings are left to the loader: it calls the method again on
    # the real instance, which sees the same values.
    exposed = {n: v for n, v in exposed.items() if n not in computed_names}
    return resolution, {**exposed, **resolution.settings}
