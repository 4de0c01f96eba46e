"""Whether the server is draining: set in the gunicorn master on ``SIGTERM`` (see
``dockerflow_settings.gunicorn_drain``), read by every worker's ``/__lbheartbeat__``. One
byte of shared memory mapped before the workers fork (no file, no signal per worker); no
Django import (the master has no settings).
"""

from __future__ import annotations

import mmap


class SharedFlag:
    """A boolean that a process and the processes it forks after :meth:`share` see together
    (before, it is false and cannot be set)."""

    def __init__(self) -> None:
        self._memory: mmap.mmap | None = None

    def share(self) -> None:
        """Map the shared byte (before forking); calling it again keeps the same byte."""
        if self._memory is None:
            # fileno -1: anonymous memory; MAP_SHARED, not MAP_PRIVATE, so that forked
            # children keep writing to and reading from the same page as the parent.
            self._memory = mmap.mmap(-1, 1, flags=mmap.MAP_SHARED)

    def set(self) -> None:
        """Set the flag for this process and every process sharing it."""
        if self._memory is None:
            raise RuntimeError("SharedFlag.set() before share(): forked workers would not see it")
        self._memory[0] = 1

    def __bool__(self) -> bool:
        return self._memory is not None and self._memory[0] == 1


#: Set in the gunicorn master on ``SIGTERM`` when draining; read by ``/__lbheartbeat__``.
draining = SharedFlag()
