"""Whether the server is draining: one flag shared by a gunicorn master and its workers.

When the server gets ``SIGTERM`` and ``DOCKERFLOW_DRAIN_SECONDS`` is above 0, the
gunicorn master (:mod:`dockerflow_settings.gunicorn_drain`) sets :data:`draining`;
from then on ``/__lbheartbeat__`` answers 503 ``{"status":"draining"}`` in every
worker, so load balancers stop sending traffic, while every other request is still
served until the drain period is over.

The flag is one byte of anonymous shared memory mapped by the master before it forks
any worker: a write in the master is seen at once by every worker, including workers
forked later, with no file to create or clean up, nothing that needs a writable
filesystem, and no signal to deliver to each worker. Reading it is a memory load.
Nothing here imports Django: the master uses it without loading any settings.
"""

from __future__ import annotations

import mmap


class SharedFlag:
    """A boolean that a process and the processes it forks after :meth:`share` see together.

    Before :meth:`share` the flag is private to this process and false; processes
    that do not fork (``runserver``, tests) never see it set.
    """

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
