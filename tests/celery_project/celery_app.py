"""The Celery app of the Celery tests: broker and queue from the environment.

``DFS_CELERY_BROKER_URL`` (default: the local Redis, database 15) and
``DFS_CELERY_QUEUE`` (default ``dockerflow-tests``): each test session uses a queue
of its own, so nothing left over from another run is consumed.
"""

from __future__ import annotations

import os

from celery import Celery

import dockerflow.celery

app = Celery("celery_project")
app.conf.broker_url = os.environ.get("DFS_CELERY_BROKER_URL", "redis://127.0.0.1:6379/15")
app.conf.task_default_queue = os.environ.get("DFS_CELERY_QUEUE", "dockerflow-tests")
app.conf.broker_connection_retry_on_startup = True
app.conf.imports = ["tests.celery_project.tasks"]
dockerflow.celery.install()
