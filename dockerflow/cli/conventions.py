"""Conventions shared by the ``dockerflow_*`` management commands: exit codes and output."""

from __future__ import annotations

import contextlib
import json
import logging
import sys
from collections.abc import Iterator, Mapping, Sequence
from typing import IO, Any

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

#: The commands whose ``--json`` output tools parse: nothing else may reach stdout.
JSON_COMMANDS = frozenset({"dockerflow_heartbeat", "dockerflow_settings", "dockerflow_version"})


def command_error(message: str, code: int) -> CommandError:
    """A one-line :class:`CommandError` that makes ``manage.py`` exit with ``code``."""
    return CommandError(" ".join(message.split()), returncode=code)


def to_json(data: Any) -> str:
    """Indented, key-ordered JSON; any mapping is an object (``get_version``'s are read-only
    mappings), other values that are not JSON types are shown as text."""
    return json.dumps(
        data,
        indent=2,
        sort_keys=True,
        default=lambda v: dict(v) if isinstance(v, Mapping) else str(v),
    )


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
    """While the block runs, what would be written to ``sys.stdout`` goes to ``sys.stderr``
    (unless ``when`` is false: ``with logs_to_stderr(options["json"]):``).

    For ``--json``: stdout must hold one JSON document, whatever the project logs or
    prints meanwhile. ``sys.stdout`` is redirected, which handlers that follow it (such
    as :class:`~dockerflow.logging.MozlogHandler`) follow; a ``StreamHandler`` given
    ``sys.stdout`` when logging was configured is pointed at ``sys.stderr``, then back.
    A command's own ``self.stdout`` was bound before, and still writes to stdout.
    """
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
    """For ``manage.py <one of JSON_COMMANDS> ... --json``: log to stderr from now on.

    What a project logs while Django starts (in ``AppConfig.ready()``, say) is logged
    before any command code runs, so this is meant to be called while the apps load,
    with ``sys.argv``. Every ``StreamHandler`` writing to ``sys.stdout`` is pointed at
    ``sys.stderr`` for the rest of the process. Returns whether it did so.
    """
    if len(argv) < 2 or argv[1] not in JSON_COMMANDS or "--json" not in argv[2:]:
        return False
    for handler in _handlers_writing_to(sys.stdout):
        handler.setStream(sys.stderr)
    return True
