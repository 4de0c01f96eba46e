"""The corpus through the in-process surfaces: parsing, masking helpers, the settings
report and the startup error (every case; the subprocess tests run a subset)."""

from __future__ import annotations

import json
import time

import pytest

from dockerflow.masking import (
    MASK,
    has_ambiguous_userinfo,
    mask_mapping,
    mask_text,
    mask_url,
    url_secrets,
)
from dockerflow_settings.errors import ConfigurationError
from dockerflow_settings.parsing import ParseError, parse_database_url, parse_databases
from dockerflow_settings.resolve import resolve

from .corpus import DATABASE_URLS, REDIS_URLS, SECRET_KEYS, STRONG_SECRET_KEY, Case, leaks

URLS = DATABASE_URLS + REDIS_URLS


def ids(cases: tuple[Case, ...]) -> list[str]:
    return [case.label for case in cases]


@pytest.mark.parametrize("case", URLS, ids=ids(URLS))
def test_mask_url_and_mask_text_hide_every_corpus_secret(case: Case) -> None:
    assert not leaks(mask_url(case.value), [case])
    for text in (
        f"could not connect to {case.value}: connection refused",
        f"DSN {case.value!r} rejected",
        f'{{"url": "{case.value}"}}',
    ):
        assert not leaks(mask_text(text), [case]), text


@pytest.mark.parametrize("case", DATABASE_URLS, ids=ids(DATABASE_URLS))
def test_database_url_is_parsed_only_when_unambiguous(case: Case) -> None:
    if case.valid:
        databases = parse_databases(case.value)
        shown = json.dumps(mask_mapping(databases), default=str)
        assert not leaks(shown, [case]), shown
    else:
        with pytest.raises(ParseError) as error:
            parse_database_url(case.value)
        assert not leaks(str(error.value), [case])


SETTINGS_CASES = DATABASE_URLS + SECRET_KEYS


@pytest.mark.parametrize("case", SETTINGS_CASES, ids=ids(SETTINGS_CASES))
def test_settings_report_and_startup_error_hide_every_corpus_secret(case: Case, tmp_path) -> None:
    variable = "DJANGO_SECRET_KEY" if case in SECRET_KEYS else "DATABASE_URL"
    environ = {"DJANGO_SECRET_KEY": STRONG_SECRET_KEY, variable: case.value}
    resolution = resolve({}, environ=environ, base_dir=tmp_path, project="p", testing=False)
    # What manage.py dockerflow_settings (--json) and the startup error show.
    report = json.dumps([(entry.name, entry.value) for entry in resolution.entries], default=str)
    assert not leaks(report, [case]), report
    if case.valid:
        assert resolution.problems == []
        return
    with pytest.raises(ConfigurationError) as error:
        resolution.raise_for_problems()
    [problem] = error.value.problems
    assert problem.variable == variable
    assert MASK in problem.value
    assert not leaks(str(error.value), [case])


@pytest.mark.parametrize(
    "url",
    ["postgres://app:TopSe/cret99@db:5432/app", "postgres://app:12/34xyz@db:5432/app"],
)
def test_a_raw_slash_in_the_password_is_an_error_that_says_how_to_encode_it(url: str) -> None:
    # dj-database-url reads 12/34xyz@... as host "app", port 12, NAME "34xyz@db:5432/app".
    assert has_ambiguous_userinfo(url)
    with pytest.raises(ParseError, match="cannot be told apart") as error:
        parse_database_url(url)
    assert "/ as %2F" in str(error.value)
    assert mask_url(url) == "postgres://********@db:5432/app"


def test_percent_encoded_passwords_are_decoded() -> None:
    config = parse_database_url("postgres://app:Gw%2F%40%3A%25%23%3Fy8Kn@db:5432/app")
    assert (config["USER"], config["PASSWORD"], config["HOST"]) == ("app", "Gw/@:%#?y8Kn", "db")
    assert config["NAME"] == "app"


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("postgres://app:Pz9%Cq1x@db/app", "a % not followed by two hex digits"),
        ("postgres://app:Uj7 Ik3Ol@db/app", "spaces or control characters"),
        ("postgres:/app:Qa1Ws5Ed@db/app", "no scheme://"),
        ("postgres://app:Rf4Tg8Yh/app", "check the host and port"),
    ],
)
def test_other_unreadable_urls_name_the_problem(url: str, problem: str) -> None:
    with pytest.raises(ParseError, match="a database URL such as") as error:
        parse_database_url(url)
    assert problem in str(error.value)


