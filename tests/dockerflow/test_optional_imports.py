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
