"""Conventions shared by the ``dockerflow_*`` management commands: exit codes and output."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from django.core.management.base import CommandError

#: Success: healthy, valid, written.
OK = 0
#: The thing examined is bad: heartbeat error/critical, invalid version object or
#: version.json, settings/environment problems.
FAILED = 1
#: Bad usage or configuration: bad arguments, unimportable ``--checks`` path, bad
#: runtime settings. (argparse also exits 2 for arguments it rejects itself.)
USAGE = 2
#: Could not get at the thing: server unreachable or timed out, ``version.json``
#: missing or unreadable, output file not writable.
UNAVAILABLE = 3
#: The server answered, but not like a Dockerflow endpoint (``--url`` only).
INVALID_RESPONSE = 4


def command_error(message: str, code: int) -> CommandError:
    """A one-line :class:`CommandError` that makes ``manage.py`` exit with ``code``."""
    return CommandError(" ".join(message.split()), returncode=code)


def to_json(data: Any) -> str:
    """Indented, key-ordered JSON; values that are not JSON types are shown as text."""
    return json.dumps(data, indent=2, sort_keys=True, default=str)


def render_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A plain-text table: left-aligned columns separated by two spaces, no trailing blanks."""
    widths = [len(header) for header in headers]
    for row in rows:
        for index, cell in enumerate(row):
            widths[index] = max(widths[index], len(cell))
    lines = []
    for row in [headers, *rows]:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=True)]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)
