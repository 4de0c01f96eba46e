"""Conventions shared by the ``dockerflow_*`` management commands: exit codes and output."""

from __future__ import annotations

import contextlib
import json
import logging
import sys
from collections.abc import Iterator, Sequence
from typing import IO, Any

from django.core.management.base import CommandError

from dockerflow.version import json_default

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

#: The commands whose ``--json`` output tools parse: nothing else may reach stdout.
JSON_COMMANDS = frozenset({"dockerflow_heartbeat", "dockerflow_settings", "dockerflow_version"})


def command_error(message: str, code: int) -> CommandError:
    """A one-line :class:`CommandError` that makes ``manage.py`` exit with ``code``."""
    return CommandError(" ".join(message.split()), returncode=code)


def to_json(data: Any) -> str:
    """Indented, key-ordered JSON (``default``: ``dockerflow.version.json_default``)."""
    return json.dumps(data, indent=2, sort_keys=True, default=json_default)


def render_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A plain-text table: left-aligned columns separated by two spaces, no trailing blanks."""
    widths = [max(len(row[i]) for row in [headers, *rows]) for i in range(len(headers))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in [headers, *rows]
    )


def _handlers_writing_to(stream: IO[str]) -> list[logging.StreamHandler]:  # type: ignore[type-arg]
    loggers = [logging.getLogger(), *logging.Logger.manager.loggerDict.values()]
    handlers = {h for logger in loggers for h in getattr(logger, "handlers", ())}
    return [h for h in handlers if isinstance(h, logging.StreamHandler) and h.stream is stream]


@contextlib.contextmanager
def logs_to_stderr(when: bool = True) -> Iterator[None]:
    """If ``when``, send what the block logs or prints to stderr (``sys.stdout``, which
    ``MozlogHandler`` follows, and every ``StreamHandler`` writing to it), so the command's
    ``--json`` output, written to its own ``self.stdout``, is all stdout gets."""
    if not when:
        yield
        return
    stdout = sys.stdout
    with contextlib.redirect_stdout(sys.stderr):
        swapped = _handlers_writing_to(stdout)
        for handler in swapped:
            handler.setStream(sys.stderr)
        try:
            yield
        finally:
            for handler in swapped:
                handler.setStream(stdout)


def startup_logs_to_stderr(argv: Sequence[str]) -> bool:
    """If ``argv`` runs one of :data:`JSON_COMMANDS` with ``--json``, point every
    ``StreamHandler`` writing to stdout at stderr for good (for what apps log while Django
    starts, before the command runs), and return True."""
    if len(argv) < 2 or argv[1] not in JSON_COMMANDS or "--json" not in argv[2:]:
        return False
    for handler in _handlers_writing_to(sys.stdout):
        handler.setStream(sys.stderr)
    return True
