"""dockerflow.cli.version_object: CI variables, git, URLs, validation."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import pytest

from dockerflow.cli import version_object
from dockerflow.cli.version_object import (
    VersionObjectError,
    collect_version,
    from_ci_environment,
    public_repository_url,
    validate_version_object,
)

SHA = "0123456789abcdef0123456789abcdef01234567"


@pytest.mark.parametrize(
    ("remote", "expected"),
    [
        ("git@github.com:org/repo.git", "https://github.com/org/repo"),
        ("github.com:org/repo", "https://github.com/org/repo"),
        (
            "ssh://git@gitlab.example:2222/group/sub/repo.git",
            "https://gitlab.example/group/sub/repo",
        ),
        ("git://host.example/repo.git/", "https://host.example/repo"),
        (
            "https://x-access-token:ghs_SECRET@github.com/org/repo.git",
            "https://github.com/org/repo",
        ),
        (
            "https://gitlab-ci-token:glcbt-SECRET@gitlab.com:8443/g/p?x=1#y",
            "https://gitlab.com:8443/g/p",
        ),
        ("http://user@git.local/repo", "http://git.local/repo"),
        ("ssh://git@[::1]/repo", "https://[::1]/repo"),
        ("https://github.com/", "https://github.com"),
        ("/srv/git/repo.git", ""),
        ("file:///srv/git/repo.git", ""),
        ("./relative/repo", ""),
        ("https:///nohost", ""),
    ],
)
def test_public_repository_url(remote, expected):
    assert public_repository_url(remote) == expected


def values(found: dict[str, tuple[str, str]]) -> dict[str, str]:
    return {name: value for name, (value, _) in found.items()}


def test_github_actions_tag_build():
    found = from_ci_environment(
        {
            "GITHUB_SHA": SHA,
            "GITHUB_SERVER_URL": "https://github.com/",
            "GITHUB_REPOSITORY": "org/repo",
            "GITHUB_RUN_ID": "42",
            "GITHUB_RUN_ATTEMPT": "2",
            "GITHUB_REF_TYPE": "tag",
            "GITHUB_REF_NAME": "v1.2.3",
        }
    )
    assert values(found) == {
        "commit": SHA,
        "source": "https://github.com/org/repo",
        "build": "https://github.com/org/repo/actions/runs/42/attempts/2",
        "version": "v1.2.3",
    }


def test_github_actions_branch_and_ref_fallback():
    branch = from_ci_environment(
        {"GITHUB_SHA": SHA, "GITHUB_REF_TYPE": "branch", "GITHUB_REF_NAME": "main"}
    )
    assert set(branch) == {"commit"}  # no repository: no source/build; a branch is no version
    tagged = from_ci_environment(
        {"GITHUB_SHA": SHA, "GITHUB_REPOSITORY": "o/r", "GITHUB_REF": "refs/tags/v9"}
    )
    assert tagged["version"] == ("v9", "GITHUB_REF")
    assert tagged["source"][0] == "https://github.com/o/r"
    assert "build" not in tagged
    first_attempt = from_ci_environment(
        {"GITHUB_SHA": SHA, "GITHUB_REPOSITORY": "o/r", "GITHUB_RUN_ID": "7"}
    )
    assert first_attempt["build"] == (
        "https://github.com/o/r/actions/runs/7",
        "GITHUB_SERVER_URL + GITHUB_REPOSITORY + GITHUB_RUN_ID",
    )


def test_circleci():
    env = {
        "CIRCLE_SHA1": SHA,
        "CIRCLE_TAG": "2024.01.01",
        "CIRCLE_BUILD_URL": "https://circleci.com/gh/org/repo/7",
        "CIRCLE_REPOSITORY_URL": "git@github.com:org/repo.git",
        "CIRCLE_PROJECT_USERNAME": "ignored",
        "CIRCLE_PROJECT_REPONAME": "ignored",
    }
    found = from_ci_environment(env)
    assert found["commit"] == (SHA, "CIRCLE_SHA1")
    assert found["source"] == ("https://github.com/org/repo", "CIRCLE_REPOSITORY_URL")
    assert found["version"][0] == "2024.01.01"
    assert found["build"][0] == env["CIRCLE_BUILD_URL"]
    fallback = from_ci_environment(
        {"CIRCLE_SHA1": SHA, "CIRCLE_PROJECT_USERNAME": "o", "CIRCLE_PROJECT_REPONAME": "r"}
    )
    assert fallback["source"][0] == "https://github.com/o/r"
    assert set(fallback) == {"commit", "source"}


def test_gitlab_ci():
    env = {
        "CI_COMMIT_SHA": SHA,
        "CI_COMMIT_TAG": "",  # empty means "not a tag"
        "CI_PROJECT_URL": "https://gitlab.com/group/project",
        "CI_PIPELINE_URL": "https://gitlab.com/group/project/-/pipelines/9",
    }
    found = from_ci_environment(env)
    assert found["commit"] == (SHA, "CI_COMMIT_SHA")
    assert "version" not in found
    assert found["build"] == (env["CI_PIPELINE_URL"], "CI_PIPELINE_URL")
    env.update(CI_JOB_URL="https://gitlab.com/group/project/-/jobs/3", CI_COMMIT_TAG="v2")
    found = from_ci_environment(env)
    assert found["build"][1] == "CI_JOB_URL"
    assert found["version"][0] == "v2"


def test_taskcluster():
    env = {
        "TASK_ID": "fXyZ123",
        "TASKCLUSTER_ROOT_URL": "https://tc.example/",
        "VCS_HEAD_REV": SHA,
        "VCS_HEAD_REPOSITORY": "https://github.com/org/repo",
        "VCS_HEAD_REF": "refs/tags/v3",
    }
    found = from_ci_environment(env)
    assert found["build"] == ("https://tc.example/tasks/fXyZ123", "TASKCLUSTER_ROOT_URL + TASK_ID")
    assert found["build"][0] == "https://tc.example/tasks/fXyZ123"
    assert found["version"] == ("v3", "VCS_HEAD_REF")
    github = from_ci_environment(
        {
            "TASK_ID": "t",
            "TASKCLUSTER_ROOT_URL": "https://tc.example",
            "GITHUB_HEAD_SHA": SHA,
            "GITHUB_HEAD_REPO_URL": "https://github.com/o/r.git",
            "GITHUB_HEAD_TAG": "v4",
        }
    )
    assert github["commit"] == (SHA, "GITHUB_HEAD_SHA")
    assert github["source"][0] == "https://github.com/o/r"
    assert github["version"] == ("v4", "GITHUB_HEAD_TAG")
    bare = from_ci_environment({"TASK_ID": "t", "TASKCLUSTER_ROOT_URL": "https://tc"})
    assert set(bare) == {"build"}
    # TASK_ID alone is not enough to call it Taskcluster.
    assert from_ci_environment({"TASK_ID": "t"}) == {}


def test_overrides_win_and_missing_fields_get_defaults():
    found = collect_version(
        overrides={"commit": None, "version": "custom"},
        environ={"CIRCLE_SHA1": SHA, "CIRCLE_TAG": "v1"},
        use_git=False,
    )
    assert values(found) == {"source": "", "version": "custom", "commit": SHA, "build": ""}
    assert list(found) == ["source", "version", "commit", "build"]
    assert found["version"][1] == "--version"
    assert found["commit"][1] == "CIRCLE_SHA1"
    untagged = collect_version(environ={"CI_COMMIT_SHA": SHA}, use_git=False)
    assert untagged["version"] == (SHA, "CI_COMMIT_SHA (no tag)")


def test_invalid_values_name_their_origin_and_never_show_credentials():
    with pytest.raises(VersionObjectError) as info:
        collect_version(
            environ={
                "CIRCLE_SHA1": "not-a-sha",
                "CIRCLE_BUILD_URL": "https://user:hunter2@ci.example/1",
            },
            use_git=False,
        )
    assert info.value.problems == [
        "commit 'not-a-sha' is not a 7-40 character hexadecimal SHA (from CIRCLE_SHA1)",
        "build 'https://********@ci.example/1' must not contain credentials"
        " (from CIRCLE_BUILD_URL)",
    ]
    assert "hunter2" not in str(info.value)


def test_no_commit_anywhere():
    with pytest.raises(VersionObjectError) as info:
        collect_version(environ={}, use_git=False)
    assert str(info.value) == (
        "could not determine the commit: no CI variables found (looked for GitHub Actions"
        " (GITHUB_SHA), CircleCI (CIRCLE_SHA1), GitLab CI (CI_COMMIT_SHA), Taskcluster"
        " (TASK_ID + TASKCLUSTER_ROOT_URL))"
    )


@pytest.mark.parametrize(
    ("data", "problems"),
    [
        ({"source": "", "version": "v1", "commit": SHA[:7], "build": "", "extra": 1}, []),
        (
            {"source": "ftp://x", "version": " ", "commit": 1},
            [
                "source 'ftp://x' is not an http(s) URL (or empty)",
                "version ' ' must not be empty",
                "commit must be a string, got int 1",
                "missing key 'build'",
            ],
        ),
        (
            {"source": " https://x", "version": "v", "commit": "g" * 7, "build": "https://"},
            [
                "source ' https://x' is not an http(s) URL (or empty)",
                "commit 'ggggggg' is not a 7-40 character hexadecimal SHA",
                "build 'https://' is not an http(s) URL (or empty)",
            ],
        ),
    ],
)
def test_validate_version_object(data, problems):
    assert validate_version_object(data) == problems


# --- git ---------------------------------------------------------------------------


def git(repo: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_SYSTEM": os.devnull,
    }
    return subprocess.run(
        ["git", *args], cwd=repo, env=env, check=True, capture_output=True, text=True
    ).stdout.strip()


@pytest.fixture
def git_repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    git(repo, "commit", "-q", "--allow-empty", "-m", "first")
    git(repo, "tag", "-a", "v1.0", "-m", "v1.0")
    git(repo, "commit", "-q", "--allow-empty", "-m", "second")
    git(repo, "remote", "add", "origin", "https://bot:s3cret@github.com/org/repo.git")
    return repo


def test_git_fallback(git_repo):
    head = git(git_repo, "rev-parse", "HEAD")
    found = collect_version(environ={}, cwd=git_repo)
    assert values(found) == {
        "source": "https://github.com/org/repo",
        "version": f"v1.0-1-g{head[:7]}",
        "commit": head,
        "build": "",
    }
    assert found["source"][1] == "git remote get-url origin"


def test_git_fills_gaps_but_does_not_describe_another_commit(git_repo):
    found = values(collect_version(environ={"CI_COMMIT_SHA": SHA}, cwd=git_repo))
    assert found["commit"] == SHA
    assert found["version"] == SHA  # HEAD is not SHA: "git describe" would mislabel it
    assert found["source"] == "https://github.com/org/repo"


def test_git_without_origin_and_not_a_repository(tmp_path, git_repo):
    git(git_repo, "remote", "set-url", "origin", "/srv/git/repo.git")  # not browsable
    assert collect_version(environ={}, cwd=git_repo)["source"] == ("", "not found")
    git(git_repo, "remote", "remove", "origin")
    assert collect_version(environ={}, cwd=git_repo)["source"] == ("", "not found")
    with pytest.raises(VersionObjectError, match="git: fatal: not a git repository"):
        collect_version(environ={}, cwd=tmp_path)


def fake_git(tmp_path: Path, script: str) -> str:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    path = bin_dir / "git"
    path.write_text(f"#!/bin/sh\n{script}\n")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return str(bin_dir)


def test_git_missing_silent_failure_and_timeout(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(VersionObjectError, match=r"git: git could not be run \("):
        collect_version(environ={}, cwd=tmp_path)

    monkeypatch.setenv("PATH", fake_git(tmp_path, "exit 3"))
    with pytest.raises(VersionObjectError, match="git: git exited with status 3"):
        collect_version(environ={}, cwd=tmp_path)

    monkeypatch.setattr(version_object, "_GIT_TIMEOUT", 0.2)
    slow = tmp_path / "slow"
    slow.mkdir()
    monkeypatch.setenv("PATH", fake_git(slow, "exec /bin/sleep 5"))
    with pytest.raises(VersionObjectError, match=r"git: git did not answer within 0.2 s"):
        collect_version(environ={}, cwd=tmp_path)


def test_git_describe_failure_falls_back_to_commit(tmp_path, monkeypatch):
    script = f'case "$1" in rev-parse) echo {SHA};; *) exit 1;; esac'
    monkeypatch.setenv("PATH", fake_git(tmp_path, script))
    found = values(collect_version(environ={}, cwd=tmp_path))
    assert (found["commit"], found["version"], found["source"]) == (SHA, SHA, "")
