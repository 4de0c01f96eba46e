"""Where the version object's fields come from: CI environment variables and git.

Used by :func:`dockerflow.cli.version_object.collect_version`. Repository URLs found
here go through :func:`public_repository_url`, so credentials embedded in a git
remote never reach the object.
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
from collections.abc import Callable, Mapping
from pathlib import Path
from urllib.parse import urlsplit

#: Variables read for each CI system, in detection order. A system is detected by
#: the first variable(s) listed (its commit variable), not by a marker such as
#: ``GITHUB_ACTIONS``, so values passed into ``docker build`` as build args work.
CI_VARIABLES: dict[str, tuple[str, ...]] = {
    "GitHub Actions": (
        "GITHUB_SHA",
        "GITHUB_SERVER_URL",
        "GITHUB_REPOSITORY",
        "GITHUB_REF_TYPE",
        "GITHUB_REF_NAME",
        "GITHUB_REF",
        "GITHUB_RUN_ID",
        "GITHUB_RUN_ATTEMPT",
    ),
    "CircleCI": (
        "CIRCLE_SHA1",
        "CIRCLE_TAG",
        "CIRCLE_BUILD_URL",
        "CIRCLE_REPOSITORY_URL",
        "CIRCLE_PROJECT_USERNAME",
        "CIRCLE_PROJECT_REPONAME",
    ),
    "GitLab CI": (
        "CI_COMMIT_SHA",
        "CI_COMMIT_TAG",
        "CI_PROJECT_URL",
        "CI_JOB_URL",
        "CI_PIPELINE_URL",
    ),
    "Taskcluster": (
        "TASK_ID",
        "TASKCLUSTER_ROOT_URL",
        "VCS_HEAD_REV",
        "VCS_HEAD_REPOSITORY",
        "VCS_HEAD_REF",
        "GITHUB_HEAD_SHA",
        "GITHUB_HEAD_REPO_URL",
        "GITHUB_HEAD_TAG",
        "GITHUB_HEAD_REF",
    ),
}

# scp-like git remote: [user@]host:path (no "://").
_SCP_RE = re.compile(r"(?:[^@/:]+@)?(?P<host>[^@/:]+):(?P<path>(?!/).*)")
_CONVERTIBLE_SCHEMES = {"ssh", "git", "git+ssh", "ssh+git", "https", "git+https", "http"}
_GIT_TIMEOUT = 10.0


# -- repository URLs -----------------------------------------------------------


def public_repository_url(url: str) -> str:
    """Turn a git remote or repository URL into a browsable URL without credentials.

    ``git@host:org/repo.git``, ``ssh://git@host:22/org/repo`` and ``git://host/org/repo``
    become ``https://host/org/repo``; ``http(s)`` URLs keep their scheme and port but
    lose any user/password, query and fragment. A trailing ``.git`` or ``/`` is dropped.
    Returns ``""`` when ``url`` is not a network URL (a local path, ``file://``...).
    """
    url = url.strip()
    if "://" not in url:
        match = _SCP_RE.fullmatch(url)
        if not match:
            return ""
        host, path, port = match["host"], match["path"], None
        scheme = "https"
    else:
        parts = urlsplit(url)
        if parts.scheme.lower() not in _CONVERTIBLE_SCHEMES or not parts.hostname:
            return ""
        host, path = parts.hostname, parts.path
        scheme = "http" if parts.scheme.lower() == "http" else "https"
        # An ssh/git port means nothing over https; an http(s) port does.
        port = parts.port if parts.scheme.lower() in ("http", "https") else None
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    path = path.strip("/")
    path = path.removesuffix(".git")
    netloc = f"{host}:{port}" if port else host
    return f"{scheme}://{netloc}/{path}" if path else f"{scheme}://{netloc}"


# -- CI environments -------------------------------------------------------------

Found = dict[str, tuple[str, str]]  # field -> (value, origin)


def _take_first(found: Found, field: str, env: Mapping[str, str], *names: str) -> None:
    # Sets ``field`` from the first of ``names`` that is set.
    for name in names:
        if env.get(name):
            found[field] = (env[name], name)
            return


def _tag_from_ref(ref: str) -> str:
    return ref.removeprefix("refs/tags/") if ref.startswith("refs/tags/") else ""


def _github_actions(env: Mapping[str, str]) -> Found:
    found: Found = {"commit": (env["GITHUB_SHA"], "GITHUB_SHA")}
    server = env.get("GITHUB_SERVER_URL") or "https://github.com"
    repository = env.get("GITHUB_REPOSITORY")
    if repository:
        source = f"{server.rstrip('/')}/{repository}"
        found["source"] = (source, "GITHUB_SERVER_URL + GITHUB_REPOSITORY")
        run_id = env.get("GITHUB_RUN_ID")
        if run_id:
            build = f"{source}/actions/runs/{run_id}"
            origin = "GITHUB_SERVER_URL + GITHUB_REPOSITORY + GITHUB_RUN_ID"
            attempt = env.get("GITHUB_RUN_ATTEMPT")
            if attempt:
                build += f"/attempts/{attempt}"
                origin += " + GITHUB_RUN_ATTEMPT"
            found["build"] = (build, origin)
    if env.get("GITHUB_REF_TYPE") == "tag" and env.get("GITHUB_REF_NAME"):
        found["version"] = (env["GITHUB_REF_NAME"], "GITHUB_REF_NAME (GITHUB_REF_TYPE=tag)")
    elif _tag_from_ref(env.get("GITHUB_REF", "")):
        found["version"] = (_tag_from_ref(env["GITHUB_REF"]), "GITHUB_REF")
    return found


def _circleci(env: Mapping[str, str]) -> Found:
    found: Found = {"commit": (env["CIRCLE_SHA1"], "CIRCLE_SHA1")}
    _take_first(found, "version", env, "CIRCLE_TAG")
    _take_first(found, "build", env, "CIRCLE_BUILD_URL")
    source = public_repository_url(env.get("CIRCLE_REPOSITORY_URL", ""))
    if source:
        found["source"] = (source, "CIRCLE_REPOSITORY_URL")
    elif env.get("CIRCLE_PROJECT_USERNAME") and env.get("CIRCLE_PROJECT_REPONAME"):
        source = (
            f"https://github.com/{env['CIRCLE_PROJECT_USERNAME']}/{env['CIRCLE_PROJECT_REPONAME']}"
        )
        found["source"] = (source, "CIRCLE_PROJECT_USERNAME + CIRCLE_PROJECT_REPONAME")
    return found


def _gitlab_ci(env: Mapping[str, str]) -> Found:
    found: Found = {"commit": (env["CI_COMMIT_SHA"], "CI_COMMIT_SHA")}
    _take_first(found, "version", env, "CI_COMMIT_TAG")
    if env.get("CI_PROJECT_URL"):
        found["source"] = (public_repository_url(env["CI_PROJECT_URL"]), "CI_PROJECT_URL")
    _take_first(found, "build", env, "CI_JOB_URL", "CI_PIPELINE_URL")
    return found


def _taskcluster(env: Mapping[str, str]) -> Found:
    found: Found = {}
    root = env["TASKCLUSTER_ROOT_URL"].rstrip("/")
    found["build"] = (f"{root}/tasks/{env['TASK_ID']}", "TASKCLUSTER_ROOT_URL + TASK_ID")
    _take_first(found, "commit", env, "VCS_HEAD_REV", "GITHUB_HEAD_SHA")
    _take_first(found, "source", env, "VCS_HEAD_REPOSITORY", "GITHUB_HEAD_REPO_URL")
    if "source" in found:
        found["source"] = (public_repository_url(found["source"][0]), found["source"][1])
    if env.get("GITHUB_HEAD_TAG"):
        found["version"] = (env["GITHUB_HEAD_TAG"], "GITHUB_HEAD_TAG")
    else:
        for name in ("VCS_HEAD_REF", "GITHUB_HEAD_REF"):
            if _tag_from_ref(env.get(name, "")):
                found["version"] = (_tag_from_ref(env[name]), name)
                break
    return found


_DETECTORS: list[tuple[str, tuple[str, ...], Callable[[Mapping[str, str]], Found]]] = [
    ("GitHub Actions", ("GITHUB_SHA",), _github_actions),
    ("CircleCI", ("CIRCLE_SHA1",), _circleci),
    ("GitLab CI", ("CI_COMMIT_SHA",), _gitlab_ci),
    ("Taskcluster", ("TASK_ID", "TASKCLUSTER_ROOT_URL"), _taskcluster),
]

#: The variables that identify each CI system, in detection order.
CI_COMMIT_VARIABLES = {name: required for name, required, _ in _DETECTORS}


def from_ci_environment(environ: Mapping[str, str]) -> tuple[str | None, Found]:
    """Detect the CI system from ``environ`` and return ``(name, fields found)``."""
    # An empty variable counts as unset: CI templates often pass "" for "not a tag".
    env = {key: value.strip() for key, value in environ.items() if value.strip()}
    for name, required, read in _DETECTORS:
        if all(env.get(var) for var in required):
            return name, read(env)
    return None, {}


# -- git ------------------------------------------------------------------------


def _git(cwd: Path, *args: str) -> str:
    """Output of ``git args`` in ``cwd``; raises ``OSError``/``CalledProcessError``."""
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}
    completed = subprocess.run(
        ["git", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=_GIT_TIMEOUT,
        check=True,
    )
    return completed.stdout.strip()


def _git_error(exc: Exception) -> str:
    if isinstance(exc, subprocess.CalledProcessError):
        lines = (exc.stderr or "").strip().splitlines()
        return lines[0] if lines else f"git exited with status {exc.returncode}"
    if isinstance(exc, subprocess.TimeoutExpired):
        return f"git did not answer within {_GIT_TIMEOUT:g} s"
    return f"git could not be run ({exc})"


def from_git(cwd: Path, *, commit: str | None = None) -> tuple[Found, str | None]:
    """Fields from the git checkout at ``cwd``, and why git failed (or ``None``).

    ``version`` (``git describe --tags --always``) is only used when HEAD is
    ``commit`` (if given): describing another commit would mislabel the build.
    """
    found: Found = {}
    try:
        head = _git(cwd, "rev-parse", "HEAD")
    except (OSError, subprocess.SubprocessError) as exc:
        return found, _git_error(exc)
    found["commit"] = (head, "git rev-parse HEAD")
    if commit is None or commit.lower() == head.lower():
        # --always only fails on odd repositories; the commit is then the version.
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            found["version"] = (_git(cwd, "describe", "--tags", "--always"), "git describe")
    try:
        remote = public_repository_url(_git(cwd, "remote", "get-url", "origin"))
    except (OSError, subprocess.SubprocessError):
        remote = ""  # no "origin" remote: the source stays empty.
    if remote:
        found["source"] = (remote, "git remote get-url origin")
    return found, None
