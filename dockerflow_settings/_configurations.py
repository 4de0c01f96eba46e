"""Everything that knows django-configurations' internals (2.5.1, its last release).

One module, so that replacing django-configurations, or a shim for a release that
changes these internals, touches only this file: the mixin's metaclass (it records the
names each class body declares: the ``Configuration`` metaclass copies every Django
default into every class), reading a class's settings the way its loader does, and
:func:`install_loader_fix` (``exec_module()`` for its loader: Python >= 3.10 warns
without it, an error under ``-W error``; Python 3.15 drops the fallback).
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterable
from types import ModuleType
from typing import Any

from configurations import importer as _importer
from configurations.base import Configuration, ConfigurationBase
from configurations.utils import isuppercase
from configurations.values import Value
from django.conf import global_settings
from django.core.exceptions import ImproperlyConfigured

from dockerflow_settings.errors import Problem
from dockerflow_settings.resolve import MISSING, Attribute

#: Class attribute marking the mixin itself.
MIXIN_MARKER = "_dockerflow_mixin"
#: Per-class record of the uppercase names its own class body declared.
DECLARED = "_dockerflow_declared"

ORDER_ERROR = (
    "{name}: DockerflowConfiguration must come before Configuration in the bases, "
    "e.g. `class {name}(DockerflowConfiguration, Configuration)`. Listed after it, "
    "django-configurations' setup hooks (which do not call super()) would never run it "
    "and Django's copied defaults would hide its settings."
)


class DockerflowConfigurationBase(ConfigurationBase):
    """Metaclass of ``DockerflowConfiguration`` and of every class using it."""

    def __new__(mcs, name: str, bases: tuple[type, ...], attrs: dict[str, Any]) -> Any:
        declared = frozenset(attr for attr in attrs if isuppercase(attr))
        if not any(issubclass(base, Configuration) for base in bases):
            # The mixin itself (or a mixin built on it): a plain class, so it carries
            # no copies of Django's defaults that would shadow a project base class.
            cls = type.__new__(mcs, name, bases, attrs)
        else:
            cls = super().__new__(mcs, name, bases, attrs)
            _check_order(cls)
        type.__setattr__(cls, DECLARED, declared)
        return cls


def _check_order(cls: type) -> None:
    mro = cls.__mro__
    mixin = next(i for i, klass in enumerate(mro) if MIXIN_MARKER in klass.__dict__)
    if mro.index(Configuration) < mixin:
        raise ImproperlyConfigured(ORDER_ERROR.format(name=cls.__name__))


def declared_in(cls: type, name: str) -> type | None:
    """The nearest class in the MRO whose body declared ``name``."""
    for klass in cls.__mro__:
        if name in klass.__dict__.get(DECLARED, ()):
            return klass
    return None


def user_set_names(cls: type) -> set[str]:
    """Uppercase names the project set: declared in a class body, or with a value that
    is neither Django's own default object nor the mixin's own (e.g. set by a base class
    without our metaclass).

    Django's defaults copied by the metaclass are left out, so they never reach the
    settings module: Django would take them as explicitly set and warn about the
    deprecated ones.
    """
    names = set()
    mixin = next(klass for klass in cls.__mro__ if MIXIN_MARKER in klass.__dict__).__dict__
    for name in dir(cls):
        if not isuppercase(name):
            continue
        value = getattr(cls, name)
        if value is mixin.get(name, MISSING):
            continue  # copied from the mixin (its LOGGING method), not the project's
        owner = declared_in(cls, name)
        if (owner is not None and MIXIN_MARKER not in owner.__dict__) or value is not getattr(
            global_settings, name, MISSING
        ):
            names.add(name)
    return names


def is_computed(cls: type, name: str) -> bool:
    """Whether the loader would compute ``name`` on an instance: a property, or a
    method or other callable not marked ``pristine`` (``values.pristinemethod``)."""
    raw = getattr(cls, name)
    if isinstance(raw, property):
        return True
    return callable(raw) and not isinstance(raw, Value) and not getattr(raw, "pristine", False)


def origin_of(cls: type, name: str) -> str:
    return f"{(declared_in(cls, name) or cls).__name__}.{name}"


def class_attributes(
    cls: type, names: Iterable[str], table_names: frozenset[str]
) -> tuple[dict[str, Attribute], dict[str, Any], list[Problem]]:
    """Split the project's plain settings and Values into table attributes and others.

    Table settings become :class:`Attribute` (a Value stays overridable by its own
    variable). Other ``values.*`` Values are resolved the way django-configurations
    does, but into the returned dict instead of onto the class; their errors become
    problems. ``names`` holds no computed name (:func:`is_computed`): see :func:`evaluate`.
    """
    attributes: dict[str, Attribute] = {}
    others: dict[str, Any] = {}
    problems: list[Problem] = []
    for name in sorted(names):
        value = getattr(cls, name)
        origin = origin_of(cls, name)
        if name in table_names:
            if isinstance(value, Value):
                attributes[name] = _value_attribute(name, value, origin)
            else:
                attributes[name] = Attribute(value, origin)
        elif isinstance(value, Value):
            try:
                others.update(_setup_value(name, value))
            except (ValueError, ImproperlyConfigured) as exc:
                variable = value.full_environ_name(name) if value.environ else origin
                problems.append(Problem(variable, f"a valid value for {name} ({exc})"))
        else:
            others[name] = value
    return attributes, others, problems


def evaluate(
    cls: type, names: Iterable[str], instance: Any
) -> tuple[dict[str, Any], list[Problem]]:
    """The computed settings ``names``, evaluated on ``instance`` as the loader does (a
    method is called, a property read; a returned Value is resolved)."""
    results: dict[str, Any] = {}
    problems: list[Problem] = []
    for name in sorted(names):
        origin = origin_of(cls, name)
        try:
            value = getattr(instance, name)
            if callable(value) and not getattr(value, "pristine", False):
                value = value()
            if isinstance(value, Value):
                value = _setup_value(name, value)[name]
        except Exception as exc:
            problems.append(
                Problem(origin, f"a setting method or property that works ({_raised(exc)})")
            )
            continue
        results[name] = value
    return results, problems


def _raised(exc: Exception) -> str:
    return f"it raised {type(exc).__name__}: {exc}"


def _value_attribute(name: str, value: Value, origin: str) -> Attribute:
    origin = f"{origin} (values.{type(value).__name__} default)"
    if not value.environ:
        return Attribute(value.default, origin)
    # Casting options given to the Value (DatabaseURLValue(conn_max_age=600)) stay its own.
    cast = value.to_python if getattr(value, "_params", None) else None
    env_var = value.full_environ_name(name)
    return Attribute(value.default, origin, overridable=True, env_var=env_var, cast=cast)


def _setup_value(name: str, value: Value) -> dict[str, Any]:
    # What configurations.values.setup_value does, without setattr on the class.
    actual = value.setup(name)
    result = {name: value.value}
    if value.multiple:
        result.update(actual)
    return result


def module_file(cls: type) -> str | None:
    module = sys.modules.get(cls.__module__)
    return getattr(module, "__file__", None)


# --- the loader fix -------------------------------------------------------------------


def _create_module(self: Any, spec: Any) -> ModuleType:
    # The real file's spec gives the module its __file__ (the wrapping spec has none).
    return importlib.util.module_from_spec(self.spec)


def _exec_module(self: Any, module: ModuleType) -> None:
    self.spec.loader.exec_module(module)
    # The import system has already put the module into sys.modules, so
    # load_module() skips loading and only selects and applies the configuration.
    self.load_module(module.__name__)


def install_loader_fix(loader_class: type | None = None) -> bool:
    """Add ``create_module``/``exec_module`` to configurations' loader (once).

    Does nothing (returns False) when the loader already has ``exec_module`` -- a
    django-configurations release that fixed it, or a second call.
    """
    loader_class = loader_class or _importer.ConfigurationLoader
    if hasattr(loader_class, "exec_module"):
        return False
    loader_class.create_module = _create_module  # type: ignore[attr-defined]
    loader_class.exec_module = _exec_module  # type: ignore[attr-defined]
    return True


def configuration_classes(module: str) -> list[str]:
    """The django-configurations classes ``module`` defines, imported without selecting
    one (its loader needs DJANGO_CONFIGURATION); [] for a plain settings module."""
    installed = _importer.installed
    _importer.installed = True  # lets the module define its classes (ConfigurationBase)
    try:
        loaded = importlib.import_module(module)
    finally:
        _importer.installed = installed
    found = [
        name
        for name, value in vars(loaded).items()
        if isinstance(value, type) and issubclass(value, Configuration)
        and value.__module__ == loaded.__name__ and value is not Configuration
    ]  # fmt: skip
    if found:
        sys.modules.pop(module, None)  # imported again, for real, once a class is chosen
    return found
