"""Sphinx configuration. Built by `tox -e docs` with -W -n (warnings are errors)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent / "_ext"))

# autodoc imports Django modules: give them a minimal configured Django.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "docs.django_settings")
import django  # noqa: E402

django.setup()

project = "dockerflow-settings"
author = "dockerflow-settings developers"
copyright = "2026, dockerflow-settings developers"
release = version = "0.1.0"

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.viewcode",
    # docs/_ext: the configuration reference, generated from the code's tables.
    "dockerflow_reference",
]
exclude_patterns = ["_build"]
html_theme = "furo"
html_static_path = ["_static"]
nitpicky = True
autodoc_member_order = "bysource"
autodoc_typehints = "description"
# No intersphinx: the docs build offline (tox, CI sandboxes without network), so
# references to the standard library, Django and other third-party types cannot be
# resolved. They are ignored narrowly, by the modules they come from; a reference to
# one of our own names that does not resolve is still an error.
nitpick_ignore_regex = [
    # Standard library types in signatures (typing, collections.abc, logging, ...).
    (
        r"py:.*",
        r"(typing|collections\.abc|contextvars|logging|os|pathlib|json|types|threading)\..*",
    ),
    (r"py:.*", r"(Any|Callable|Iterable|Iterator|Mapping|Sequence|Collection|Awaitable|IO|T)"),
    (r"py:class", r"(ContextVar|Token|Path|PathLike|LogRecord|Logger|Formatter|Handler)"),
    (r"py:class", r"(StreamHandler|Filter|Exception|ValueError|TextIO)"),
    # TypeVars of generic signatures (register() keeps the decorated function's type).
    (r"py:class", r"dockerflow\.checks\.registry\.(F|CheckResults)|dockerflow\.django\.conf\.T"),
    # Internal types that appear in public signatures (DockerflowConfiguration's
    # dockerflow_resolution(), Setting's default callable); not part of the API.
    (r"py:class", r"dockerflow_settings\.(resolve\.(Resolution|Entry)|report\.EnvironmentCheck)"),
    (r"py:class", r"(dockerflow\.django\.asgi\.)?ASGIApp|ASGIHandler|Problem"),
    # Django's types: HttpRequest, HttpResponse, Signal, CheckMessage, ...
    (r"py:.*", r"django\..*"),
    (r"py:class", r"(HttpRequest|HttpResponse|HttpResponseBase|Signal)"),
]
