"""What the table's defaults, merges and checks may depend on."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class Required(Exception):
    """Raised by a default when the setting must be given; ``str()`` says how."""


@dataclass(frozen=True)
class Context:
    """What defaults may depend on. ``values`` holds the settings resolved so far."""

    debug: bool
    base_dir: Path
    project: str
    testing: bool
    values: Mapping[str, Any]
    #: Settings the user set that are not in the table (e.g. CACHES), already resolved.
    attributes: Mapping[str, Any] = field(default_factory=dict)


def sample(*, debug: bool) -> Context:
    """A development (``debug``) or production context for describing defaults in
    docs and reports: paths are shown relative to ``BASE_DIR``."""
    return Context(debug=debug, base_dir=Path("BASE_DIR"), project="", testing=False, values={})
