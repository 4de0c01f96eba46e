"""Build and validate the Dockerflow version object (``version.json``).

The object has four string keys: ``source`` (repository URL), ``version`` (a tag or
``git describe`` string), ``commit`` (hex SHA) and ``build`` (CI job URL).

Each field is taken from the first of these that provides it:

1. an explicit override (the ``dockerflow_version`` command's flags);
2. the CI system's environment variables, then
3. ``git`` in the working directory (both read by :mod:`dockerflow.cli.version_sources`).

Every value is validated here, so credentials embedded in a URL never reach the object.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from dockerflow.cli.version_sources import (
    CI_COMMIT_VARIABLES,
    Found,
    from_ci_environment,
    from_git,
)
from dockerflow.masking import has_ambiguous_userinfo, mask_url

FIELDS = ("source", "version", "commit", "build")

_COMMIT_RE = re.compile(r"[0-9a-fA-F]{7,40}")


@dataclasses.dataclass(frozen=True)
class CollectedVersion:
    """A version object built by :func:`collect_version`, and where each field came from."""

    source: str
    version: str
    commit: str
    build: str
    origins: dict[str, str] = dataclasses.field(default_factory=dict, compare=False)
    ci: str | None = None

    def as_dict(self) -> dict[str, str]:
        """The version object as written to ``version.json``."""
        return {name: getattr(self, name) for name in FIELDS}


class VersionObjectError(ValueError):
    """A version object could not be built or is invalid; ``problems`` lists why."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


# -- validation ---------------------------------------------------------------


def _http_url_problem(name: str, value: str) -> str | None:
    if value == "":
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or value != value.strip():
        return f"{name} {mask_url(value, keep_user=False)!r} is not an http(s) URL (or empty)"
    # An ambiguous "@" (a raw "/" in a password) hides credentials from urlsplit.
    if parts.username is not None or parts.password is not None or has_ambiguous_userinfo(value):
        return f"{name} {mask_url(value, keep_user=False)!r} must not contain credentials"
    return None


def validate_field(name: str, value: Any) -> str | None:
    """Return a one-line problem with ``value`` for field ``name``, or ``None`` if valid."""
    if not isinstance(value, str):
        return f"{name} must be a string, got {type(value).__name__} {value!r}"
    if name == "commit":
        if not _COMMIT_RE.fullmatch(value):
            return f"commit {value!r} is not a 7-40 character hexadecimal SHA"
        return None
    if name == "version":
        return None if value.strip() else f"version {value!r} must not be empty"
    return _http_url_problem(name, value)


def validate_version_object(data: Any) -> list[str]:
    """Return every problem with a parsed ``version.json`` (empty list when valid)."""
    if not isinstance(data, dict):
        return [f"expected a JSON object with keys {', '.join(FIELDS)}, got {type(data).__name__}"]
    problems = []
    for name in FIELDS:
        if name not in data:
            problems.append(f"missing key {name!r}")
            continue
        problem = validate_field(name, data[name])
        if problem:
            problems.append(problem)
    return problems


# -- assembly -------------------------------------------------------------------


def collect_version(
    *,
    overrides: Mapping[str, str | None] | None = None,
    environ: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    use_git: bool = True,
) -> CollectedVersion:
    """Build and validate the version object; raise :class:`VersionObjectError` if invalid.

    ``overrides`` maps field names to explicit values (``None`` = not given).
    ``environ`` defaults to ``os.environ``; ``cwd`` (for git) to the working directory.
    """
    overrides = {k: v for k, v in (overrides or {}).items() if v is not None}
    unknown = set(overrides) - set(FIELDS)
    if unknown:
        raise ValueError(f"unknown version fields: {', '.join(sorted(unknown))}")
    ci, from_ci = from_ci_environment(os.environ if environ is None else environ)
    values: Found = {name: (value, f"--{name}") for name, value in overrides.items()}
    for name, item in from_ci.items():
        values.setdefault(name, item)

    git_problem = None
    if use_git and not all(name in values for name in FIELDS):
        commit = values["commit"][0] if "commit" in values else None
        from_checkout, git_problem = from_git(cwd or Path.cwd(), commit=commit)
        for name, item in from_checkout.items():
            values.setdefault(name, item)

    if "commit" not in values:
        looked = ", ".join(
            f"{ci_name} ({' + '.join(needed)})" for ci_name, needed in CI_COMMIT_VARIABLES.items()
        )
        why = f"; git: {git_problem}" if git_problem else ""
        raise VersionObjectError(
            [f"could not determine the commit: no CI variables found (looked for {looked}){why}"]
        )
    # Untagged build without usable git: the commit is the most precise version there is.
    values.setdefault("version", (values["commit"][0], f"{values['commit'][1]} (no tag)"))
    values.setdefault("source", ("", "not found"))
    values.setdefault("build", ("", "not found"))

    problems = []
    for name in FIELDS:
        value, origin = values[name]
        problem = validate_field(name, value)
        if problem:
            problems.append(f"{problem} (from {origin})")
    if problems:
        raise VersionObjectError(problems)
    return CollectedVersion(
        **{name: values[name][0] for name in FIELDS},
        origins={name: values[name][1] for name in FIELDS},
        ci=ci,
    )
