"""How merged settings combine the project's value with what Dockerflow needs.

Each function takes the project's value (None when it set none) and the context,
and returns a new object: the project's own list or dict is never mutated (it may
be one of Django's global defaults, see django-configurations' copied defaults).
"""

from __future__ import annotations

from typing import Any

from dockerflow_settings.context import Context

DOCKERFLOW_APP = "dockerflow.django"
STATICFILES_APP = "django.contrib.staticfiles"
WHITENOISE_APP = "whitenoise.runserver_nostatic"
DOCKERFLOW_MIDDLEWARE = "dockerflow.django.middleware.DockerflowMiddleware"
SECURITY_MIDDLEWARE = "django.middleware.security.SecurityMiddleware"
WHITENOISE_MIDDLEWARE = "whitenoise.middleware.WhiteNoiseMiddleware"
XFRAME_MIDDLEWARE = "django.middleware.clickjacking.XFrameOptionsMiddleware"
MANIFEST_STORAGE = "whitenoise.storage.CompressedManifestStaticFilesStorage"
PLAIN_STATIC_STORAGE = "django.contrib.staticfiles.storage.StaticFilesStorage"
DEFAULT_FILE_STORAGE = "django.core.files.storage.FileSystemStorage"
#: Django matches SECURE_REDIRECT_EXEMPT against the path without its leading slash.
HEALTH_PATH_PATTERNS = (r"^__heartbeat__/?$", r"^__lbheartbeat__/?$", r"^__version__/?$")


def _unique(items: Any) -> list[Any]:
    seen: list[Any] = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return seen


def _is_app(entry: str, app: str) -> bool:
    # "django.contrib.staticfiles" or its AppConfig path "django.contrib.staticfiles.apps.X".
    return entry == app or entry.startswith(app + ".apps.")


def merge_installed_apps(user: Any, ctx: Context) -> list[str]:
    apps = [app for app in _unique(user or []) if app != WHITENOISE_APP]
    if not any(_is_app(app, DOCKERFLOW_APP) for app in apps):
        apps.append(DOCKERFLOW_APP)
    if not any(_is_app(app, STATICFILES_APP) for app in apps):
        apps.append(STATICFILES_APP)
    position = next(i for i, app in enumerate(apps) if _is_app(app, STATICFILES_APP))
    return [*apps[:position], WHITENOISE_APP, *apps[position:]]


def merge_middleware(user: Any, ctx: Context) -> list[str]:
    middleware = [DOCKERFLOW_MIDDLEWARE]
    for entry in _unique(user or []):
        if entry in (DOCKERFLOW_MIDDLEWARE, WHITENOISE_MIDDLEWARE):
            continue
        middleware.append(entry)
        if entry == SECURITY_MIDDLEWARE:
            middleware.append(WHITENOISE_MIDDLEWARE)
    if SECURITY_MIDDLEWARE not in middleware:
        middleware[1:1] = [SECURITY_MIDDLEWARE, WHITENOISE_MIDDLEWARE]
    if XFRAME_MIDDLEWARE not in middleware:
        middleware.append(XFRAME_MIDDLEWARE)
    return middleware


def merge_storages(user: Any, ctx: Context) -> dict[str, Any]:
    storages = dict(user or {})
    manifest = ctx.values.get("STATICFILES_MANIFEST")
    static_backend = MANIFEST_STORAGE if manifest else PLAIN_STATIC_STORAGE
    storages.setdefault("default", {"BACKEND": DEFAULT_FILE_STORAGE})
    storages.setdefault("staticfiles", {"BACKEND": static_backend})
    return storages


def merge_redirect_exempt(user: Any, ctx: Context) -> list[str]:
    return _unique([*(user or []), *HEALTH_PATH_PATTERNS])
