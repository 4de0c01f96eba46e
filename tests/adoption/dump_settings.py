"""Load one settings module the way Django does, and write what it gives as JSON.

Run in a fresh interpreter as ``python dump_settings.py OUTPUT [--setup]`` with
``DJANGO_SETTINGS_MODULE`` and ``DJANGO_CONFIGURATION`` set; ``--setup`` also runs
``django.setup()`` and builds the middleware (what ``middleware`` needs). Writes to
OUTPUT:

``error``
    the traceback if importing the settings module failed (nothing else then);
``django_error``
    the traceback if Django refused the loaded module (or ``django.setup()`` failed);
``settings``
    every upper-case setting, as JSON (see :func:`jsonable`): what Django reads when
    it accepted the module, else what the module holds;
``defined``, ``methods``
    the names the project's own source defines: upper-case names assigned at module
    level or in the body of a class of the selected configuration's MRO that comes
    from the project, and of those, the ones defined by ``def`` (setting methods and
    properties);
``middleware``
    with ``--setup``, for each MIDDLEWARE entry, its MRO and whether Django uses it
    (see :func:`middleware_info`), when Django accepted the settings;
``app_names``
    for each INSTALLED_APPS entry, the name of the app it installs.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import json
import os
import sys
import textwrap
import traceback
from pathlib import Path, PurePath
from typing import Any


def jsonable(value: Any) -> Any:
    """``value`` as JSON that keeps the differences a setting's reader could see:
    tuples and lists, strings and paths are told apart."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, dict):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [jsonable(item) for item in value]
    if isinstance(value, tuple):
        return {"__tuple__": [jsonable(item) for item in value]}
    if isinstance(value, (set, frozenset)):
        return {"__set__": sorted(repr(item) for item in value)}
    if isinstance(value, type):
        return {"__class__": f"{value.__module__}.{value.__qualname__}"}
    if isinstance(value, PurePath):
        return {"__path__": str(value)}
    return {f"__{type(value).__name__}__": repr(value)}


def _uppercase(name: str) -> bool:
    # django-configurations' rule for a setting name.
    return name.upper() == name and not name.startswith("_")


def _assigned(body: list[ast.stmt]) -> tuple[set[str], set[str]]:
    """(every upper-case name the statements define, those defined by ``def``)."""
    names: set[str] = set()
    methods: set[str] = set()
    for node in body:
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign):
            targets = [node.target]
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and _uppercase(node.name):
            names.add(node.name)
            methods.add(node.name)
        names.update(t.id for t in targets if isinstance(t, ast.Name) and _uppercase(t.id))
    return names, methods


def defined_names(module: Any, configuration: type) -> tuple[set[str], set[str]]:
    project = module.__name__.partition(".")[0]
    names, methods = _assigned(ast.parse(Path(module.__file__).read_text()).body)
    for klass in configuration.__mro__:
        if klass.__module__.partition(".")[0] != project:
            continue
        tree = ast.parse(textwrap.dedent(inspect.getsource(klass)))
        class_names, class_methods = _assigned(tree.body[0].body)  # type: ignore[attr-defined]
        names |= class_names
        methods |= class_methods
    return names, methods


def middleware_info(entries: Any) -> dict[str, dict[str, Any] | None]:
    """Per MIDDLEWARE entry: its class's MRO (dotted paths; empty for a function) and
    whether Django would use it: True, False when it raises MiddlewareNotUsed, or the
    error its construction raises. None when it cannot be imported."""
    from django.core.exceptions import MiddlewareNotUsed
    from django.utils.module_loading import import_string

    found: dict[str, dict[str, Any] | None] = {}
    for entry in entries or ():
        try:
            middleware = import_string(entry)
        except ImportError:
            found[entry] = None
            continue
        mro = getattr(middleware, "__mro__", ())
        used: bool | str = True
        try:
            middleware(lambda request: None)  # as Django's handler builds it
        except MiddlewareNotUsed:
            used = False
        except Exception as exc:
            used = f"{type(exc).__name__}: {exc}"
        found[entry] = {"used": used, "mro": [f"{k.__module__}.{k.__qualname__}" for k in mro]}
    return found


def app_names(entries: Any) -> dict[str, str | None]:
    from django.apps import AppConfig

    names: dict[str, str | None] = {}
    for entry in entries or ():
        try:
            names[entry] = AppConfig.create(entry).name
        except Exception:
            names[entry] = None
    return names


def dump(setup: bool) -> dict[str, Any]:
    from configurations import importer

    importer.install()
    module_name = os.environ["DJANGO_SETTINGS_MODULE"]
    try:
        module = importlib.import_module(module_name)
    except Exception:
        return {"error": traceback.format_exc()}

    import django
    from django.conf import settings

    django_error = None
    try:
        # Django builds its Settings from the module (and may refuse it) on first use.
        values = {name: getattr(settings, name) for name in dir(settings) if _uppercase(name)}
    except Exception:
        django_error = traceback.format_exc()
        values = {name: getattr(module, name) for name in dir(module) if _uppercase(name)}
    # Copied as JSON now: django.setup() fills in DATABASES' defaults in place.
    dumped = {name: jsonable(value) for name, value in values.items()}
    if setup and django_error is None:
        try:
            django.setup()
        except Exception:
            django_error = traceback.format_exc()
    configuration = getattr(module, os.environ["DJANGO_CONFIGURATION"])
    defined, methods = defined_names(module, configuration)
    return {
        "error": None,
        "django_error": django_error,
        "settings": dumped,
        "defined": sorted(defined),
        "methods": sorted(methods),
        "middleware": middleware_info(values.get("MIDDLEWARE"))
        if setup and django_error is None
        else {},
        "app_names": app_names(values.get("INSTALLED_APPS")),
    }


if __name__ == "__main__":
    try:
        result = dump(setup="--setup" in sys.argv[2:])
    except Exception:
        result = {"error": traceback.format_exc()}
    Path(sys.argv[1]).write_text(json.dumps(result, indent=1, sort_keys=True))
