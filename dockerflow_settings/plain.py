"""``configure(globals())``: the same settings in a plain settings.py."""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from typing import Any

from dockerflow_settings import merging, report, sentry, table
from dockerflow_settings.resolve import MODULE_GLOBAL, Attribute, project_location, resolve


def configure(
    namespace: MutableMapping[str, Any], *, environ: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Apply the Dockerflow settings to a settings module's ``globals()``.

    The module's uppercase globals play the role of class attributes: a table
    setting the module already defines is fixed (delete the line to make it
    configurable from the environment); INSTALLED_APPS, MIDDLEWARE, STORAGES and
    SECURE_REDIRECT_EXEMPT are merged (legacy DEFAULT_FILE_STORAGE and
    STATICFILES_STORAGE are translated into STORAGES and removed). BASE_DIR defaults to
    the directory holding the module's top-level package. Raises ``ConfigurationError``
    listing every problem. Returns the settings applied.
    """
    module = str(namespace.get("__name__", "settings"))
    base_dir, project = project_location(module, namespace.get("__file__"))
    attributes: dict[str, Attribute] = {}
    extra: dict[str, Any] = {}
    for name, value in namespace.items():
        if name.upper() != name or name.startswith("_"):
            continue
        if name in table.SETTING_NAMES:
            attributes[name] = Attribute(value, f"module global {name}", source=MODULE_GLOBAL)
        else:
            extra[name] = value
    resolution = resolve(
        attributes, environ=environ, base_dir=base_dir, project=project, extra=extra
    )
    if not resolution.problems:
        resolution.problems.extend(sentry.start(resolution.values))
    resolution.raise_for_problems()
    for legacy in merging.LEGACY_STORAGES:  # translated into STORAGES
        namespace.pop(legacy, None)
    namespace.update(resolution.settings)
    report.record(report.Recorded(module, None, attributes, extra, base_dir, project, resolution))
    return dict(resolution.settings)
