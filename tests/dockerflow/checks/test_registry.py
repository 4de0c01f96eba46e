from __future__ import annotations

import pytest

from dockerflow import checks
from dockerflow.checks import Error, Warning


@pytest.fixture(autouse=True)
def empty_registry():
    checks.clear_checks()
    yield
    checks.clear_checks()


def test_register_as_a_bare_decorator_returns_the_function():
    @checks.register
    def database():
        return []

    assert checks.get_checks() == {"database": database}
    assert database() == []


def test_register_with_a_name_and_with_empty_parentheses():
    @checks.register(name="db")
    def database():
        return []

    @checks.register()
    def cache():
        return []

    assert checks.get_checks() == {"db": database, "cache": cache}


def test_register_logs_at_debug(caplog):
    caplog.set_level("DEBUG", logger="dockerflow.checks")
    checks.register(lambda: [], name="quiet")
    assert "Register Dockerflow check quiet" in caplog.messages


def test_registering_a_name_again_replaces_the_check():
    checks.register(lambda: [Error("old")], name="x")
    checks.register(lambda: [], name="x")
    assert checks.run_checks(checks.get_checks().items()).level == 0


def test_register_partial_applies_the_arguments():
    def check_pair(expected, actual):
        return [] if expected == actual else [Warning(f"{expected} != {actual}", id="x.W1")]

    partial = checks.register_partial(check_pair, 1, 2)
    checks.register_partial(check_pair, 3, 3, name="same")
    assert partial.__name__ == "check_pair"
    assert set(checks.get_checks()) == {"check_pair", "same"}
    results = checks.run_checks(checks.get_checks().items())
    assert results.statuses == {"check_pair": "warning", "same": "ok"}
    assert results.details["check_pair"]["messages"] == {"x.W1": "1 != 2"}


def test_register_accepts_coroutine_functions():
    @checks.register
    async def remote():
        return [Error("down", id="x.E1")]

    assert checks.get_checks()["remote"] is remote
    assert checks.run_checks(checks.get_checks().items()).level == checks.ERROR


def test_clear_checks_empties_the_live_registry():
    registry = checks.get_checks()
    checks.register(lambda: [], name="x")
    checks.clear_checks()
    assert registry == {}
    assert checks.get_checks() == {}


def test_python_dockerflows_public_names_and_module_path():
    import dockerflow.checks.registry as registry

    # Exactly python-dockerflow's public checks API.
    assert set(checks.__all__) == {
        "CRITICAL",
        "DEBUG",
        "ERROR",
        "INFO",
        "STATUSES",
        "WARNING",
        "CheckMessage",
        "Critical",
        "Debug",
        "Error",
        "Info",
        "Warning",
        "level_to_text",
        "run_checks",
        "run_checks_async",
        "ChecksResults",
        "register",
        "register_partial",
        "get_checks",
        "clear_checks",
    }
    for name in ("register", "register_partial", "get_checks", "clear_checks", "run_checks"):
        assert getattr(registry, name) is getattr(checks, name)
    assert registry.run_checks_async is checks.run_checks_async
    assert registry.ChecksResults is checks.ChecksResults is registry.CheckResults
