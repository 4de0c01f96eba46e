from __future__ import annotations

import threading
import time
import uuid

import dj_database_url
import psycopg
import pytest
from django.apps import apps
from django.core import checks as django_checks
from django.core.cache.backends.locmem import LocMemCache
from django.core.checks.registry import registry as django_registry
from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, OperationalError, connection, connections
from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteWrapper
from django.db.migrations.recorder import MigrationRecorder
from django.test import override_settings

from dockerflow import health
from dockerflow.django import checks, heartbeat
from dockerflow.django.heartbeat import close_thread_connections, run_heartbeat
from tests.dockerflow.checks.helpers import join_check_threads
from tests.dockerflow.django.test_checks_redis import redis_cache

PASSWORD = "hunter2-not-for-logs"
UNREACHABLE_SQLITE = {"ENGINE": "django.db.backends.sqlite3", "NAME": "/nonexistent/dir/db.sqlite3"}


@pytest.fixture
def add_database():
    """Add a database alias to the live connection handler for one test.

    ``override_settings(DATABASES=...)`` is not enough: Django warns that it is
    unsupported, and ``connections`` keeps the aliases it read at startup.
    """
    added = []

    def add(alias, config):
        configured = connections.configure_settings(
            {DEFAULT_DB_ALIAS: connections.settings[DEFAULT_DB_ALIAS], alias: dict(config)}
        )
        connections.settings[alias] = configured[alias]
        added.append(alias)

    yield add
    for alias in added:
        if hasattr(connections._connections, alias):
            connections[alias].close()
            delattr(connections._connections, alias)
        del connections.settings[alias]


@pytest.fixture
def unblocked(django_db_blocker):
    """Let connections be opened outside a django_db test (checks only connect and read)."""
    with django_db_blocker.unblock():
        yield


def in_new_thread(func, *args):
    """Call ``func`` in a thread of its own (fresh Django connections), closing them after."""
    outcome = []

    def run():
        try:
            outcome.append(func(*args))
        finally:
            close_thread_connections()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(30)
    return outcome[0]


def closed_postgres(free_port):
    return dj_database_url.parse(f"postgres://app:{PASSWORD}@127.0.0.1:{free_port}/app")


def ids(messages):
    return [m.id for m in messages]


# Databases


@pytest.mark.django_db
def test_database_connected_on_the_test_database():
    assert checks.check_database_connected() == []
    assert checks.check_database_connected(app_configs=None, databases=["default"]) == []


def test_every_alias_is_checked_and_named(unblocked, add_database):
    add_database("reports", UNREACHABLE_SQLITE)
    add_database("archive", UNREACHABLE_SQLITE)
    messages = in_new_thread(checks.check_database_connected)
    assert ids(messages) == [health.ERROR_CANNOT_CONNECT_DATABASE] * 2
    assert messages[0].msg.startswith("Could not connect to database 'reports': OperationalError")
    assert messages[1].msg.startswith("Could not connect to database 'archive': ")
    assert all(isinstance(m, django_checks.Error) for m in messages)


def test_only_the_given_databases_are_checked(unblocked, add_database):
    add_database("reports", UNREACHABLE_SQLITE)
    assert in_new_thread(lambda: checks.check_database_connected(databases=["nope"])) == [
        django_checks.Error(
            "Database alias 'nope' is not configured in DATABASES",
            id=health.ERROR_UNKNOWN_DATABASE_ALIAS,
        )
    ]


def test_a_misconfigured_database(unblocked, add_database):
    add_database("weird", {"ENGINE": "no.such.backend", "NAME": "x"})
    [message] = checks.check_database_connected(databases=["weird"])
    assert message.id == health.ERROR_MISCONFIGURED_DATABASE
    assert message.msg.startswith("Database 'weird' is misconfigured: ImproperlyConfigured: ")


@pytest.mark.django_db
def test_a_connection_that_is_not_usable(monkeypatch):
    monkeypatch.setattr(SQLiteWrapper, "is_usable", lambda self: False)
    assert checks.check_database_connected(databases=["default"]) == [
        django_checks.Error(
            "Database 'default' connection is not usable", id=health.ERROR_UNUSABLE_DATABASE
        )
    ]


def test_credentials_echoed_by_a_driver_are_masked(unblocked, add_database, monkeypatch):
    add_database("pg", closed_postgres(1))

    def echoing_driver(self):
        raise OperationalError(f"failed for postgres://app:{PASSWORD}@db/app (password={PASSWORD})")

    monkeypatch.setattr(type(connections["pg"]), "ensure_connection", echoing_driver)
    [message] = checks.check_database_connected(databases=["pg"])
    assert PASSWORD not in message.msg
    assert "postgres://app:********@db/app (password=********)" in message.msg


