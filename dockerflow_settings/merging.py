"""How merged settings combine the project's value with what Dockerflow needs.

Each function returns a new object (the project's may be one of Django's global defaults,
which django-configurations copies). The project's entries keep their order; its
subclass of a class the mixin adds takes that class's place, so it is not shadowed.
"""

from __future__ import annotations

import ast
import functools
import sys
from importlib.machinery import PathFinder
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dockerflow.django import conf
from dockerflow_settings.django_logging import build_logging

if TYPE_CHECKING:
    from dockerflow_settings.table import Context

DOCKERFLOW_APP = "dockerflow.django"
SETTINGS_APP = "dockerflow_settings"
STATICFILES_APP = "django.contrib.staticfiles"
WHITENOISE_APP = "whitenoise.runserver_nostatic"
DOCKERFLOW_MIDDLEWARE = "dockerflow.django.middleware.DockerflowMiddleware"
SECURITY_MIDDLEWARE = "django.middleware.security.SecurityMiddleware"
WHITENOISE_MIDDLEWARE = "whitenoise.middleware.WhiteNoiseMiddleware"
XFRAME_MIDDLEWARE = "django.middleware.clickjacking.XFrameOptionsMiddleware"
MANIFEST_STORAGE = "whitenoise.storage.CompressedManifestStaticFilesStorage"
PLAIN_STATIC_STORAGE = "django.contrib.staticfiles.storage.StaticFilesStorage"
DEFAULT_FILE_STORAGE = "django.core.files.storage.FileSystemStorage"
#: Django < 4.2's storage settings, and the STORAGES alias each becomes.
LEGACY_STORAGES = {"DEFAULT_FILE_STORAGE": "default", "STATICFILES_STORAGE": "staticfiles"}
#: Django matches SECURE_REDIRECT_EXEMPT against the path without its leading slash.
HEALTH_PATH_PATTERNS = tuple(
    rf"^{conf.ENDPOINT_PATHS[name][1:]}/?$" for name in ("heartbeat", "lbheartbeat", "version")
)


#: How far up a project's class hierarchy the bases are followed.
_MAX_BASE_DEPTH = 8


class MergeError(ValueError):
    """The project's values cannot be combined; ``str()`` says why and what to do."""


def _unique(items: Any) -> list[Any]:
    return list(dict.fromkeys(items))


def _is_app(entry: str, app: str) -> bool:
    # "django.contrib.staticfiles" or its AppConfig path "django.contrib.staticfiles.apps.X".
    return entry == app or entry.startswith(app + ".apps.")


def merge_installed_apps(user: Any, ctx: Context) -> list[str]:
    apps = [app for app in _unique(user or []) if app != WHITENOISE_APP]
    for app in (DOCKERFLOW_APP, SETTINGS_APP, STATICFILES_APP):
        if not any(_is_app(entry, app) for entry in apps):
            apps.append(app)
    position = next(i for i, app in enumerate(apps) if _is_app(app, STATICFILES_APP))
    return [*apps[:position], WHITENOISE_APP, *apps[position:]]


@functools.cache
def _class_paths(entry: str, depth: int = 0) -> frozenset[str]:
    """``entry`` and the dotted paths of its class's bases, found without running the
    project's code: importing its middleware while the settings load can fail (models:
    AppRegistryNotReady) or make Django read a half-loaded settings module. An unimported
    module is read instead: the class statement's bases, through its imports."""
    module_name, _, name = entry.rpartition(".")
    module = sys.modules.get(module_name)
    if module is not None:
        cls = getattr(module, name, None)
        if isinstance(cls, type):
            return frozenset(f"{klass.__module__}.{klass.__qualname__}" for klass in cls.__mro__)
    tree = _parse(module_name)
    if tree is None or depth > _MAX_BASE_DEPTH:
        return frozenset({entry})
    names: dict[str, str] = {}  # a name bound at module level -> the dotted path it is
    classes = {}
    for node in tree.body:
        if isinstance(node, ast.ImportFrom):
            package = ".".join(module_name.split(".")[: -node.level or None])
            source = ".".join(filter(None, (package if node.level else "", node.module)))
            names.update({a.asname or a.name: f"{source}.{a.name}" for a in node.names})
        elif isinstance(node, ast.Import):
            names.update({a.asname: a.name for a in node.names if a.asname})
            names.update({a.name.split(".")[0]: a.name.split(".")[0] for a in node.names})
        elif isinstance(node, ast.ClassDef):
            classes[node.name] = node
    found = {entry}
    for base in classes[name].bases if name in classes else ():
        head, dot, rest = ast.unparse(base).partition(".")
        if head in names or head in classes:
            prefix = names.get(head) or f"{module_name}.{head}"
            found |= _class_paths(prefix + dot + rest, depth + 1)
    return frozenset(found)


