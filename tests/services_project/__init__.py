"""A minimal Django project served by gunicorn in the backing-service tests.

Everything that differs between scenarios comes from ``DFS_*`` environment
variables (see ``settings.py``), so one project serves every configuration.
"""