@pytest.mark.services
def test_real_postgresql_alias_and_a_closed_port(unblocked, add_database, postgres_url, free_port):
    add_database("pg", dj_database_url.parse(postgres_url))
    add_database("down", closed_postgres(free_port))
    messages = in_new_thread(lambda: checks.check_database_connected(databases=["pg", "down"]))
    [message] = messages
    assert message.id == health.ERROR_CANNOT_CONNECT_DATABASE
    assert message.msg.startswith("Could not connect to database 'down': OperationalError: ")
    assert str(free_port) in message.msg
    assert PASSWORD not in message.msg


@pytest.mark.services
def test_heartbeat_reports_every_alias_and_no_password(
    unblocked, add_database, postgres_url, free_port
):
    add_database("pg", dj_database_url.parse(postgres_url))
    add_database("down", closed_postgres(free_port))
    add_database("gone", UNREACHABLE_SQLITE)
    results = run_heartbeat()
    check = "check_database_connected"
    message = results.details[check]["messages"][health.ERROR_CANNOT_CONNECT_DATABASE]
    assert "database 'down'" in message
    assert "database 'gone'" in message
    assert "'pg'" not in message
    assert PASSWORD not in repr(results)


@pytest.mark.services
def test_heartbeat_closes_the_connections_its_checks_open(unblocked, add_database, postgres_url):
    app_name = f"dockerflow-test-{uuid.uuid4().hex[:12]}"
    config = dj_database_url.parse(postgres_url)
    config["OPTIONS"] = {"application_name": app_name}
    add_database("pg", config)

    def open_connections(expected):
        # A backend leaves pg_stat_activity a moment after its client has closed: a
        # loaded machine needs a little patience before the count is the true one.
        query = "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s"
        deadline = time.monotonic() + 5
        while True:
            with psycopg.connect(postgres_url) as conn:
                count = conn.execute(query, (app_name,)).fetchone()[0]
            if count == expected or time.monotonic() > deadline:
                return count
            time.sleep(0.05)

    leaked = []

    def connect_pg():
        checks.check_database_connected(databases=["pg"])
        leaked.append(connections["pg"].connection)

    # Control: a thread that does not close its connection leaves it open.
    control = threading.Thread(target=connect_pg)
    control.start()
    control.join(10)
    try:
        assert open_connections(1) == 1
        with override_settings(DOCKERFLOW_CHECKS=[f"{__name__}.check_pg_only"]):
            assert run_heartbeat().level == 0
        join_check_threads()
        assert open_connections(1) == 1  # only the control's; the heartbeat's own was closed
    finally:
        leaked[0].close()
    assert open_connections(0) == 0


@pytest.mark.services
def test_a_kept_connection_the_server_dropped_is_replaced_not_reported(
    unblocked, add_database, postgres_url
):
    # A check thread keeps its connection between runs (CONN_MAX_AGE); PostgreSQL
    # restarting in between must not fail the next run.
    app_name = f"dockerflow-test-{uuid.uuid4().hex[:12]}"
    config = dj_database_url.parse(postgres_url, conn_max_age=60)
    config["OPTIONS"] = {"application_name": app_name}
    add_database("pg", config)

    def terminate_backends():
        with psycopg.connect(postgres_url, autocommit=True) as conn:
            query = (
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s"
            )
            terminated = [done for (done,) in conn.execute(query, (app_name,)).fetchall()]
            count = "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s"
            deadline = time.monotonic() + 5
            while conn.execute(count, (app_name,)).fetchone()[0] and time.monotonic() < deadline:
                time.sleep(0.02)  # the backend exits a moment after being told to
            return terminated

    def run_twice():
        first = checks.check_database_connected(databases=["pg"])
        kept = connections["pg"].connection
        assert terminate_backends() == [True]
        second = checks.check_database_connected(databases=["pg"])
        return first, second, kept is not connections["pg"].connection

    first, second, replaced = in_new_thread(run_twice)
    assert (first, second, replaced) == ([], [], True)


def check_pg_only(app_configs=None, **kwargs):
    return checks.check_database_connected(databases=["pg"])


# Migrations


@pytest.mark.django_db
def test_migrations_applied_on_the_test_database():
    assert checks.check_migrations_applied() == []


@pytest.mark.django_db
def test_an_unapplied_migration_is_a_warning():
    MigrationRecorder(connection).record_unapplied("auth", "0012_alter_user_first_name_max_length")
    [message] = checks.check_migrations_applied()
    assert message == django_checks.Warning(
        "Unapplied migration auth.0012_alter_user_first_name_max_length",
        id=health.WARNING_UNAPPLIED_MIGRATION,
    )
    contenttypes = [apps.get_app_config("contenttypes")]
    assert checks.check_migrations_applied(app_configs=contenttypes) == []
    auth = [apps.get_app_config("auth")]
    assert len(checks.check_migrations_applied(app_configs=auth)) == 1


