"""Bad input: ONE ConfigurationError naming every bad variable, its value (masked when
secret) and what was expected, one line per problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from dockerflow.masking import mask, mask_databases, mask_url
from dockerflow_settings import ConfigurationError
from dockerflow_settings.errors import Problem, format_problems
from dockerflow_settings.resolve import resolve

SECRET_VALUE = "hunter2-very-secret-value-" + "abcdefghij" * 3

#: (variable, bad value, text the value is shown as, part of the expectation)
BAD = [
    ("DJANGO_DEBUG", "maybe", "'maybe'", "true/false"),
    ("DJANGO_ALLOWED_HOSTS", "a.example b.example", "'a.example b.example'",
     "for example a.example,b.example"),
    ("DJANGO_BASE_DIR", "relative/path", "'relative/path'", "an absolute path"),
    ("DATABASE_URL", "mysqlx://admin:hunter2@db/app", "'mysqlx://admin:********@db/app'",
     "unknown scheme 'mysqlx'"),
    ("DJANGO_STATIC_ROOT", "static", "'static'", "an absolute path"),
    ("DJANGO_STATICFILES_MANIFEST", "sometimes", "'sometimes'", "a boolean"),
    ("DJANGO_LOGGING_USE_JSON", "json", "'json'", "a boolean"),
    ("DJANGO_LOGGING_DEFAULT_LEVEL", "LOUD", "'LOUD'", "one of DEBUG, INFO"),
    ("DJANGO_DOCKERFLOW_CHECKS", "check_db", "'check_db'", "a list of dotted paths"),
    ("DJANGO_DOCKERFLOW_HEARTBEAT_TIMEOUT", "1e10", "'1e10'", "seconds > 0 and <= 300"),
    ("DJANGO_DOCKERFLOW_HEARTBEAT_CACHE_SECONDS", "-1", "'-1'", "seconds >= 0 and <= 3600"),
    ("DJANGO_DOCKERFLOW_HEARTBEAT_DETAILS", "verbose", "'verbose'", "a boolean"),
    ("DJANGO_DOCKERFLOW_HEARTBEAT_FAILED_STATUS_CODE", "200", "'200'", "from 400 to 599"),
    ("DJANGO_DOCKERFLOW_SUMMARY_LOG_PROBES", "some", "'some'", "one of all, failures, none"),
    ("DJANGO_CONN_MAX_AGE", "soon", "'soon'", "an integer >= 0 (seconds), or none"),
    ("CACHE_URL", "mongodb://u:hunter2@h/0", "'mongodb://u:********@h/0'", "redis://, rediss://"),
    ("SENTRY_TRACES_SAMPLE_RATE", "2", "'2'", "a number from 0 to 1"),
    ("DJANGO_DOCKERFLOW_SUMMARY_LOG_QUERYSTRING", "si", "'si'", "a boolean"),
    ("DJANGO_DOCKERFLOW_ERROR_ENDPOINT", "2", "'2'", "a boolean"),
    ("DJANGO_DOCKERFLOW_REQUEST_ID_HEADER_NAME", "X.Trace", "'X.Trace'", "HTTP header name"),
    ("DJANGO_DOCKERFLOW_REQUEST_ID_RESPONSE_HEADER", "X Trace", "'X Trace'", "HTTP header name"),
    ("DJANGO_DOCKERFLOW_DRAIN_SECONDS", "nan", "'nan'", "seconds >= 0 and <= 300"),
    ("DJANGO_DOCKERFLOW_VERSION_CALLBACK", "get_version", "'get_version'", "a dotted path"),
    ("DJANGO_SECURE_REDIRECT_EXEMPT", "^(x", "'^(x'", "regular expressions"),
    ("DJANGO_SECURE_SSL_REDIRECT", "yes please", "'yes please'", "a boolean"),
    ("DJANGO_SECURE_PROXY_SSL_HEADER", "X-Forwarded-Proto", "'X-Forwarded-Proto'",
     "HTTP_X_FORWARDED_PROTO,https"),
    ("DJANGO_SECURE_HSTS_SECONDS", "1y", "'1y'", "an integer >= 0"),
    ("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", "ja", "'ja'", "a boolean"),
    ("DJANGO_SECURE_HSTS_PRELOAD", "nein", "'nein'", "a boolean"),
    ("DJANGO_SESSION_COOKIE_SECURE", "secure", "'secure'", "a boolean"),
    ("DJANGO_CSRF_COOKIE_SECURE", "10", "'10'", "a boolean"),
    ("DJANGO_CSRF_TRUSTED_ORIGINS", "example.com", "'example.com'", "with a scheme"),
    ("DJANGO_SECURE_CONTENT_TYPE_NOSNIFF", "nosniff", "'nosniff'", "a boolean"),
    ("DJANGO_X_FRAME_OPTIONS", "ALLOW", "'ALLOW'", "one of DENY, SAMEORIGIN"),
    ("DJANGO_SECRET_KEY_FILE", "/nonexistent/secret", "'/nonexistent/secret'",
     "an existing secret file"),
]  # fmt: skip
SERVER_BAD = [
    ("PORT", "http", "'http'", "an integer from 1 to 65535"),
    ("WEB_CONCURRENCY", "0", "'0'", "an integer >= 1"),
    ("DJANGO_SERVER_WORKER_CLASS", "gevent", "'gevent'", "one of sync, uvicorn"),
]


def startup_error(environ, base_dir=Path("/srv/app")):
    resolution = resolve({}, environ=environ, base_dir=base_dir, project="p", testing=False)
    with pytest.raises(ConfigurationError) as info:
        resolution.raise_for_problems()
    return info.value, resolution


def test_every_bad_variable_is_in_one_error():
    assert len(BAD) >= 25
    environ = {name: value for name, value, _, _ in BAD}
    error, resolution = startup_error(environ)
    message = str(error)
    lines = message.splitlines()
    # Header + one line per bad variable. The unreadable _FILE leaves no key at all, but
    # that is the same problem, not a second "required" one.
    assert lines[0] == f"Invalid configuration ({len(BAD)} problems):"
    assert len(lines) == len(BAD) + 1
    for name, _, shown, expected in BAD:
        line = next((line for line in lines if line.startswith(f"- {name}=")), None)
        assert line is not None, name
        assert f"{name}={shown} (from environment variable {name}): expected" in line
        assert expected in line, (name, line)
    assert "- DJANGO_SECRET_KEY: required" not in message
    assert "hunter2" not in message
    assert {problem.variable for problem in error.problems} >= {name for name, *_ in BAD}
    assert resolution.server_problems == []


def test_server_variables_are_validated_but_do_not_stop_django():
    environ = {name: value for name, value, _, _ in SERVER_BAD}
    environ["DJANGO_SECRET_KEY"] = SECRET_VALUE
    resolution = resolve({}, environ=environ, base_dir=Path("/a"), project="p")
    resolution.raise_for_problems()  # nothing for Django
    assert [p.variable for p in resolution.server_problems] == [name for name, *_ in SERVER_BAD]
    pairs = zip(resolution.server_problems, SERVER_BAD, strict=True)
    for problem, (_, _, shown, expected) in pairs:
        assert shown in problem
        assert expected in problem


def test_secret_values_are_masked(tmp_path):
    empty = tmp_path / "empty"
    empty.write_text("  \n")
    error, _ = startup_error(
        {
            "DJANGO_SECRET_KEY_FILE": str(empty),
            "DATABASE_URL": f"postgres://app:{SECRET_VALUE}@db:notaport/app",
        }
    )
    message = str(error)
    assert SECRET_VALUE not in message
    assert "DATABASE_URL='postgres://app:********@db:notaport/app'" in message
    assert f"DJANGO_SECRET_KEY_FILE='{empty}'" in message
    assert "a file containing the secret, not an empty one" in message


def test_problem_and_message_format():
    problem = Problem("X", "a number", value="'v'", origin="somewhere")
    assert problem == "X=\"'v'\" (from somewhere): expected a number"
    assert (problem.variable, problem.value, problem.expected, problem.origin) == (
        "X",
        "'v'",
        "a number",
        "somewhere",
    )
    bare = Problem("Y", "required")
    assert bare == "Y: required"
    assert Problem("Z", "x", value="v") == "Z='v': expected x"
    assert format_problems([bare]) == "Invalid configuration (1 problem):\n- Y: required"


def test_masking_helpers():
    assert mask("abc") == "********"
    assert mask("") == ""
    assert mask(None) is None
    assert mask_url("postgres://u:p%40ss@h:5432/db") == "postgres://u:********@h:5432/db"
    assert mask_url("postgres://u@h/db") == "postgres://u@h/db"


@pytest.mark.parametrize(
    ("url", "masked"),
    [
        ("postgres://u:pw@h:5432/db", "postgres://u:********@h:5432/db"),
        ("postgres://u:p@ss@h/db", "postgres://u:********@h/db"),  # raw @ in the password
        ("postgres//app:hunter2@db/app", "********@db/app"),  # no "://": hide it all
        ("postgres:/app:hunter2@db/app", "********@db/app"),  # masks too much, safely
        ("app:hunter2@db", "********@db"),  # no scheme at all
        ("redis://:hunter2@cache:6379/0", "redis://:********@cache:6379/0"),  # password only
        ("postgres://h/db?x=a@b", "postgres://********@b"),  # ambiguous: never guess
        ("postgres://app:TopSe/cret99@db:5432/app", "postgres://********@db:5432/app"),
        ("sqlite:///tmp/db.sqlite3", "sqlite:///tmp/db.sqlite3"),
        ("", ""),
    ],
)
def test_mask_url_never_shows_a_password(url, masked):
    assert mask_url(url) == masked
    assert "hunter2" not in mask_url(url)
    assert mask_url("sqlite:////tmp/x") == "sqlite:////tmp/x"
    databases = {"default": {"PASSWORD": "pw", "NAME": "x"}, "other": {"PASSWORD": ""}}
    assert mask_databases(databases) == {
        "default": {"PASSWORD": "********", "NAME": "x"},
        "other": {"PASSWORD": ""},
    }
    assert databases["default"]["PASSWORD"] == "pw"
    assert mask_databases("x") == "x"
