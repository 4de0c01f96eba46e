"""Tasks the Celery tests run in a real worker."""

from __future__ import annotations

import logging
import threading
from typing import Any

from tests.celery_project.celery_app import app

logger = logging.getLogger("tests.celery_project.tasks")


@app.task(name="tests.record")
def record(expected_rid: str | None) -> str:
    """Log one line of the task's own, naming the request id the sender expects."""
    logger.info("task ran", extra={"expected_rid": expected_rid})
    return "ok"


@app.task(name="tests.explode")
def explode() -> None:
    logger.info("about to raise")
    raise ValueError("the task failed on purpose")


#: Set by a test: the runs of tests.rendezvous wait here for each other.
RENDEZVOUS: threading.Barrier | None = None


@app.task(name="tests.rendezvous")
def rendezvous() -> None:
    """Hold the run until as many runs as the test's barrier expects are in flight."""
    assert RENDEZVOUS is not None, "set tasks.RENDEZVOUS first"
    RENDEZVOUS.wait()


@app.task(name="tests.leaky")
def leaky(*args: Any, fail: bool = False, give: Any = None, **kwargs: Any) -> Any:
    """Takes anything (the secrets corpus' arguments); raises quoting its keyword
    arguments when ``fail``, else returns ``give``."""
    logger.info("leaky ran")
    if fail:
        raise ValueError(f"refused {kwargs!r}")
    return give
