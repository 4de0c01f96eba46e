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
    "sphinx.ext.intersphinx",
    "sphinx.ext.viewcode",
]
exclude_patterns = ["_build"]
html_theme = "furo"
html_static_path = ["_static"]
nitpicky = True
autodoc_member_order = "bysource"
autodoc_typehints = "description"
intersphinx_mapping = {}
nitpick_ignore_regex = []
