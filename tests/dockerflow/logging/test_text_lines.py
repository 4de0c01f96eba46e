"""Development (text) logging says what happened: the Dev configuration in a real project."""

from __future__ import annotations

import re

import pytest

from tests.dockerflow_settings.project import run, write_project

SCRIPT = """\
import logging

import configurations

import dockerflow_settings  # noqa: F401 - its loader fix first

configurations.setup()
from django.test import Client

client = Client()
client.get("/__lbheartbeat__", HTTP_X_REQUEST_ID="req-text-1")
client.get("/__version__?password=Zt6Mx2Qp", HTTP_X_REQUEST_ID="req-text-2")
logging.getLogger("task.summary").info("", extra={"task": "t", "id": "1", "api_key": "Oe5Vd9Hk"})
"""
TIME = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}"


@pytest.fixture(scope="module")
def output(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    project = write_project(tmp_path_factory.mktemp("text-project"))
    environ = {"DJANGO_SETTINGS_MODULE": "myproject.settings", "DJANGO_CONFIGURATION": "Dev"}
    result = run(project, "-c", SCRIPT, **environ)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_a_request_summary_reads_like_an_access_log(output: list[str]) -> None:
    summaries = [line for line in output if " request.summary " in line]
    assert len(summaries) == 2, output
    assert re.fullmatch(
        rf"{TIME} INFO request\.summary GET /__lbheartbeat__ 200 \d+ms rid=req-text-1", summaries[0]
    ), summaries[0]
    assert re.fullmatch(
        rf"{TIME} INFO request\.summary GET /__version__ 404 \d+ms rid=req-text-2", summaries[1]
    ), summaries[1]


def test_no_line_is_empty_and_fields_are_masked(output: list[str]) -> None:
    assert any(line.endswith(" WARNING django.request Not Found: /__version__") for line in output)
    (task,) = [line for line in output if " task.summary " in line]
    # A record without a message shows its fields (rid from the request-id filter).
    assert task.endswith(" INFO task.summary task=t id=1 api_key=******** rid=None"), task
    for line in output:
        assert re.fullmatch(rf"{TIME} [A-Z]+ \S+ \S.*", line), line
    assert "Zt6Mx2Qp" not in "\n".join(output)
    assert "Oe5Vd9Hk" not in "\n".join(output)
