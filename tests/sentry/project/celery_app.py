"""The Celery app of the Sentry Celery test, as a Django project has one."""

from __future__ import annotations

import os

from celery import Celery

import dockerflow.celery

app = Celery("sentry_project")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.broker_url = os.environ.get("DFS_CELERY_BROKER_URL", "redis://127.0.0.1:6379/15")
app.conf.task_default_queue = os.environ.get("DFS_CELERY_QUEUE", "dockerflow-sentry-tests")
app.conf.broker_connection_retry_on_startup = True
app.conf.imports = ["tests.sentry.project.tasks"]
dockerflow.celery.install()
