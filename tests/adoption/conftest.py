"""The corpus's settings, loaded once per test session in fresh interpreters."""

from __future__ import annotations

from typing import Any

import pytest

from tests.adoption.corpus import AFTER, BARE, BEFORE, PROJECTS_LIST, Key, dump_settings


@pytest.fixture(scope="package")
def dumps(tmp_path_factory: pytest.TempPathFactory) -> dict[Key, dict[str, Any]]:
    """Every project's settings before and after adoption, per configuration, and the
    bare project's (``dump_settings.py`` output, by (project, module, configuration))."""
    jobs = [
        (project, module, configuration)
        for project in PROJECTS_LIST
        for module in (BEFORE, AFTER)
        for configuration in project.configurations
    ]
    jobs.append((BARE, AFTER, "Bare"))
    return dump_settings(jobs, tmp_path_factory.mktemp("adoption-dumps"))


@pytest.fixture(scope="package")
def bare(dumps: dict[Key, dict[str, Any]]) -> dict[str, Any]:
    """What the mixin gives a project with nothing of its own."""
    return dumps[(BARE.name, AFTER, "Bare")]
