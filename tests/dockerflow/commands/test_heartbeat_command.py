"""manage.py dockerflow_heartbeat: in-process checks, --checks subsets, and --url probes."""

from __future__ import annotations

import json
import logging

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from dockerflow.django.management.commands import dockerflow_heartbeat

from .conftest import clean_env, manage

CHECKS = "tests.dockerflow.commands.checks"


def run(*args, **options):
    """call_command returning (stdout, CommandError or None)."""
    import io

    out = io.StringIO()
    try:
        call_command("dockerflow_heartbeat", *args, stdout=out, **options)
    except CommandError as exc:
        return out.getvalue(), exc
    return out.getvalue(), None


# --- subprocess, against a plain settings.py project ------------------------------------


def test_plain_project_healthy_table_and_unhealthy_json(plain_project):
    healthy = manage(plain_project, "dockerflow_heartbeat")
    assert healthy.returncode == 0, healthy.stderr
    assert "ok     ok" in healthy.stdout
    assert healthy.stdout.rstrip().endswith("status: ok")

    env = clean_env(TEST_CHECKS="hbchecks.ok,hbchecks.down")
    unhealthy = manage(plain_project, "dockerflow_heartbeat", "--json", env=env)
    assert unhealthy.returncode == 1
    assert json.loads(unhealthy.stdout) == {
        "status": "error",
        "checks": {"ok": "ok", "down": "error"},
        "details": {
            "down": {
                "status": "error",
                "level": 40,
                "messages": {"plain.E001": "backend is down"},
            }
        },
    }
    assert unhealthy.stderr.strip() == "CommandError: heartbeat status is error"


def test_plain_project_checks_subset_and_bad_arguments(plain_project):
    subset = manage(plain_project, "dockerflow_heartbeat", "--checks", "hbchecks.down")
    assert subset.returncode == 1
    assert subset.stdout.splitlines()[1].split()[:2] == ["down", "error"]
    assert "ok " not in subset.stdout

    bad_path = manage(plain_project, "dockerflow_heartbeat", "--checks", "hbchecks.nope")
    assert bad_path.returncode == 2
    assert bad_path.stderr.strip().splitlines() == [
        "CommandError: --checks: cannot import 'hbchecks.nope': "
        'Module "hbchecks" does not define a "nope" attribute/class'
    ]

    bad_timeout = manage(plain_project, "dockerflow_heartbeat", "--timeout", "abc")
    assert bad_timeout.returncode == 2
    assert "argument --timeout: expected a positive number of seconds" in bad_timeout.stderr
    assert "Traceback" not in bad_timeout.stderr + bad_path.stderr


def test_plain_project_url_closed_port_and_live_server(plain_project, free_port, http_server):
    closed = manage(plain_project, "dockerflow_heartbeat", "--url", f"127.0.0.1:{free_port}")
    assert closed.returncode == 3
    assert closed.stderr.startswith(
        f"CommandError: unreachable: http://127.0.0.1:{free_port}/__heartbeat__: "
    )
    assert "Traceback" not in closed.stderr

    http_server.answer("/__lbheartbeat__", 200)
    ok = manage(plain_project, "dockerflow_heartbeat", "--url", http_server.url, "--lb")
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.startswith(f"healthy: GET {http_server.url}/__lbheartbeat__ -> HTTP 200")


def test_url_needs_no_valid_database_or_checks(plain_project, http_server):
    # A broken DOCKERFLOW_CHECKS entry and an unusable database do not matter to --url.
    settings = plain_project / "settings.py"
    settings.write_text(
        settings.read_text()
        + "\nDATABASES = {'default': {'ENGINE': 'django.db.backends.postgresql',"
        " 'NAME': 'x', 'HOST': '/nonexistent'}}\n"
    )
    http_server.answer("/__heartbeat__", 200, {"status": "warning"})
    env = clean_env(TEST_CHECKS="no.such.module.check")
    result = manage(plain_project, "dockerflow_heartbeat", "--url", http_server.url, env=env)
    assert result.returncode == 0, result.stderr


# --- in process ----------------------------------------------------------------------


@pytest.fixture
def test_checks(settings):
    settings.DOCKERFLOW_CHECKS = [f"{CHECKS}.ok", f"{CHECKS}.warning"]
    settings.DOCKERFLOW_HEARTBEAT_TIMEOUT = 0.5
    return settings


def test_warning_is_healthy_and_table_lists_each_message(test_checks):
    out, error = run()
    assert error is None
    assert "warning  warning  tests.W001: disk is getting full" in out
    assert "ok       ok" in out


