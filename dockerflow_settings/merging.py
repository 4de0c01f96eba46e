"""How merged settings combine the project's value with what Dockerflow needs.

Each function takes the project's value (None when it set none) and the context, and
returns a new object: the project's own list or dict is never mutated (it may be one of
Django's global defaults, see django-configurations' copied defaults). The project's
entries keep their order; one of its entries that is a subclass of a class the mixin
adds (its own ``SecurityMiddleware``, ``WhiteNoiseMiddleware`` or
``DockerflowMiddleware``) takes that class's place, so its behaviour is not shadowed.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from django.utils.module_loading import import_string

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
HEALTH_PATH_PATTERNS = (r"^__heartbeat__/?$", r"^__lbheartbeat__/?$", r"^__version__/?$")


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
def _class_paths(entry: str) -> frozenset[str]:
    """The dotted paths of the class ``entry`` names and of all its bases; just
    ``{entry}`` when it cannot be imported (Django then reports it, as it would have)."""
    try:
        cls = import_string(entry)
        return frozenset(f"{klass.__module__}.{klass.__qualname__}" for klass in cls.__mro__)
    except Exception:  # any failure of the project's module: leave the entry as written
        return frozenset({entry})


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
