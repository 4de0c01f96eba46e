"""``DockerflowConfiguration``: the Dockerflow settings as a django-configurations mixin.

List it first: ``class Base(DockerflowConfiguration, Configuration)``.

django-configurations' loader calls ``setup()`` on the selected class, then copies the
uppercase names of ``dir(instance)`` into the settings module, calling setting methods.
``setup()``: the project's plain values and Values with the table give a draft; its
setting methods and properties are evaluated on an instance that sees the draft
(``super().LOGGING()`` is the mixin's); the table is resolved again with their results
(a computed MIDDLEWARE is merged like a plain one). The selected class then holds every
resolved setting, as after ``Configuration.setup()``; ``dir()`` hides the Django
defaults the project never set.
"""

from __future__ import annotations

import copy
import sys
from pathlib import Path
from typing import Any

from dockerflow_settings import _configurations, merging, report, sentry, table
from dockerflow_settings.errors import raise_configuration_error
from dockerflow_settings.resolve import (
    MISSING,
    MODULE_GLOBAL,
    Attribute,
    Resolution,
    project_location,
    resolve,
)

_STATE = "_dockerflow_state"
#: The selected class's own attributes that ``setup()`` replaced, put back by the next
#: ``setup()`` so that every load starts from the class as the project wrote it.
_ORIGINALS = "_dockerflow_originals"
#: Instance attribute, while ``setup()`` evaluates the project's methods: the draft.
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
        """Resolve the settings of this (the selected) class; raise on any problem.

        As ``Configuration.setup()`` does, the resolved values are set on the selected
        class (never on a parent), so ``post_setup()`` and ``__init__`` read them.
        """
        _restore(cls)
        type.__setattr__(cls, _STATE, None)
        resolution, values, computed = _build(cls)
        _apply(cls, values)
        type.__setattr__(cls, _STATE, (resolution, frozenset(values) | computed))

    @classmethod
    def dockerflow_resolution(cls) -> Resolution:
        """The resolution ``setup()`` made for this class (made now if it has not run)."""
        if cls.__dict__.get(_STATE) is None:
            cls.setup()
        return cls.__dict__[_STATE][0]

    def LOGGING(self) -> dict[str, Any]:
        """The mixin's LOGGING, for a project's ``def LOGGING(self)`` to extend with
        ``config = super().LOGGING()``."""
        draft = self.__dict__.get(_DRAFT) or type(self).dockerflow_resolution()
        return copy.deepcopy(draft.values["LOGGING"])

    def __init__(self) -> None:
        self.dockerflow_resolution()

    def __dir__(self) -> list[str]:
        # The settings setup() resolved and the project's own methods, not the Django
        # defaults django-configurations copied into the class: Django would take them
        # as explicitly set and warn about the deprecated ones.
        exposed = type(self).__dict__[_STATE][1]
        return sorted(n for n in super().__dir__() if n in exposed or not n.isupper())


def _apply(cls: type, values: dict[str, Any]) -> None:
    originals = cls.__dict__.get(_ORIGINALS)
    if originals is None:
        originals = {}
        type.__setattr__(cls, _ORIGINALS, originals)
    for name, value in values.items():
        if getattr(cls, name, MISSING) is value:
            continue  # already the class's (and a pristinemethod must stay a staticmethod)
        originals.setdefault(name, cls.__dict__.get(name, MISSING))
        type.__setattr__(cls, name, value)


def _restore(cls: type) -> None:
    for name, value in cls.__dict__.get(_ORIGINALS, {}).items():
        if value is MISSING:
            type.__delattr__(cls, name)
        else:
            type.__setattr__(cls, name, value)
    cls.__dict__.get(_ORIGINALS, {}).clear()


def _build(cls: type) -> tuple[Resolution, dict[str, Any], frozenset[str]]:
    """The resolution, the values to set on the class, and the names of the project's
    methods and properties the loader still evaluates (see the module docstring)."""
    user_names = _configurations.user_set_names(cls)
    computed = {n for n in user_names if _configurations.is_computed(cls, n)}
    attributes, others, problems = _configurations.class_attributes(
        cls, user_names - computed, table.SETTING_NAMES
    )
    # A table setting defined at the settings module's level (BASE_DIR, often) is the
    # project's too: on a plain Configuration it would reach Django as it is.
    module = sys.modules.get(cls.__module__)
    for name, value in vars(module).items() if module is not None else ():
        if name in table.SETTING_NAMES and name not in user_names:
            attributes[name] = Attribute(value, f"module global {name}", source=MODULE_GLOBAL)
    base_dir, project = project_location(cls.__module__, _configurations.module_file(cls))
    options = {"base_dir": base_dir, "project": project, "configuration": cls.__name__}
    resolution = resolve(attributes, extra=others, **options)
    if computed:
        # Methods see the draft as on a plain Configuration after its setup().
        visible = {**others, **resolution.settings}
        _apply(cls, {n: v for n, v in visible.items() if n not in computed})
        instance = object.__new__(cls)
        instance.__dict__[_DRAFT] = resolution
        results, failures = _configurations.evaluate(cls, computed, instance)
        problems.extend(failures)
        for name, value in results.items():
            if name in table.SETTING_NAMES:
                attributes[name] = Attribute(value, f"{_configurations.origin_of(cls, name)}()")
            else:
                others[name] = value
        resolution = resolve(attributes, extra=others, **options)
    problems.extend(resolution.problems)
    if not problems:
        problems.extend(sentry.start(resolution.values))
    if problems:
        _restore(cls)
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
    # Legacy storage names are translated into STORAGES: Django 4.2 refuses both, and
    # 5.1+ ignores the old names. The project's other computed settings are left to the
    # loader, which evaluates them on the real instance as it always does.
    values = {
        n: v for n, v in others.items() if n not in merging.LEGACY_STORAGES and n not in computed
    }
    values.update(resolution.settings)
    return resolution, values, frozenset(computed - set(values))
