"""Replace a file atomically, so a reader never sees it half-written."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def atomic_write_text(path: Path, text: str, *, mode: int = 0o644) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same directory.

    The temporary file is flushed to disk and then renamed over ``path`` with
    :func:`os.replace` (atomic on POSIX within one file system). ``mode`` is applied
    before the rename: ``mkstemp`` creates files readable by their owner only, and
    the app reading the file often runs as a different user. Raises ``OSError``.
    """
    path = Path(path)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as tmp:
            tmp.write(text)
            tmp.flush()
            os.fsync(tmp.fileno())
        os.chmod(tmp_name, mode)
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise
