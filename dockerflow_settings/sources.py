"""Where a variable's text comes from: the real environment, then a ``.env`` file.

The ``.env`` file is read with python-decouple's ``RepositoryEnv`` from an explicit
path (``decouple.config`` would search from this library's own directory). Nothing
is ever written to ``os.environ``. An empty or blank value counts as unset, so the
next source is consulted.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from decouple import RepositoryEnv

from dockerflow_settings.errors import Problem
from dockerflow_settings.parsing import is_unset

ENVIRONMENT = "environment"
DOTENV = ".env"
DOTENV_NAME = ".env"


@dataclass(frozen=True)
class FoundVariable:
    """A variable's text and where it was found."""

    name: str
    text: str
    source: str  # ENVIRONMENT or DOTENV
    origin: str  # human text, e.g. "environment variable DJANGO_DEBUG"


class Sources:
    """Looks variables up in ``environ`` (default ``os.environ``), then ``dotenv_path``."""

    def __init__(
        self, environ: Mapping[str, str] | None = None, dotenv_path: Path | None = None
    ) -> None:
        self.environ = os.environ if environ is None else environ
        self.dotenv_path = dotenv_path
        self.problems: list[Problem] = []
        self._dotenv: RepositoryEnv | None = None
        if dotenv_path is not None and dotenv_path.exists():
            try:
                self._dotenv = RepositoryEnv(str(dotenv_path))
            except (OSError, UnicodeDecodeError) as exc:
                self.problems.append(
                    Problem(
                        str(dotenv_path),
                        f"a readable UTF-8 .env file, or no file ({type(exc).__name__}: {exc})",
                    )
                )

    def lookup(self, name: str) -> FoundVariable | None:
        text = self.environ.get(name)
        if not is_unset(text):
            return FoundVariable(name, text, ENVIRONMENT, f"environment variable {name}")  # type: ignore[arg-type]
        if self._dotenv is not None:
            try:
                text = self._dotenv[name]
            except KeyError:
                return None
            if not is_unset(text):
                return FoundVariable(name, text, DOTENV, f"{name} in {self.dotenv_path}")
        return None