def _parse(module_name: str) -> ast.Module | None:
    """The syntax tree of a module's source, found without importing it; None if not found."""
    spec, locations = None, None
    for depth in range(module_name.count(".") + 1):
        spec = PathFinder.find_spec(".".join(module_name.split(".")[: depth + 1]), locations)
        if spec is None:
            return None
        locations = spec.submodule_search_locations
    try:
        return ast.parse(Path(spec.origin or "").read_text(encoding="utf-8"))
    except (OSError, ValueError, SyntaxError):
        return None


def _is(entry: str, path: str) -> bool:
    """Whether middleware ``entry`` is the class ``path`` or a subclass of it."""
    return entry == path or path in _class_paths(entry)


def merge_middleware(user: Any, ctx: Context) -> list[str]:
    entries = _unique(user or [])
    own = {
        path: next((entry for entry in entries if _is(entry, path)), path)
        for path in (DOCKERFLOW_MIDDLEWARE, SECURITY_MIDDLEWARE, WHITENOISE_MIDDLEWARE)
    }
    middleware = [own[DOCKERFLOW_MIDDLEWARE]]
    placed = set(own.values())
    for entry in entries:
        if entry in placed and entry != own[SECURITY_MIDDLEWARE]:
            continue  # Dockerflow goes first, WhiteNoise right after Security
        middleware.append(entry)
        if entry == own[SECURITY_MIDDLEWARE]:
            middleware.append(own[WHITENOISE_MIDDLEWARE])
    if own[SECURITY_MIDDLEWARE] not in middleware:
        middleware[1:1] = [own[SECURITY_MIDDLEWARE], own[WHITENOISE_MIDDLEWARE]]
    if not any(_is(entry, XFRAME_MIDDLEWARE) for entry in middleware):
        middleware.append(XFRAME_MIDDLEWARE)
    return middleware


def merge_storages(user: Any, ctx: Context) -> dict[str, Any]:
    storages = dict(user or {})
    for legacy, alias in LEGACY_STORAGES.items():
        backend = ctx.attributes.get(legacy)
        if backend is None:
            continue
        if alias in storages and storages[alias].get("BACKEND") != backend:
            raise MergeError(
                f"{legacy}={backend!r} and STORAGES[{alias!r}] disagree: keep only "
                f"STORAGES[{alias!r}] (Django 4.2 replaced {legacy} by it)"
            )
        storages[alias] = {"BACKEND": backend}
    manifest = ctx.values.get("STATICFILES_MANIFEST")
    storages.setdefault("default", {"BACKEND": DEFAULT_FILE_STORAGE})
    storages.setdefault(
        "staticfiles", {"BACKEND": MANIFEST_STORAGE if manifest else PLAIN_STATIC_STORAGE}
    )
    return storages


def merge_redirect_exempt(user: Any, ctx: Context) -> list[str]:
    return _unique([*(user or []), *HEALTH_PATH_PATTERNS])


#: The sections of a dictConfig that are merged name by name.
LOGGING_SECTIONS = ("formatters", "filters", "handlers", "loggers")


def merge_logging(user: Any, ctx: Context) -> dict[str, Any]:
    """The mixin's LOGGING with the project's on top: its formatters, filters, handlers
    and loggers replace the mixin's of the same name, its other keys (root...) win."""
    ours = build_logging(ctx)
    if not user:
        return ours
    merged = {**ours, **user}
    for section in LOGGING_SECTIONS:
        merged[section] = {**ours[section], **(user.get(section) or {})}
    return merged