def test_secret_query_options_are_masked_whatever_their_type() -> None:
    databases = parse_databases(
        "postgres://app@db/app?password=48151623&sslpassword=Oe5Vd9Hk&sslmode=require"
        "&api_key=Ay5Lq9Cz&password2=true&connect_timeout=10"
    )
    assert databases["default"]["OPTIONS"]["password"] == 48151623  # dj-database-url's int
    assert mask_mapping(databases)["default"]["OPTIONS"] == {
        "password": MASK,
        "sslpassword": MASK,
        "sslmode": "require",
        "api_key": MASK,
        "password2": MASK,
        "connect_timeout": 10,
    }
    assert (
        mask_url("redis://h/0?password=a%26b&pass%77ord=Vn3&db=1&token=")
        == f"redis://h/0?password={MASK}&pass%77ord={MASK}&db=1&token="
    )


def test_mask_mapping_masks_urls_in_nested_values_and_keeps_the_rest() -> None:
    caches = {
        "default": {
            "LOCATION": ["redis://:Cv5Bn1Mq@r1:6379/0", "redis://r2:6379/0"],
            "OPTIONS": {"PASSWORD": None, "SOCKET_TIMEOUT": 5, "TOKENS": {"a": "b"}},
            "KEY_PREFIX": ("x",),
        }
    }
    assert mask_mapping(caches) == {
        "default": {
            "LOCATION": [f"redis://:{MASK}@r1:6379/0", "redis://r2:6379/0"],
            "OPTIONS": {"PASSWORD": None, "SOCKET_TIMEOUT": 5, "TOKENS": {"a": "b"}},
            "KEY_PREFIX": MASK,
        }
    }
    assert mask_mapping("not a mapping") == "not a mapping"


@pytest.mark.parametrize(
    ("url", "masked"),
    [
        ("postgres://app:Rf4Tg8Yh/app", f"postgres://app:{MASK}/app"),  # forgotten @host
        ("postgres://db:5432/app", "postgres://db:5432/app"),
        ("postgres://db:/app", "postgres://db:/app"),
        ("postgres://db:99999/app", f"postgres://db:{MASK}/app"),
        ("postgres://[::1]:5432/app", "postgres://[::1]:5432/app"),
        ("postgres://[::1]:Xc5Bn9Mv/app", f"postgres://[::1]:{MASK}/app"),
        ("postgres://[::1:Xc5Bn9Mv/app", f"postgres://[:{MASK}/app"),  # unclosed
        ("sqlite://:memory:", "sqlite://:memory:"),
        ("app:pw@db://x", f"{MASK}@db://x"),  # "://" after the "@" is no scheme
        ("redis://a:pw1@h1/0 redis://b:pw2@h2/0", f"redis://{MASK}@h2/0"),
    ],
)
def test_mask_url_edge_cases(url: str, masked: str) -> None:
    assert mask_url(url) == masked


@pytest.mark.parametrize(
    ("url", "masked"),
    [
        # A token as the user name (GitHub's https://TOKEN@github.com/...) goes too.
        ("https://Gh7TokenXy9@github.com/o/r", f"https://{MASK}@github.com/o/r"),
        ("https://ci:Bx7Nm3Kq@ci.example/1", f"https://{MASK}@ci.example/1"),
        ("https://ci.example/1?token=Qw8Er", f"https://ci.example/1?token={MASK}"),
        ("https://ci.example/1", "https://ci.example/1"),
    ],
)
def test_mask_url_without_the_user_name(url: str, masked: str) -> None:
    assert mask_url(url, keep_user=False) == masked
    assert "@" not in url or mask_url(url).endswith(url[url.rindex("@") :])


