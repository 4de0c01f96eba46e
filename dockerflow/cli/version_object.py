"""Build and validate the Dockerflow version object (``version.json``): ``source``,
``version``, ``commit`` and ``build``, each from the command's options, else the CI
system's variables, else ``git``, with its origin, which error messages name. Repository
URLs go through :func:`public_repository_url`: credentials never reach the object.
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from dockerflow.masking import has_ambiguous_userinfo, mask_url

FIELDS = ("source", "version", "commit", "build")

#: field -> (value, origin)
Found = dict[str, tuple[str, str]]

_COMMIT_RE = re.compile(r"[0-9a-fA-F]{7,40}")
# scp-like git remote: [user@]host:path (no "://").
_SCP_RE = re.compile(r"(?:[^@/:]+@)?(?P<host>[^@/:]+):(?P<path>(?!/).*)")
_CONVERTIBLE_SCHEMES = {"ssh", "git", "git+ssh", "ssh+git", "https", "git+https", "http"}
_GIT_TIMEOUT = 10.0


def public_repository_url(url: str) -> str:
    """A git remote or repository URL as a browsable URL without credentials: scp-like,
    ``ssh://`` and ``git://`` remotes become ``https://host/org/repo``; ``http(s)`` URLs keep
    scheme and port, lose user-info, query and fragment; a trailing ``.git`` or ``/`` goes.
    ``""`` when ``url`` is not a network URL (a local path, ``file://``...)."""
    url = url.strip()
    if "://" not in url:
        match = _SCP_RE.fullmatch(url)
        if not match:
            return ""
        scheme, host, path, port = "https", match["host"], match["path"], None
    else:
        parts = urlsplit(url)
        given = parts.scheme.lower()
        if given not in _CONVERTIBLE_SCHEMES or not parts.hostname:
            return ""
        scheme = "http" if given == "http" else "https"
        host, path = parts.hostname, parts.path
        # An ssh/git port means nothing over https; an http(s) port does.
        port = parts.port if given in ("http", "https") else None
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    netloc = f"{host}:{port}" if port else host
    path = path.strip("/").removesuffix(".git")
    return f"{scheme}://{netloc}/{path}" if path else f"{scheme}://{netloc}"


def _tag(ref: str) -> str:
    return ref.removeprefix("refs/tags/") if ref.startswith("refs/tags/") else ""


def _from_environ(
    found: Found,
    field: str,
    env: Mapping[str, str],
    *names: str,
    convert: Callable[[str], str] = str,
) -> None:
    # Unless ``field`` is already found: the first of ``names`` whose value converts
    # to something not empty.
    for name in names:
        value = convert(env.get(name, ""))
        if value and field not in found:
            found[field] = (value, name)


def _github_actions(env: Mapping[str, str]) -> Found:
    found: Found = {"commit": (env["GITHUB_SHA"], "GITHUB_SHA")}
    if env.get("GITHUB_REPOSITORY"):
        server = env.get("GITHUB_SERVER_URL", "https://github.com").rstrip("/")
        origin = "GITHUB_SERVER_URL + GITHUB_REPOSITORY"
        found["source"] = (source := f"{server}/{env['GITHUB_REPOSITORY']}", origin)
        if env.get("GITHUB_RUN_ID"):
            build = f"{source}/actions/runs/{env['GITHUB_RUN_ID']}"
            origin += " + GITHUB_RUN_ID"
            if env.get("GITHUB_RUN_ATTEMPT"):
                build += f"/attempts/{env['GITHUB_RUN_ATTEMPT']}"
                origin += " + GITHUB_RUN_ATTEMPT"
            found["build"] = (build, origin)
    if env.get("GITHUB_REF_TYPE") == "tag":
        _from_environ(found, "version", env, "GITHUB_REF_NAME")
    _from_environ(found, "version", env, "GITHUB_REF", convert=_tag)
    return found


def _circleci(env: Mapping[str, str]) -> Found:
    found: Found = {"commit": (env["CIRCLE_SHA1"], "CIRCLE_SHA1")}
    _from_environ(found, "version", env, "CIRCLE_TAG")
    _from_environ(found, "build", env, "CIRCLE_BUILD_URL")
    _from_environ(found, "source", env, "CIRCLE_REPOSITORY_URL", convert=public_repository_url)
    user, repo = env.get("CIRCLE_PROJECT_USERNAME"), env.get("CIRCLE_PROJECT_REPONAME")
    if user and repo and "source" not in found:
        origin = "CIRCLE_PROJECT_USERNAME + CIRCLE_PROJECT_REPONAME"
        found["source"] = (f"https://github.com/{user}/{repo}", origin)
    return found


def _gitlab_ci(env: Mapping[str, str]) -> Found:
    found: Found = {"commit": (env["CI_COMMIT_SHA"], "CI_COMMIT_SHA")}
    _from_environ(found, "version", env, "CI_COMMIT_TAG")
    _from_environ(found, "source", env, "CI_PROJECT_URL", convert=public_repository_url)
    _from_environ(found, "build", env, "CI_JOB_URL", "CI_PIPELINE_URL")
    return found


def _taskcluster(env: Mapping[str, str]) -> Found:
    root = env["TASKCLUSTER_ROOT_URL"].rstrip("/")
    found: Found = {"build": (f"{root}/tasks/{env['TASK_ID']}", "TASKCLUSTER_ROOT_URL + TASK_ID")}
    _from_environ(found, "commit", env, "VCS_HEAD_REV", "GITHUB_HEAD_SHA")
    _from_environ(found, "source", env, "VCS_HEAD_REPOSITORY", convert=public_repository_url)
    _from_environ(found, "source", env, "GITHUB_HEAD_REPO_URL", convert=public_repository_url)
    _from_environ(found, "version", env, "GITHUB_HEAD_TAG")
    _from_environ(found, "version", env, "VCS_HEAD_REF", "GITHUB_HEAD_REF", convert=_tag)
    return found


#: The CI systems, in detection order: name, the variables that identify it, its reader.
CI_SYSTEMS: list[tuple[str, tuple[str, ...], Callable[[Mapping[str, str]], Found]]] = [
    ("GitHub Actions", ("GITHUB_SHA",), _github_actions),
    ("CircleCI", ("CIRCLE_SHA1",), _circleci),
    ("GitLab CI", ("CI_COMMIT_SHA",), _gitlab_ci),
    ("Taskcluster", ("TASK_ID", "TASKCLUSTER_ROOT_URL"), _taskcluster),
]


def from_ci_environment(environ: Mapping[str, str]) -> Found:
    """The fields the first CI system identified in ``environ`` provides (``{}``: none)."""
    # An empty variable counts as unset: CI templates often pass "" for "not a tag".
    env = {key: value.strip() for key, value in environ.items() if value.strip()}
    for _, required, read in CI_SYSTEMS:
        if all(name in env for name in required):
            return read(env)
    return {}


def _git(cwd: Path, *args: str) -> str:
    """Output of ``git args`` in ``cwd``; raises ``OSError``/``SubprocessError``."""
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}
    done = subprocess.run(
        ["git", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=_GIT_TIMEOUT,
        check=True,
    )
    return done.stdout.strip()


def from_git(cwd: Path, *, commit: str | None = None) -> tuple[Found, str | None]:
    """Fields from the git checkout at ``cwd``, and why git failed (or ``None``). No
    ``version`` unless HEAD is ``commit`` (if given): it would mislabel the build."""
    try:
        head = _git(cwd, "rev-parse", "HEAD")
    except subprocess.CalledProcessError as exc:
        lines = (exc.stderr or "").strip().splitlines()
        return {}, lines[0] if lines else f"git exited with status {exc.returncode}"
    except subprocess.TimeoutExpired:
        return {}, f"git did not answer within {_GIT_TIMEOUT:g} s"
    except OSError as exc:
        return {}, f"git could not be run ({exc})"
    found: Found = {"commit": (head, "git rev-parse HEAD")}
    # Either may fail on an odd repository: the commit is then the version, and no
    # "origin" remote leaves the source empty.
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        if commit is None or commit.lower() == head.lower():
            found["version"] = (_git(cwd, "describe", "--tags", "--always"), "git describe")
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        source = public_repository_url(_git(cwd, "remote", "get-url", "origin"))
        if source:
            found["source"] = (source, "git remote get-url origin")
    return found, None


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


def validate_version_object(data: Mapping[str, Any]) -> list[str]:
    """Every problem with the fields of a ``version.json`` object (none: valid)."""
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
    :data:`FIELDS`, in that order, or :class:`VersionObjectError`. ``overrides``: explicit
    values (``None``: not given); ``environ``, ``cwd`` (for git): the process's by default."""
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
