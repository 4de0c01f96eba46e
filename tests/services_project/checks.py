"""A heartbeat check that leaves a trace in PostgreSQL each time it runs.

The load test counts these rows to prove single-flight and the heartbeat cache
bound how often the checks really hit the database.
"""

from __future__ import annotations

import os
from typing import Any

from django.db import connections
from django.utils import timezone


def count_check_run(app_configs: Any = None, **kwargs: Any) -> list:
    with connections["default"].cursor() as cursor:
        cursor.execute(
            "INSERT INTO counter_checkrun (pid, at) VALUES (%s, %s)",
            [os.getpid(), timezone.now()],
        )
    return []
