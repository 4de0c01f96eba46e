"""Answer the requests of the docs' HTTP transcripts with the example project, in-process.

Run by ``test_transcripts.py`` in a subprocess, in ``example/`` with the ``Prod``
configuration the demo uses. Reads a JSON list of ``{"method", "path", "headers",
"scenario"}`` from stdin; writes a JSON list of ``{"status", "reason", "headers"}`` to
the file named by its argument (stdout carries the project's log lines).

A scenario puts the project in the state a transcript shows: ``version-file`` (a valid
``version.json`` in ``BASE_DIR``), ``no-version-file``, ``bad-version-file`` (a JSON
array), ``checks-pass``, ``checks-fail``, ``checks-fail-503``, ``error-endpoint-on`` (``Prod``
serves ``/__error__`` only when told to), ``static`` (files collected into
``STATIC_ROOT`` first, as an image build does) or ``none``.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

VERSION = {
    "source": "https://github.com/mozilla-services/example",
    "version": "v1.4.0",
    "commit": "3f2c1a9e8b7d6c5f4e3d2c1b0a9f8e7d6c5b4a39",
    "build": "https://ci.example.com/jobs/1234",
}


def failing_check(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    from django.core import checks

    return [checks.Error("the database is down", id="docs.E001")]


def scenario_settings(name: str, base_dir: Path) -> dict[str, Any]:
    failing = {"DOCKERFLOW_CHECKS": [f"{__name__}.failing_check"]}
    files = {"version-file": json.dumps(VERSION), "bad-version-file": "[]"}
    if name in files:
        (base_dir / "version.json").write_text(files[name])
    return {
        "version-file": {"BASE_DIR": base_dir},
        "no-version-file": {"BASE_DIR": base_dir},
        "bad-version-file": {"BASE_DIR": base_dir},
        "checks-pass": {"DOCKERFLOW_CHECKS": []},
        "checks-fail": failing,
        "checks-fail-503": {**failing, "DOCKERFLOW_HEARTBEAT_FAILED_STATUS_CODE": 503},
        "error-endpoint-on": {"DOCKERFLOW_ERROR_ENDPOINT": True},
        "static": {},
        "none": {},
    }[name]


def main() -> None:
    import configurations

    import dockerflow_settings  # noqa: F401 - its loader fix before configurations' importer

    configurations.setup()
    from django.test import Client
    from django.test.utils import override_settings, setup_test_environment

    setup_test_environment()
    requests = json.load(sys.stdin)
    if any(request["scenario"] == "static" for request in requests):
        from django.core.management import call_command

        call_command("collectstatic", "--noinput", verbosity=0)
    client = Client(raise_request_exception=False)
    answers = []
    for request in requests:
        with tempfile.TemporaryDirectory() as tmp:
            state = override_settings(**scenario_settings(request["scenario"], Path(tmp)))
            with state:
                response = client.generic(
                    request["method"], request["path"], headers=request["headers"]
                )
        answers.append(
            {
                "status": response.status_code,
                "reason": response.reason_phrase,
                "headers": dict(response.headers),
            }
        )
    Path(sys.argv[1]).write_text(json.dumps(answers))


if __name__ == "__main__":
    main()
