"""Reading the Dockerflow ``version.json`` file."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

__all__ = ["get_version"]


def get_version(root: str | os.PathLike[str]) -> Any:
    """The parsed ``version.json`` in directory ``root``, or None if there is none.

    A file that is not valid JSON raises :class:`json.JSONDecodeError` (a
    ``ValueError``) whose message names the file.
    """
    path = Path(root) / "version.json"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise json.JSONDecodeError(
            f"{path} is not valid JSON (expected a version.json object): {exc.msg}",
            exc.doc,
            exc.pos,
        ) from None
