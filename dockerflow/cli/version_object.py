"""Build and validate the Dockerflow version object (``version.json``).

The object has four string keys: ``source`` (repository URL), ``version`` (a tag or
``git describe`` string), ``commit`` (hex SHA) and ``build`` (CI job URL). Each field
is taken from the first of: an explicit override (the command's flags), the CI
system's environment variables, then ``git`` (both read by
:mod:`dockerflow.cli.version_sources`). Every value is validated here, so credentials
embedded in a URL never reach the object.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from dockerflow.cli.version_sources import CI_SYSTEMS, Found, from_ci_environment, from_git
from dockerflow.masking import has_ambiguous_userinfo, mask_url

FIELDS = ("source", "version", "commit", "build")

_COMMIT_RE = re.compile(r"[0-9a-fA-F]{7,40}")


class VersionObjectError(ValueError):
    """A version object could not be built or is invalid; ``problems`` lists why."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


def validate_field(name: str, value: Any) -> str | None:
    """Return a one-line problem with ``value`` for field ``name``, or ``None`` if valid."""
    if not isinstance(value, str):
        return f"{name} must be a string, got {type(value).__name__} {value!r}"
    if name == "commit":
        valid = _COMMIT_RE.fullmatch(value)
        return None if valid else f"commit {value!r} is not a 7-40 character hexadecimal SHA"
    if name == "version":
        return None if value.strip() else f"version {value!r} must not be empty"
    if value == "":
        return None
    parts = urlsplit(value)
    shown = mask_url(value, keep_user=False)
    if parts.scheme not in ("http", "https") or not parts.hostname or value != value.strip():
        return f"{name} {shown!r} is not an http(s) URL (or empty)"
    # An ambiguous "@" (a raw "/" in a password) hides credentials from urlsplit.
    if parts.username is not None or parts.password is not None or has_ambiguous_userinfo(value):
        return f"{name} {shown!r} must not contain credentials"
    return None


def validate_version_object(data: Any) -> list[str]:
    """Return every problem with a parsed ``version.json`` (empty list when valid)."""
    if not isinstance(data, Mapping):
        return [f"expected a JSON object with keys {', '.join(FIELDS)}, got {type(data).__name__}"]
    problems = [
        validate_field(name, data[name]) if name in data else f"missing key {name!r}"
        for name in FIELDS
    ]
    return [problem for problem in problems if problem]


def collect_version(
    *,
    overrides: Mapping[str, str | None] | None = None,
    environ: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    use_git: bool = True,
) -> Found:
    """Build and validate the version object: ``{field: (value, origin)}`` for each of
    :data:`FIELDS`, in that order. Raises :class:`VersionObjectError` if invalid.

    ``overrides`` maps field names to explicit values (``None`` = not given).
    ``environ`` defaults to ``os.environ``; ``cwd`` (for git) to the working directory.
    """
    found: Found = {k: (v, f"--{k}") for k, v in (overrides or {}).items() if v is not None}
    for name, item in from_ci_environment(os.environ if environ is None else environ).items():
        found.setdefault(name, item)
    git_problem = None
    if use_git and not all(name in found for name in FIELDS):
        commit = found["commit"][0] if "commit" in found else None
        from_checkout, git_problem = from_git(cwd or Path.cwd(), commit=commit)
        for name, item in from_checkout.items():
            found.setdefault(name, item)
    if "commit" not in found:
        looked = ", ".join(f"{ci} ({' + '.join(names)})" for ci, names, _ in CI_SYSTEMS)
        why = f"; git: {git_problem}" if git_problem else ""
        raise VersionObjectError(
            [f"could not determine the commit: no CI variables found (looked for {looked}){why}"]
        )
    # Untagged build without usable git: the commit is the most precise version there is.
    found.setdefault("version", (found["commit"][0], f"{found['commit'][1]} (no tag)"))
    found.setdefault("source", ("", "not found"))
    found.setdefault("build", ("", "not found"))
    problems = [
        f"{problem} (from {found[name][1]})"
        for name in FIELDS
        if (problem := validate_field(name, found[name][0]))
    ]
    if problems:
        raise VersionObjectError(problems)
    return {name: found[name] for name in FIELDS}