def test_migrations_cannot_be_checked_without_a_database(unblocked, monkeypatch):
    monkeypatch.setitem(
        connections.settings,
        DEFAULT_DB_ALIAS,
        {**connections.settings[DEFAULT_DB_ALIAS], **UNREACHABLE_SQLITE},
    )
    assert in_new_thread(checks.check_migrations_applied) == [
        django_checks.Info(
            "Can't connect to database 'default' to check migrations",
            id=health.INFO_CANT_CHECK_MIGRATIONS,
        )
    ]


# Caches


def test_cache_round_trip_on_the_default_cache():
    assert checks.check_cache_connected() == []


@override_settings(DOCKERFLOW_CHECKS=["dockerflow.django.checks.check_cache_connected"])
def test_heartbeat_closes_the_caches_its_checks_use(monkeypatch):
    closed_in = []
    monkeypatch.setattr(
        LocMemCache, "close", lambda self, **kwargs: closed_in.append(threading.current_thread())
    )
    assert run_heartbeat().statuses == {"check_cache_connected": "ok"}
    # After the run, as request_finished does, in the check thread that stays...
    [after_run] = closed_in
    assert after_run.name.startswith("dockerflow-check")
    assert after_run.is_alive()
    # ... and once more when that thread ends.
    join_check_threads()
    assert closed_in == [after_run, after_run]


@pytest.mark.services
def test_cache_round_trip_on_every_cache(redis_url, free_port):
    caches_setting = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "redis": redis_cache(redis_url)["default"],
        "down": redis_cache(f"redis://:{PASSWORD}@127.0.0.1:{free_port}/0")["default"],
        "dummy": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
    }
    with override_settings(CACHES=caches_setting):
        [message] = checks.check_cache_connected()
    assert message.id == health.ERROR_CACHE_ROUND_TRIP
    assert message.msg.startswith("Cache 'down' round trip (set/get/delete) failed: ")
    assert PASSWORD not in message.msg


@pytest.mark.services
def test_cache_round_trip_leaves_no_key_behind(redis_url):
    import redis

    # A prefix of this test's own: tox envs run two at a time on the same Redis, and the
    # other one's cache checks write (and delete) their keys meanwhile.
    prefix = f"test-{uuid.uuid4().hex}"
    caches_setting = redis_cache(redis_url)
    caches_setting["default"]["KEY_PREFIX"] = prefix
    client = redis.Redis.from_url(redis_url)
    try:
        with override_settings(CACHES=caches_setting):
            assert checks.check_cache_connected() == []  # the key was written and read back
        assert client.keys(f"{prefix}:*") == []
    finally:
        client.close()


def test_a_cache_that_swallows_errors_fails_the_round_trip(free_port):
    location = f"redis://127.0.0.1:{free_port}/0"
    with override_settings(CACHES=redis_cache(location, IGNORE_EXCEPTIONS=True)):
        assert checks.check_cache_connected() == [
            django_checks.Error(
                "Cache 'default' round trip (set/get/delete) failed: "
                "the value written was not read back",
                id=health.ERROR_CACHE_ROUND_TRIP,
            )
        ]


@override_settings(CACHES={"default": {"BACKEND": "no.such.Cache"}})
def test_a_cache_backend_that_cannot_be_loaded():
    [message] = checks.check_cache_connected()
    assert message.id == health.ERROR_CACHE_ROUND_TRIP
    assert "InvalidCacheBackendError" in message.msg


@override_settings(
    CACHES={
        "default": {"BACKEND": "no.such.Cache"},
        "redis": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"CLIENT_CLASS": "no_such_client.Client"},
        },
    }
)
def test_preloading_leaves_unimportable_backends_to_the_checks():
    heartbeat.preload_backends()  # does not raise
    messages = checks.check_cache_connected()
    assert ids(messages) == [health.ERROR_CACHE_ROUND_TRIP] * 2


# register()


def test_register_adds_dockerflow_checks_to_djangos_registry():
    try:
        registered = checks.register()
        assert registered == [checks.check_database_connected, checks.check_migrations_applied]
        tagged = django_registry.get_checks()
        assert all(check in tagged for check in registered)
        assert django_registry.tags_available() >= {"dockerflow"}
    finally:
        for check in [checks.check_database_connected, checks.check_migrations_applied]:
            django_registry.registered_checks.discard(check)


@override_settings(DOCKERFLOW_CHECKS=["no.such.check"])
def test_register_names_the_setting_for_a_bad_path():
    with pytest.raises(ImproperlyConfigured, match=r"^DOCKERFLOW_CHECKS entry 'no.such.check': "):
        checks.register()
