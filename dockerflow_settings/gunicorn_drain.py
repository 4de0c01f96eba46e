"""Draining on SIGTERM in a gunicorn master.

gunicorn's master answers ``SIGTERM`` by stopping every worker at once, while a load
balancer may still route requests to the instance. With a drain period
(``DJANGO_DOCKERFLOW_DRAIN_SECONDS`` > 0), :func:`install` (from the ``when_ready`` hook,
before the workers fork) puts a handler in front of gunicorn's: ``SIGTERM`` sets the
shared ``draining`` flag (``/__lbheartbeat__`` answers 503 in every worker, the rest is
served), a thread waits the period and sends ``SIGTERM`` again, which goes to gunicorn's
own handler: the usual graceful shutdown. Logging happens in that thread, never in the
signal handler, which may run in the middle of the master's own write to stdout.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from collections.abc import Mapping
from types import FrameType
from typing import Any

from dockerflow.django.drain import SharedFlag, draining
from dockerflow_settings.table import read_variable

#: The setting (and table row) giving the drain period in seconds.
SETTING = "DOCKERFLOW_DRAIN_SECONDS"
#: The mozlog ``Type`` of the lines marking the start and the end of a drain.
LOGGER_NAME = "dockerflow.drain"

logger = logging.getLogger(LOGGER_NAME)


class Drain:
    """The ``SIGTERM`` handling of one gunicorn master: drain first, then gunicorn's own."""

    def __init__(self, seconds: float, flag: SharedFlag = draining) -> None:
        self.seconds = seconds
        self.flag = flag
        self.started = threading.Event()
        self.over = threading.Event()
        #: The thread timing the drain, once it started.
        self.thread: threading.Thread | None = None
        self._master_pid = 0
        self._gunicorn_handler: Any = signal.SIG_DFL

    def install(self) -> None:
        """Share the flag with the workers to come; put our handler before gunicorn's."""
        self.flag.share()
        self._master_pid = os.getpid()
        previous = signal.getsignal(signal.SIGTERM)
        # None: a handler not installed from Python, which getsignal cannot return.
        self._gunicorn_handler = signal.SIG_DFL if previous is None else previous
        signal.signal(signal.SIGTERM, self._on_sigterm)

    def _on_sigterm(self, signum: int, frame: FrameType | None) -> None:
        # A worker between fork and its own signal setup, or the drain is over:
        # gunicorn's behaviour.
        if os.getpid() != self._master_pid or self.over.is_set():
            self._pass_on(signum, frame)
            return
        if self.started.is_set():
            return
        self.started.set()
        self.flag.set()
        self.thread = threading.Thread(target=self._run, name="dockerflow-drain", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        began = time.monotonic()
        logger.info(
            "SIGTERM: draining for %gs; /__lbheartbeat__ answers 503 in every worker, "
            "other requests are served",
            self.seconds,
            extra={"event": "start", "drain_seconds": self.seconds},
        )
        time.sleep(self.seconds)
        elapsed = time.monotonic() - began
        logger.info(
            "Drain over after %.1fs; graceful shutdown",
            elapsed,
            extra={"event": "end", "drain_seconds": self.seconds, "t": round(elapsed * 1000)},
        )
        self.over.set()
        os.kill(self._master_pid, signal.SIGTERM)

    def _pass_on(self, signum: int, frame: FrameType | None) -> None:
        handler = self._gunicorn_handler
        signal.signal(signal.SIGTERM, handler)
        if callable(handler):
            handler(signum, frame)
        elif handler == signal.SIG_DFL:
            os.kill(os.getpid(), signum)


def install(environ: Mapping[str, str], flag: SharedFlag = draining) -> Drain | None:
    """Drain on ``SIGTERM`` when the environment asks for a drain period; call in ``when_ready``.

    Returns the :class:`Drain`, or None when draining is off (gunicorn's own ``SIGTERM``
    handling is then left alone). ``flag`` is the one ``/__lbheartbeat__`` reads.
    """
    seconds = float(read_variable(SETTING, environ))
    if seconds <= 0:
        return None
    drain = Drain(seconds, flag)
    drain.install()
    return drain
