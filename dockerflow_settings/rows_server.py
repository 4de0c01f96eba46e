"""Rows of the table read by the server (the gunicorn configuration), not by Django.

Part of :data:`dockerflow_settings.table.TABLE`, in resolution order.
"""

from __future__ import annotations

from dockerflow_settings import parsing
from dockerflow_settings.setting import SERVER, Setting, constant, same_in_dev_and_prod

ROWS: tuple[Setting, ...] = (
    Setting(
        name="PORT",
        env_var="PORT",
        type="int",
        parse=parsing.integer(1, 65535),
        default=constant(8000),
        help="Port the server binds on 0.0.0.0 (read by the server, not a Django setting).",
        example="8080",
        role=SERVER,
    ),
    Setting(
        name="WEB_CONCURRENCY",
        env_var="WEB_CONCURRENCY",
        type="int",
        parse=parsing.integer(1),
        default=constant(None),
        describe=same_in_dev_and_prod("2 x CPUs + 1, at most 8"),
        help="Number of server worker processes (read by the server, not a Django setting).",
        example="4",
        role=SERVER,
    ),
    Setting(
        name="SERVER_WORKER_CLASS",
        env_var="DJANGO_SERVER_WORKER_CLASS",
        type="str",
        parse=parsing.choice("sync", "uvicorn"),
        default=constant("sync"),
        help="The gunicorn worker class the launcher uses: sync, or uvicorn "
        "(uvicorn_worker.UvicornWorker, ASGI; needs the asgi extra).",
        example="uvicorn",
        role=SERVER,
    ),
)
