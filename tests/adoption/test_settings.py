"""Adopting the mixin keeps every setting the project defines.

For each project and configuration, the settings Django reads before adoption (plain
``Configuration``) and after (``DockerflowConfiguration`` first, what it provides
deleted), loaded with the same environment: see ``compare.py`` for the rules.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.adoption import compare
from tests.adoption.corpus import (
    AFTER,
    BEFORE,
    CASE_IDS,
    CASES,
    LEGACY_CASE_IDS,
    LEGACY_CASES,
    Key,
    Project,
)

Dumps = dict[Key, dict[str, Any]]


def before_and_after(
    dumps: Dumps, project: Project, configuration: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    before = compare.loaded(
        dumps[(project.name, BEFORE, configuration)], f"{project.name} {configuration} (before)"
    )
    after = compare.django_accepts(
        dumps[(project.name, AFTER, configuration)], f"{project.name} {configuration} (adopted)"
    )
    return before, after


def report(problems: list[str]) -> str:
    return f"{len(problems)} problem(s):\n" + "\n".join(problems)


@pytest.mark.parametrize(("project", "configuration"), CASES, ids=CASE_IDS)
def test_plain_settings_keep_their_values(
    dumps: Dumps, project: Project, configuration: str
) -> None:
    """Settings the project assigns (not merged by the mixin) are unchanged."""
    before, after = before_and_after(dumps, project, configuration)
    names = (
        set(before["defined"])
        - set(before["methods"])
        - compare.merged_names()
        - set(compare.LEGACY_STORAGES)
    )
    assert names, "the project defines no settings: the comparison would prove nothing"
    problems = compare.value_differences(before, after, names)
    assert not problems, report(problems)


@pytest.mark.parametrize(("project", "configuration"), CASES, ids=CASE_IDS)
def test_setting_methods_and_properties_give_the_same_values(
    dumps: Dumps, project: Project, configuration: str
) -> None:
    """Setting methods and properties (not merged by the mixin) evaluate as on a plain
    Configuration: on an instance, ``self`` and ``super()`` as django-configurations
    gives them."""
    before, after = before_and_after(dumps, project, configuration)
    names = set(before["methods"]) - compare.merged_names()
    assert names, "the project defines no setting method: the comparison would prove nothing"
    problems = compare.value_differences(before, after, names)
    assert not problems, report(problems)


@pytest.mark.parametrize(("project", "configuration"), CASES, ids=CASE_IDS)
def test_merged_settings_keep_the_project_entries(
    dumps: Dumps, bare: dict[str, Any], project: Project, configuration: str
) -> None:
    """Settings the mixin merges (plain values, methods or properties) keep what the
    project listed, in its order, with its subclasses replacing the mixin's classes."""
    before, after = before_and_after(dumps, project, configuration)
    names = set(before["defined"]) & compare.merged_names()
    assert names, "the project defines no merged setting: the comparison would prove nothing"
    problems = [
        problem
        for name in sorted(names)
        for problem in compare.merged_problems(name, before, after, bare)
    ]
    assert not problems, report(problems)


@pytest.mark.parametrize(("project", "configuration"), LEGACY_CASES, ids=LEGACY_CASE_IDS)
def test_legacy_storage_settings_become_storages(
    dumps: Dumps, project: Project, configuration: str
) -> None:
    """DEFAULT_FILE_STORAGE / STATICFILES_STORAGE end up in STORAGES, on every Django
    (5.1+ ignores them; on 4.2 they conflict with an explicit STORAGES)."""
    before, after = before_and_after(dumps, project, configuration)
    assert set(compare.LEGACY_STORAGES) & set(before["defined"]), "it sets no legacy storage"
    problems = compare.legacy_storage_problems(before, after)
    assert not problems, report(problems)