def test_mask_text_takes_a_password_with_a_raw_space_with_the_url() -> None:
    text = "can't reach postgres://app:Uj7 Ik3Ol@db/app; ask ops (no reply) me@example.com"
    assert mask_text(text) == (
        f"can't reach postgres://app:{MASK}@db/app; ask ops (no reply) me@example.com"
    )
    assert mask_text("down: redis://h:6379/0 failed") == "down: redis://h:6379/0 failed"


@pytest.mark.parametrize(
    "url",
    [
        "https://ci:Bx7/Nm3Kq@ci.example/1",  # urlsplit sees host "ci", no credentials
        "https://ci:Bx7#Nm3Kq@ci.example/1",
        "ftp://ci:Bx7Nm3Kq@ci.example/1",  # not http(s): refused, shown masked
    ],
)
def test_a_version_build_url_with_credentials_is_refused_and_masked(url: str) -> None:
    from dockerflow.cli.version_object import validate_field

    problem = validate_field("build", url)
    assert problem is not None
    assert "ci.example/1" in problem
    assert not leaks(problem, [Case("build", url, ("Bx7/Nm3Kq", "Bx7#Nm3Kq", "Bx7Nm3Kq"), False)])


def test_url_secrets_lists_what_a_client_may_quote() -> None:
    # Pieces shorter than 4 characters ("ab") are left out: masking them garbles text.
    assert url_secrets("redis://:Gt7k/Hy3Ju/ab@h:6379/0") == [":Gt7k/Hy3Ju/ab", "Gt7k", "Hy3Ju"]
    assert url_secrets("redis://u:Ki8%2FLo@h/0?password=a%26b&db=1") == [
        "Ki8%2FLo",
        "a%26b",
        "a&b",
        "Ki8/Lo",
    ]
    assert url_secrets("redis://h/0") == []
    assert url_secrets(None) == []


@pytest.mark.parametrize(
    "hostile",
    ["a:" * 50_000, "a=" * 50_000, "x" * 100_000, "a.b+c-" * 20_000, ":" * 50_000 + "@"],
    ids=["colons", "equals", "one-word", "scheme-characters", "colons-then-at"],
)
def test_mask_text_takes_linear_time_on_hostile_text(hostile: str) -> None:
    # A backtracking pattern took 40 s on 2,000 characters of "a:a:..."; every check
    # message and logged traceback goes through mask_text.
    started = time.perf_counter()
    mask_text(hostile)
    assert time.perf_counter() - started < 1.0


DOTENV_CASES = tuple(case for case in DATABASE_URLS if "\n" not in case.value)


@pytest.mark.parametrize("case", DOTENV_CASES, ids=ids(DOTENV_CASES))
def test_a_database_url_from_dotenv_is_masked_too(case: Case, tmp_path) -> None:
    # python-decouple reads the file its own way (quotes, "#" comments).
    (tmp_path / ".env").write_text(f"DATABASE_URL={case.value}\n")
    environ = {"DJANGO_SECRET_KEY": STRONG_SECRET_KEY}
    resolution = resolve({}, environ=environ, base_dir=tmp_path, project="p", testing=False)
    (entry,) = [entry for entry in resolution.entries if entry.name == "DATABASES"]
    shown = json.dumps(entry.value, default=str) + "\n".join(resolution.problems)
    assert entry.source == ".env" or resolution.problems
    assert not leaks(shown, [case]), shown


def test_mask_text_masks_known_secrets_dsn_values_and_user_info_before_a_url() -> None:
    text = (
        "FATAL for Hq9w-Lp4 (None, '') host=db user=app password='Hq 9' sslkey=/k dbname=app "
        "app:Mn4Hq9w@db://x and see:postgres://u:Jx5Tw3p@h/db"
    )
    assert mask_text(text, ["Hq9w-Lp4", None, ""]) == (
        f"FATAL for {MASK} (None, '') host=db user=app password={MASK} sslkey={MASK} "
        f"dbname=app {MASK}@db://x and see:postgres://u:{MASK}@h/db"
    )
