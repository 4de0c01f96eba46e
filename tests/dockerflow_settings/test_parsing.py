"""The value grammar: one boolean grammar, numbers with ranges, lists, URLs, paths."""

from __future__ import annotations

from pathlib import Path

import pytest

from dockerflow_settings import parsing, table
from dockerflow_settings.parsing import ParseError

TRUE = ["true", "TRUE", " True ", "1", "yes", "YES", "on", " On\n"]
FALSE = ["false", "False", "0", "no", "NO", "off", " OFF "]


@pytest.mark.parametrize("text", TRUE)
def test_true_words(text):
    assert parsing.parse_bool(text) is True


@pytest.mark.parametrize("text", FALSE)
def test_false_words(text):
    assert parsing.parse_bool(text) is False


@pytest.mark.parametrize("text", ["maybe", "y", "n", "t", "2", "enabled", "tru e"])
def test_other_words_are_not_booleans(text):
    with pytest.raises(ParseError, match="true/false, 1/0, yes/no or on/off"):
        parsing.parse_bool(text)


@pytest.mark.parametrize(
    ("text", "unset"), [(None, True), ("", True), ("  \t", True), ("0", False)]
)
def test_empty_means_unset(text, unset):
    assert parsing.is_unset(text) is unset


def test_integers():
    parse = parsing.integer(400, 599)
    assert parse(" 503 ") == 503
    assert parse("+500") == 500
    for bad in ["399", "600", "5e2", "1_000", "\u0665\u0660\u0660", "abc", "", "-"]:
        with pytest.raises(ParseError, match="an integer from 400 to 599"):
            parse(bad)
    assert parsing.integer(1)("7") == 7
    with pytest.raises(ParseError, match="an integer >= 1"):
        parsing.integer(1)("0")
    assert parsing.integer()("-3") == -3
    with pytest.raises(ParseError, match=r"^an integer$"):
        parsing.integer()("x")


def test_fractions_and_connection_ages():
    assert parsing.parse_fraction(" 0.25 ") == 0.25
    for bad in ["-0.1", "1.5", "nan", "half"]:
        with pytest.raises(ParseError, match=r"^a number from 0 to 1$"):
            parsing.parse_fraction(bad)
    assert parsing.parse_conn_max_age("60") == 60
    assert parsing.parse_conn_max_age(" None ") is None
    with pytest.raises(ParseError, match=r"an integer >= 0 \(seconds\), or none"):
        parsing.parse_conn_max_age("-1")


def test_lists_and_strings():
    assert parsing.parse_list(" a, b ,,c ,") == ["a", "b", "c"]
    assert parsing.parse_str("  x ") == "x"


def test_choice_and_log_level():
    assert parsing.parse_log_level("warning") == "WARNING"
    with pytest.raises(ParseError, match="one of DEBUG, INFO, WARNING, ERROR, CRITICAL"):
        parsing.parse_log_level("LOUD")


def test_paths(tmp_path):
    assert parsing.parse_path(f" {tmp_path} ") == tmp_path
    assert parsing.parse_path("~/x") == Path.home() / "x"
    with pytest.raises(ParseError, match="an absolute path"):
        parsing.parse_path("relative/dir")


def test_database_urls():
    config = parsing.parse_database_url("postgres://u:p%40ss@db:5433/app")
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["USER"], config["PASSWORD"], config["HOST"], config["PORT"]) == (
        "u",
        "p@ss",
        "db",
        5433,
    )
    assert parsing.parse_databases("sqlite:////tmp/x.db")["default"]["NAME"] == "/tmp/x.db"
    with pytest.raises(ParseError, match="unknown scheme 'postgres2'"):
        parsing.parse_database_url("postgres2://u:p@h/db")
    with pytest.raises(ParseError, match="no scheme"):
        parsing.parse_database_url("just-a-name")
    with pytest.raises(ParseError, match="not a valid URL"):
        parsing.parse_database_url("postgres://u:p@h:99999999/db")


