"""The corpus through /__heartbeat__ with details on, and through every log line it writes.

Driven by the Django test client (the runtime's tests.settings). The project check and
the driver error are stand-ins that quote the URL, since no real check or driver can be
made to echo a chosen URL on demand; the Redis check talks to the real Redis.
"""

from __future__ import annotations

import logging

import pytest
from django.core.cache import caches
from django.db import OperationalError, connections
from django.test import override_settings

from dockerflow.logging import JsonLogFormatter
from dockerflow.masking import MASK
from dockerflow_settings.parsing import parse_database_url
from tests.dockerflow.django.test_checks_redis import DJANGO_REDIS, DJANGOS_OWN

from .corpus import DATABASE_URLS, REDIS_URLS, Case, leaks

URLS = DATABASE_URLS + REDIS_URLS
VALID_DATABASE_URLS = tuple(case for case in DATABASE_URLS if case.valid)
QUOTES_THE_URL = f"{__name__}.quotes_the_url"
#: Set per test: what the project check below quotes.
quoted: list[str] = []


def quotes_the_url(app_configs=None, **kwargs):
    from dockerflow.checks import Error

    return [Error(f"cannot reach {quoted[0]}: timed out", id="security.E001")]


def everything_shown(response, caplog) -> str:
    """The response body and every record as the mozlog formatter writes it."""
    formatter = JsonLogFormatter(logger_name="security")
    lines = [formatter.format(record) for record in caplog.records]
    return "\n".join([response.content.decode(), *lines])


def heartbeat(client, caplog, checks: list[str], **settings) -> str:
    caplog.set_level(logging.DEBUG)
    with override_settings(
        DOCKERFLOW_CHECKS=checks, DOCKERFLOW_HEARTBEAT_DETAILS=True, DEBUG=True, **settings
    ):
        response = client.get("/__heartbeat__")
    assert response.status_code == 500, response.content
    return everything_shown(response, caplog)


@pytest.mark.parametrize("case", URLS, ids=[case.label for case in URLS])
def test_a_project_check_quoting_the_url(client, caplog, monkeypatch, case: Case) -> None:
    monkeypatch.setattr(f"{__name__}.quoted", [case.value])
    shown = heartbeat(client, caplog, [QUOTES_THE_URL])
    assert "security.E001" in shown
    assert not leaks(shown, [case]), shown


@pytest.mark.parametrize("case", VALID_DATABASE_URLS, ids=[c.label for c in VALID_DATABASE_URLS])
def test_a_database_whose_driver_error_echoes_the_url_and_the_dsn(
    client,
    caplog,
    monkeypatch,
    add_database,
    unblocked,
    case: Case,
) -> None:
    config = parse_database_url(case.value)
    add_database("corpus", config)
    options = " ".join(
        f"{name}={value}"
        for name, values in config.get("OPTIONS", {}).items()
        for value in (values if isinstance(values, list) else [values])
    )
    dsn = f"host={config['HOST']} user={config['USER']} password={config['PASSWORD']} {options}"

    def echoing_driver(self):
        raise OperationalError(f"connection to {case.value} failed ({dsn})")

    monkeypatch.setattr(type(connections["corpus"]), "ensure_connection", echoing_driver)
    check = "dockerflow.django.checks.check_database_connected"
    shown = heartbeat(client, caplog, [check])
    assert "Could not connect to database 'corpus'" in shown
    assert not leaks(shown, [case]), shown


@pytest.mark.services
@pytest.mark.parametrize("backend", [DJANGO_REDIS, DJANGOS_OWN])
@pytest.mark.parametrize("case", REDIS_URLS, ids=[case.label for case in REDIS_URLS])
def test_the_redis_check_with_a_corpus_location(
    client, caplog, redis_url, case: Case, backend: str
) -> None:
    location = case.value
    if case.label != "redis-closed-port":
        # The real Redis, with the corpus's credentials (it has no password: a wrong one
        # makes AUTH fail, which is the error path to see).
        location = location.replace("127.0.0.1:6379", redis_url.split("://")[1].split("/")[0])
    cache = {"default": {"BACKEND": backend, "LOCATION": location}}
    checks = [
        "dockerflow.django.checks.check_redis_connected",
        "dockerflow.django.checks.check_cache_connected",
        QUOTES_THE_URL,  # so the heartbeat fails even when Redis accepts the URL
    ]
    quoted[:] = [location]
    try:
        shown = heartbeat(client, caplog, checks, CACHES=cache)
    finally:
        quoted.clear()
        caches["default"].close()
    assert "check_redis_connected" in shown
    if not case.valid:  # a URL redis-py cannot read is a misconfiguration, not a crash
        assert "Redis cache 'default' is misconfigured: ValueError" in shown, shown
    assert not leaks(shown, [case]), shown


def test_the_corpus_check_is_not_vacuous(client, caplog, monkeypatch) -> None:
    monkeypatch.setattr(f"{__name__}.quoted", ["postgres://app:Zq9Wx8Cv@db/app"])
    shown = heartbeat(client, caplog, [QUOTES_THE_URL])
    assert f"postgres://app:{MASK}@db/app" in shown
    assert "dockerflow.checks" in shown  # the check's message was logged too
