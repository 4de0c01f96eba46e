"""Where a variable's text comes from: the real environment, then a ``.env`` file, and
for a secret the file ``<VARIABLE>_FILE`` names (secrets mounted as files).

``.env`` is read with python-decouple's ``RepositoryEnv`` from an explicit path
(``decouple.config`` searches from the calling module's directory: this library's).
Nothing is written to ``os.environ``; an empty or blank value counts as unset.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from decouple import RepositoryEnv

from dockerflow.version import UnusableFile, read_small_file
from dockerflow_settings.errors import Problem
from dockerflow_settings.parsing import is_unset

ENVIRONMENT = "environment"
DOTENV = ".env"
DOTENV_NAME = ".env"
#: Secret files larger than this are refused (a key, a URL or a DSN is far smaller).
MAX_SECRET_FILE_BYTES = 64 * 1024


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
        #: Secret files that work but should not be left as they are.
        self.warnings: list[str] = []
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

    def lookup(self, name: str, *, file_variable: bool = False) -> FoundVariable | Problem | None:
        """``name``'s text; with ``file_variable``, else the content of the file that
        ``<name>_FILE`` names. A Problem when both are set or the file is unusable."""
        found = self._text(name)
        if not file_variable:
            return found
        named = self._text(f"{name}_FILE")
        if named is None:
            return found
        if found is not None:
            return Problem(
                f"{name} and {named.name}",
                f"one of them, not both (set in {found.origin} and {named.origin})",
            )
        return self._read_file(named)

    def _text(self, name: str) -> FoundVariable | None:
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

    def _read_file(self, named: FoundVariable) -> FoundVariable | Problem:
        path = named.text.strip()
        try:
            raw = read_small_file(path, MAX_SECRET_FILE_BYTES)
        except UnusableFile as exc:
            return Problem(
                named.name,
                f"a readable secret file ({exc.reason})",
                value=path,
                origin=named.origin,
            )
        if raw is None:
            return Problem(named.name, "an existing secret file", value=path, origin=named.origin)
        try:
            text = raw.decode("utf-8").rstrip("\r\n")
        except UnicodeDecodeError:
            return Problem(named.name, "a UTF-8 text file", value=path, origin=named.origin)
        if is_unset(text):
            return Problem(
                named.name,
                "a file containing the secret, not an empty one",
                value=path,
                origin=named.origin,
            )
        if "\0" in text:
            self.warnings.append(f"{named.name}: {path} contains a NUL character (a binary file?)")
        if os.stat(path).st_mode & stat.S_IROTH:
            self.warnings.append(
                f"{named.name}: {path} is readable by every user on this machine "
                "(chmod o-r, or defaultMode: 0440 on a Kubernetes secret volume)"
            )
        origin = f"file {path} (named by {named.origin})"
        return FoundVariable(named.name, text, named.source, origin)