def test_dotted_paths_are_checked_for_syntax_only():
    # Importing at settings time would import models before the app registry is ready;
    # the heartbeat and /__version__ import them (and report failures) when used.
    checks = table.BY_NAME["DOCKERFLOW_CHECKS"].parse
    assert checks(" nowhere.check, dockerflow.version.get_version ") == [
        "nowhere.check",
        "dockerflow.version.get_version",
    ]
    for bad in ["check_db", "a..b", "a.b, not a path", "1st.check"]:
        with pytest.raises(ParseError, match="a list of dotted paths"):
            checks(bad)
    callback = table.BY_NAME["DOCKERFLOW_VERSION_CALLBACK"].parse
    assert callback(" nowhere.get ") == "nowhere.get"
    with pytest.raises(ParseError, match="a callable or a dotted path"):
        callback("get_version")


def test_numbers_without_range():
    assert parsing.parse_number(" 2.5 ") == 2.5
    assert parsing.parse_number("1e10") == 1e10  # the range is the setting's rule
    with pytest.raises(ParseError, match=r"^a number$"):
        parsing.parse_number("soon")


@pytest.mark.parametrize(
    ("text", "fix"),
    [
        ("a.com b.com", "for example a.com,b.com"),
        ("https://a.com/", "for example a.com"),
        ("http://a.com:8000/x, b.com", "for example a.com,b.com"),
        ("a.com/path", "for example a.com"),
        # Django matches entries against the host without its port: never a match.
        ("localhost:8000", "for example localhost"),
        ("[::1]:8000,b.com", "for example [::1],b.com"),
    ],
)
def test_allowed_hosts_reject_scheme_port_path_and_spaces(text, fix):
    with pytest.raises(ParseError) as info:
        parsing.parse_host_list(text)
    assert str(info.value).startswith("host names separated by commas")
    assert str(info.value).endswith(fix)


def test_allowed_hosts():
    assert parsing.parse_host_list(" a.com, .b.org ,[::1], * ") == ["a.com", ".b.org", "[::1]", "*"]


def test_response_header_words():
    assert parsing.parse_response_header(" X-Trace ") == "X-Trace"
    for off in ["off", "0", "No", "FALSE"]:
        assert parsing.parse_response_header(off) == ""
    for on in ["on", "1", "yes", "True"]:
        assert parsing.parse_response_header(on) is None


def test_proxy_header_header_name_regexes_origins():
    assert parsing.parse_proxy_ssl_header("HTTP_X_FORWARDED_PROTO, https") == (
        "HTTP_X_FORWARDED_PROTO",
        "https",
    )
    for bad in ["X-Forwarded-Proto,https", "HTTP_X_FORWARDED_PROTO", "HTTP_X,", "A,b,c"]:
        with pytest.raises(ParseError, match="HTTP_X_FORWARDED_PROTO,https"):
            parsing.parse_proxy_ssl_header(bad)
    header = table.BY_NAME["DOCKERFLOW_REQUEST_ID_HEADER_NAME"].parse
    assert header(" X-Request-ID ") == "X-Request-ID"
    for bad in ["X Request", "X.Trace", "X_Trace", "Ünï"]:
        with pytest.raises(ParseError, match="ASCII letters, digits and hyphens"):
            header(bad)
    assert parsing.parse_regex_list(r"^a/?$, ^b$") == [r"^a/?$", "^b$"]
    with pytest.raises(ParseError, match="regular expressions"):
        parsing.parse_regex_list("^(unclosed$")
    assert parsing.parse_origin_list("https://a.example, http://b:8000") == [
        "https://a.example",
        "http://b:8000",
    ]
    with pytest.raises(ParseError, match=r"'example\.com'"):
        parsing.parse_origin_list("example.com")


def test_a_path_of_an_unknown_users_home_is_a_parse_error():
    with pytest.raises(ParseError, match="cannot be expanded"):
        parsing.parse_path("~no-such-user-here/app")


def test_text_of_the_wrong_type_gets_the_grammar_and_a_value_the_rule():
    timeout = table.BY_NAME["DOCKERFLOW_HEARTBEAT_TIMEOUT"].parse
    with pytest.raises(ParseError, match=r"^a number$"):
        timeout("soon")
    with pytest.raises(ParseError, match=r"^a number of seconds > 0 and <= 300$"):
        timeout("301")
    status = table.BY_NAME["DOCKERFLOW_HEARTBEAT_FAILED_STATUS_CODE"].parse
    with pytest.raises(ParseError, match=r"^an integer$"):
        status("teapot")
    with pytest.raises(ParseError, match=r"^an HTTP error status code from 400 to 599$"):
        status("200")
