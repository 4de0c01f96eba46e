"""``manage.py dockerflow_heartbeat``: the ``/__heartbeat__`` checks from a shell or a probe.

Exit codes: 0 ok/info/warning (healthy), 1 error/critical (unhealthy), 2 usage or
configuration error, 3 server unreachable or timed out (``--url``), 4 the server's
answer is not a heartbeat response (``--url``).
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import math
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand
from django.utils.module_loading import import_string

from dockerflow.checks import ERROR, level_to_text
from dockerflow.cli import conventions as cli
from dockerflow.cli import http_probe

DEFAULT_URL_TIMEOUT = 5.0

_EXIT_CODES = {
    http_probe.HEALTHY: cli.OK,
    http_probe.UNHEALTHY: cli.FAILED,
    http_probe.UNREACHABLE: cli.UNAVAILABLE,
    http_probe.INVALID: cli.INVALID_RESPONSE,
}


def positive_seconds(value: str) -> float:
    """argparse type: a finite number of seconds > 0."""
    try:
        seconds = float(value)
    except ValueError:
        seconds = math.nan
    if not (math.isfinite(seconds) and seconds > 0):
        raise argparse.ArgumentTypeError(
            f"expected a positive number of seconds (e.g. 5 or 0.5), got {value!r}"
        )
    return seconds


def parse_check_paths(value: str) -> list[str]:
    """The dotted paths in a comma-separated ``--checks`` value, each importable.

    Raises ``CommandError`` (exit 2) naming the first path that cannot be used.
    """
    paths = [part.strip() for part in value.split(",") if part.strip()]
    if not paths:
        raise cli.command_error(
            f"--checks {value!r} names no check; expected a.b.check,...", cli.USAGE
        )
    for path in paths:
        try:
            func = import_string(path)
        except Exception as exc:
            reason = str(exc) or type(exc).__name__
            raise cli.command_error(
                f"--checks: cannot import {path!r}: {reason}", cli.USAGE
            ) from exc
        if not callable(func):
            raise cli.command_error(f"--checks: {path!r} is not a callable check", cli.USAGE)
    return paths


def results_table(statuses: dict[str, Any], details: dict[str, Any]) -> str:
    """One row per check (one more per extra message): check, status, messages."""
    rows = []
    for name, status in statuses.items():
        # Also renders a remote server's document, so shapes are not trusted.
        detail = details.get(name)
        messages = detail.get("messages") if isinstance(detail, dict) else None
        lines = (
            [f"{id_}: {msg}" for id_, msg in messages.items()] if isinstance(messages, dict) else []
        )
        lines = lines or [""]
        rows.append([str(name), str(status), lines[0]])
        rows.extend(["", "", line] for line in lines[1:])
    return cli.render_table(["CHECK", "STATUS", "MESSAGES"], rows)


class Command(BaseCommand):
    help = (
        "Run the /__heartbeat__ checks (DOCKERFLOW_CHECKS) in this process and report them; "
        "or, with --url, ask a running server. Exit codes: 0 healthy (ok/info/warning), "
        "1 unhealthy (error/critical, or HTTP 5xx), 2 usage or configuration error, "
        "3 server unreachable or timed out, 4 not a heartbeat response."
    )
    # The checks run are exactly the heartbeat's; Django's system checks would
    # add a slow, unrelated pass (and need valid settings for --url).
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--json", action="store_true", help="Print JSON instead of a table.")
        parser.add_argument(
            "--checks",
            metavar="PATH[,PATH...]",
            help="Run only these checks (comma-separated dotted paths) instead of "
            "DOCKERFLOW_CHECKS.",
        )
        parser.add_argument(
            "--url",
            help="Poll a running server instead: a base URL (http://127.0.0.1:8000, "
            "/__heartbeat__ is appended to its path) or the full endpoint URL. "
            "http:// is assumed when no scheme is given. Redirects are not followed.",
        )
        parser.add_argument(
            "--lb",
            action="store_true",
            help="With --url: poll /__lbheartbeat__ (is the process serving?) instead.",
        )
        parser.add_argument(
            "--timeout",
            type=positive_seconds,
            metavar="SECONDS",
            help=f"With --url: give up after this long (default {DEFAULT_URL_TIMEOUT:g}). "
            "Without: the per-check timeout (default: DOCKERFLOW_HEARTBEAT_TIMEOUT).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["url"] is not None and options["checks"] is not None:
            raise cli.command_error("--checks cannot be used with --url", cli.USAGE)
        if options["url"] is None and options["lb"]:
            raise cli.command_error("--lb needs --url", cli.USAGE)
        with cli.logs_to_stderr(options["json"]):
            if options["url"] is None:
                self._run_in_process(options)
            else:
                self._probe(options)

    def _run_in_process(self, options: dict[str, Any]) -> None:
        paths = None if options["checks"] is None else parse_check_paths(options["checks"])
        # Imported here: --url must work even when the heartbeat's dependencies or
        # the project's checks cannot be imported.
        from dockerflow.django.heartbeat import run_heartbeat

        # The command prints every message itself; logging them too would repeat them.
        messages_logger = logging.getLogger("dockerflow.checks.registry")
        was_disabled, messages_logger.disabled = messages_logger.disabled, True
        try:
            results = run_heartbeat(paths, options["timeout"], sender=Command)
        except ImproperlyConfigured as exc:
            raise cli.command_error(f"cannot run the heartbeat: {exc}", cli.USAGE) from exc
        finally:
            messages_logger.disabled = was_disabled
        status = level_to_text(results.level)
        if options["json"]:
            payload = {"status": status, "checks": results.statuses, "details": results.details}
            self.stdout.write(cli.to_json(payload))
        else:
            self.stdout.write(results_table(results.statuses, results.details))
            self.stdout.write(f"\nstatus: {status}")
        if results.level >= ERROR:
            raise cli.command_error(f"heartbeat status is {status}", cli.FAILED)

    def _probe(self, options: dict[str, Any]) -> None:
        timeout = options["timeout"] or DEFAULT_URL_TIMEOUT
        try:
            result = http_probe.probe(options["url"], timeout=timeout, lb=options["lb"])
        except http_probe.ProbeURLError as exc:
            raise cli.command_error(str(exc), cli.USAGE) from exc
        if options["json"]:
            self.stdout.write(cli.to_json(dataclasses.asdict(result)))
        else:
            code = "" if result.http_status is None else f" -> HTTP {result.http_status}"
            self.stdout.write(
                f"{result.outcome}: GET {result.url}{code} ({result.elapsed_ms:.0f} ms)"
            )
            document = result.response or {}
            if isinstance(document.get("checks"), dict):
                details = document.get("details")
                self.stdout.write(
                    results_table(document["checks"], details if isinstance(details, dict) else {})
                )
        if result.outcome != http_probe.HEALTHY:
            raise cli.command_error(
                f"{result.outcome}: {result.url}: {result.error}", _EXIT_CODES[result.outcome]
            )
