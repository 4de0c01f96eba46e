"""The heartbeat against real PostgreSQL and Redis, broken the ways they break in production.

(Named ``backing_services`` because a ``tests/services/`` package would shadow the
``tests/services.py`` module that ``tests/conftest.py`` imports.)
"""
