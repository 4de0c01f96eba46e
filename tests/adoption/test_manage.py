"""The adopted projects through their stock django-configurations ``manage.py``."""

from __future__ import annotations

import sys

import pytest

from tests.adoption.corpus import AFTER, PROJECTS_LIST, Project
from tests.servers.process import run_quick


def manage(project: Project, *args: str, **environ: str) -> tuple[int, str]:
    result = run_quick(
        [sys.executable, "manage.py", *args],
        project.env(AFTER, project.production, **environ),
        cwd=project.root,
    )
    return result.returncode, result.stdout + result.stderr


@pytest.mark.parametrize("project", PROJECTS_LIST, ids=lambda project: project.name)
def test_check_deploy_passes_in_production(project: Project) -> None:
    code, output = manage(project, "check", "--deploy")
    assert code == 0, output
    assert "Traceback" not in output, output


@pytest.mark.parametrize("project", PROJECTS_LIST, ids=lambda project: project.name)
def test_a_bad_value_is_named_through_the_stock_manage_py(project: Project) -> None:
    """configurations.management: the problem list, not ``AppRegistryNotReady`` alone."""
    variable, value = project.bad_variable
    code, output = manage(project, "check", **{variable: value})
    assert code != 0, output
    assert variable in output, f"{variable} is not named:\n{output}"
    assert value in output, f"the bad value {value!r} is not shown:\n{output}"
