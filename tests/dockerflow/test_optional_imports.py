"""Optional integrations cost nothing when unused: importing the runtime imports none of them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json, sys
import django
django.setup()
from django.test import Client
import dockerflow.logging, dockerflow.checks, dockerflow.django.middleware
Client().get("/__lbheartbeat__")
print(json.dumps(sorted(m for m in ("celery", "kombu", "opentelemetry") if m in sys.modules)))
"""


def test_serving_a_request_imports_no_optional_integration():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "PYTHONPATH": str(REPO_ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=REPO_ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1]) == []


LOGGING_ONLY = """
import json, logging, sys
from dockerflow.logging import MozlogHandler
logger = logging.getLogger("app")
logger.addHandler(MozlogHandler())
logger.warning("hi", extra={"nested": {"password": "x"}, "obj": object()})
print(json.dumps(sorted(m for m in ("django", "celery") if m in sys.modules)))
"""


def run_outside_django(code: str) -> list[str]:
    """The output lines of ``code`` run by a fresh interpreter outside any Django project."""
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_logging_works_without_django():
    # A worker or a script that is no Django project: masking and the bound need no Django.
    line, imported = run_outside_django(LOGGING_ONLY)
    assert json.loads(line)["Fields"]["nested"] == {"password": "********"}
    assert json.loads(imported) == []


WITHOUT_ORJSON = """
import sys
sys.modules["orjson"] = None  # as if the orjson extra were not installed
import logging
from dockerflow.logging import MozlogHandler, encoding
logger = logging.getLogger("app")
logger.addHandler(MozlogHandler())
logger.warning("caf\\u00e9", extra={"nested": {"token": "x"}, "n": float("nan")})
print(encoding.dumps is encoding.dumps_stdlib)
"""


def test_logging_works_without_orjson():
    # Every tox env installs orjson: this is where the standard library alone is run.
    line, stdlib_chosen = run_outside_django(WITHOUT_ORJSON)
    assert stdlib_chosen == "True"
    assert line.isascii()  # the standard library escapes non-ASCII text
    fields = json.loads(line)["Fields"]
    assert fields == {"nested": {"token": "********"}, "n": "NaN", "msg": "caf\u00e9"}
