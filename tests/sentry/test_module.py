"""dockerflow_settings.sentry in process: the parsers for the table, the release, the
sampler, the event preparation; and what it imports, in fresh interpreters."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dockerflow.logging.request_id import request_id_context
from dockerflow.masking import MASK
from dockerflow_settings import sentry, table
from dockerflow_settings.parsing import ParseError

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_a_valid_dsn_is_returned_stripped() -> None:
    dsn = "https://0123abcd@o17.ingest.sentry.io/42"
    assert sentry.parse_dsn(f"  {dsn}\n") == dsn


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("ftp://key@sentry.example.com/1", "Unsupported scheme 'ftp'"),
        ("https://sentry.example.com/1", "Missing public key"),
        ("https://key@sentry.example.com/project", "Invalid project in DSN ('project')"),
        ("https://key@/1", "Missing hostname"),
        ("not a url", "Unsupported scheme ''"),
    ],
)
def test_an_invalid_dsn_is_refused_with_sentry_s_reason(text: str, reason: str) -> None:
    with pytest.raises(ParseError) as raised:
        sentry.parse_dsn(text)
    assert str(raised.value) == f"{sentry.DSN_EXPECTED} ({reason})"


def test_a_dsn_error_never_shows_its_secret() -> None:
    # A forgotten "@host": urllib reads the secret key as a port and quotes it.
    with pytest.raises(ParseError) as raised:
        sentry.parse_dsn("https://key:TopSecret42@sentry.example.com:TopSecret42/1")
    assert "TopSecret42" not in str(raised.value)
    assert MASK in str(raised.value)


def test_a_dsn_without_sentry_sdk_2_is_refused_with_the_fix(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "sentry_sdk", None)  # as if not installed
    with pytest.raises(ParseError, match=r"sentry-sdk 2\.x \(is not installed: pip install"):
        sentry.parse_dsn("https://key@o1.ingest.sentry.io/1")
    monkeypatch.undo()
    import sentry_sdk.consts

    monkeypatch.setattr(sentry_sdk.consts, "VERSION", "3.0.1")
    with pytest.raises(ParseError, match=r"sentry-sdk 2\.x \(3\.0\.1 is installed"):
        sentry.parse_dsn("https://key@o1.ingest.sentry.io/1")


@pytest.mark.parametrize(
    ("text", "rate"), [("0", 0.0), ("1", 1.0), (" 0.25 ", 0.25), ("1e-1", 0.1)]
)
def test_a_sample_rate_from_0_to_1(text: str, rate: float) -> None:
    assert table.BY_NAME["SENTRY_TRACES_SAMPLE_RATE"].parse(text) == rate


@pytest.mark.parametrize("text", ["1.5", "-0.1", "nan", "inf", "half", "10%"])
def test_a_sample_rate_outside_0_to_1_is_refused(text: str) -> None:
    with pytest.raises(ParseError, match=r"^a number from 0 to 1"):
        table.BY_NAME["SENTRY_TRACES_SAMPLE_RATE"].parse(text)


@pytest.mark.parametrize(
    ("content", "release"),
    [
        ({"version": "v1.2.3", "commit": "abc123"}, "v1.2.3"),
        ({"version": "", "commit": "abc123"}, "abc123"),
        ({"commit": "abc123"}, "abc123"),
        ({"source": "https://example.com"}, None),
    ],
)
def test_the_release_is_the_version_else_the_commit(tmp_path, content, release) -> None:
    (tmp_path / "version.json").write_text(json.dumps(content))
    assert sentry.sentry_release(tmp_path) == release


def test_no_version_json_means_no_release_and_a_bad_one_raises(tmp_path) -> None:
    assert sentry.sentry_release(tmp_path) is None
    (tmp_path / "version.json").write_text("[1, 2]")
    with pytest.raises(ValueError, match=r"version\.json"):
        sentry.sentry_release(tmp_path)


@pytest.mark.parametrize(
    "context",
    [
        {"wsgi_environ": {"PATH_INFO": "/__lbheartbeat__"}},
        {"wsgi_environ": {"PATH_INFO": "/__heartbeat__/"}, "parent_sampled": True},
        {"asgi_scope": {"path": "/__version__"}},
        {"asgi_scope": {"path": "/app/__lbheartbeat__/", "root_path": "/app"}},
    ],
)
def test_the_sampler_never_traces_a_probe(context) -> None:
    assert sentry._sampler(1.0)(context) == 0.0


@pytest.mark.parametrize(
    ("context", "rate"),
    [
        ({"wsgi_environ": {"PATH_INFO": "/api/__heartbeat__"}}, 0.5),
        ({"asgi_scope": {"path": "/__version__x"}}, 0.5),
        ({"asgi_scope": {"path": "/app/x", "root_path": "/app"}}, 0.5),
        ({"transaction_context": {"op": "queue.task.celery"}}, 0.5),  # not a request
        ({"wsgi_environ": {"PATH_INFO": "/x"}, "parent_sampled": False}, 0.0),
        ({"wsgi_environ": {"PATH_INFO": "/x"}, "parent_sampled": True}, 1.0),
    ],
)
def test_the_sampler_keeps_the_rate_or_the_parent_s_decision(context, rate) -> None:
    assert sentry._sampler(0.5)(context) == rate


def test_an_event_is_tagged_with_the_current_request_id() -> None:
    token = request_id_context.set("rid-123")
    try:
        event = sentry._prepare_event({"tags": {"a": "b"}}, {})
    finally:
        request_id_context.reset(token)
    assert event["tags"] == {"a": "b", "rid": "rid-123"}
    assert "tags" not in sentry._prepare_event({}, {})  # no request id, no tag


def test_an_event_is_masked_but_sentry_s_own_structures_are_not() -> None:
    sampling = {"public_key": "dsn-key", "trace_id": "t", "release": "r"}
    event = {
        "request": {
            "url": "https://u:pw-in-url@example.com/x",
            "query_string": "a=1&pass%77ord=s3cret&token=t0ken",
            "headers": {"X-Api-Key": "k3y", "Accept": "*/*"},
            "data": {"password": "pw", "nested": [{"secret": "s"}]},
        },
        "extra": {"celery-job": {"kwargs": {"api_token": "t"}, "args": ["postgres://a:b@h/d"]}},
        "breadcrumbs": {"values": [{"message": "GET /?token=xyz", "data": {"auth_token": "z"}}]},
        "exception": {"values": [{"value": "failed: password=hunter2", "stacktrace": {}}]},
        "contexts": {
            "trace": {"trace_id": "t", "dynamic_sampling_context": sampling},
            "job": {"secret_arg": "s", "url": "redis://:pw@cache:6379/0"},
        },
        "modules": {"keyring": "25.0", "django": "5.2"},
        "sdk": {"packages": [{"name": "pypi:sentry-sdk"}]},
    }
    masked = sentry._prepare_event(event, {})
    assert masked["request"] == {
        "url": f"https://u:{MASK}@example.com/x",
        "query_string": f"a=1&pass%77ord={MASK}&token={MASK}",
        "headers": {"X-Api-Key": MASK, "Accept": "*/*"},
        "data": {"password": MASK, "nested": [{"secret": MASK}]},
    }
    assert masked["extra"] == {
        "celery-job": {"kwargs": {"api_token": MASK}, "args": [f"postgres://a:{MASK}@h/d"]}
    }
    assert masked["breadcrumbs"]["values"][0] == {
        "message": f"GET /?token={MASK}",
        "data": {"auth_token": MASK},
    }
    assert masked["exception"]["values"][0]["value"] == f"failed: password={MASK}"
    assert masked["contexts"]["trace"]["dynamic_sampling_context"] == sampling
    assert masked["contexts"]["job"] == {"secret_arg": MASK, "url": f"redis://:{MASK}@cache:6379/0"}
    assert masked["modules"] == {"keyring": "25.0", "django": "5.2"}
    assert masked["sdk"] == event["sdk"]


IMPORTS = """
import json, sys
{block}
import dockerflow_settings.sentry as s
s.init_sentry(dsn="", environment="x", release=None, traces_sample_rate=1.0)
print(json.dumps([m for m in ("sentry_sdk", "celery") if sys.modules.get(m) is not None]))
"""


@pytest.mark.parametrize(
    "block", ["", "sys.modules['sentry_sdk'] = sys.modules['celery'] = None  # not installed"]
)
def test_without_a_dsn_or_the_extra_nothing_is_imported(block: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    code = IMPORTS.format(block=block)
    result = subprocess.run(
        [sys.executable, "-W", "error", "-c", code], env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []


INTEGRATIONS = """
import json, sys
{block}
import django
from django.conf import settings
settings.configure()
from dockerflow_settings.sentry import init_sentry
import sentry_sdk
init_sentry(dsn="http://k@127.0.0.1:9/1", environment="x", release="r", traces_sample_rate=0.0)
client = sentry_sdk.get_client()
print(json.dumps({{
    "django": "django" in client.integrations, "celery": "celery" in client.integrations,
    "celery_imported": sys.modules.get("celery") is not None,
    "pii": bool(client.options["send_default_pii"]), "release": client.options["release"],
}}))
"""


@pytest.mark.parametrize("celery_installed", [True, False])
def test_the_django_integration_and_celery_s_only_when_installed(celery_installed: bool) -> None:
    pytest.importorskip("sentry_sdk")
    if celery_installed:
        pytest.importorskip("celery")
    block = "" if celery_installed else "sys.modules['celery'] = None  # not installed"
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", INTEGRATIONS.format(block=block)],
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1]) == {
        "django": True,
        "celery": celery_installed,
        "celery_imported": celery_installed,
        "pii": False,
        "release": "r",
    }
