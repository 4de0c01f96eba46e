"""Fixtures shared with the runtime's check tests (a database alias added for one test)."""

from tests.dockerflow.django.test_checks import add_database, unblocked  # noqa: F401