def test_checks_subset_replaces_the_setting_and_extra_messages_get_rows(test_checks):
    out, error = run("--checks", f" {CHECKS}.error , ")
    assert error.returncode == 1
    lines = out.splitlines()
    assert lines[1].split() == [
        "error",
        "error",
        "tests.E001:",
        "the",
        "thing",
        "is",
        "down",
    ]
    assert lines[2].strip() == "tests.W002: and slow"
    assert "ok " not in out


def test_timeout_option_bounds_each_check(test_checks):
    out, error = run("--checks", f"{CHECKS}.slow", "--timeout", "0.2", "--json")
    assert error.returncode == 1
    payload = json.loads(out)
    assert payload["checks"] == {"slow": "error"}
    assert "dockerflow.health.E012" in payload["details"]["slow"]["messages"]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (",", "--checks ',' names no check"),
        (f"{CHECKS}.NOT_CALLABLE", "is not a callable check"),
        ("nodots", "cannot import 'nodots': nodots doesn't look like a module path"),
    ],
)
def test_bad_checks_values(test_checks, value, message):
    _, error = run("--checks", value)
    assert error.returncode == 2
    assert message in str(error)


def test_checks_path_whose_import_raises(test_checks, tmp_path, monkeypatch):
    (tmp_path / "explodes_on_import.py").write_text("raise RuntimeError('boom\\nsecond line')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    _, error = run("--checks", "explodes_on_import.check")
    assert error.returncode == 2
    assert str(error) == "--checks: cannot import 'explodes_on_import.check': boom second line"


def test_bad_runtime_setting_is_a_configuration_error(test_checks):
    test_checks.DOCKERFLOW_HEARTBEAT_TIMEOUT = "soon"
    _, error = run()
    assert error.returncode == 2
    assert "DOCKERFLOW_HEARTBEAT_TIMEOUT='soon' is not valid; expected a number of seconds" in str(
        error
    )


def test_messages_are_not_logged_twice_and_logger_is_restored(test_checks, caplog):
    logger = logging.getLogger("dockerflow.checks.registry")
    with caplog.at_level(logging.DEBUG, logger="dockerflow.checks.registry"):
        run()
    assert not [r for r in caplog.records if r.name == "dockerflow.checks.registry"]
    assert logger.disabled is False


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--lb"], "--lb needs --url"),
        (["--url", "http://x", "--checks", "a.b"], "--checks cannot be used with --url"),
        (["--url", "ftp://host/"], "is not an http(s) URL"),
    ],
)
def test_usage_errors(args, message):
    _, error = run(*args)
    assert error.returncode == 2
    assert message in str(error)


def test_positive_seconds_rejects_non_positive_and_non_finite():
    for value in ("0", "-1", "inf", "nan", ""):
        with pytest.raises(Exception, match="positive number of seconds"):
            dockerflow_heartbeat.positive_seconds(value)
    assert dockerflow_heartbeat.positive_seconds("0.25") == 0.25


# --- --url, in process --------------------------------------------------------------


def test_url_healthy_document_prints_remote_table(http_server):
    http_server.answer(
        "/svc/__heartbeat__",
        200,
        {
            "status": "warning",
            "checks": {"db": "ok", "cache": "warning"},
            "details": {"cache": {"status": "warning", "messages": {"c.W1": "slow"}}},
        },
    )
    out, error = run("--url", f"{http_server.url}/svc/")
    assert error is None
    assert out.startswith(f"healthy: GET {http_server.url}/svc/__heartbeat__ -> HTTP 200")
    assert "cache  warning  c.W1: slow" in out


def test_url_unhealthy_500(http_server):
    http_server.answer("/__heartbeat__", 500, {"status": "error"})
    out, error = run("--url", http_server.url, "--json")
    assert error.returncode == 1
    assert str(error).endswith("heartbeat status is 'error' (HTTP 500)")
    payload = json.loads(out)
    assert payload["outcome"] == "unhealthy"
    assert payload["http_status"] == 500
    assert payload["response"] == {"status": "error"}


def test_url_invalid_json_is_exit_4(http_server):
    http_server.answer("/__heartbeat__", 200, b"<html>hello</html>")
    out, error = run("--url", http_server.url + "/__heartbeat__")
    assert error.returncode == 4
    assert "not a heartbeat JSON document" in str(error)
    assert out.startswith("invalid: ")


def test_url_default_timeout(http_server):
    # No --timeout: the default (5 s) applies and a fast server answers well within it.
    http_server.answer("/__heartbeat__", 200, {"status": "ok"})
    out, error = run("--url", http_server.url, "--json")
    assert error is None
    assert json.loads(out)["elapsed_ms"] < 5000
