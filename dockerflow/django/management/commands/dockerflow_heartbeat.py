"""``manage.py dockerflow_heartbeat``: the ``/__heartbeat__`` checks from a shell or a probe."""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import math
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand
from django.utils.module_loading import import_string

from dockerflow.checks import ERROR, level_to_text
from dockerflow.checks.registry import messages_logger
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
    with contextlib.suppress(ValueError):
        if math.isfinite(seconds := float(value)) and seconds > 0:
            return seconds
    raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got {value!r}")


def parse_check_paths(value: str) -> list[str]:
    """The dotted paths in ``--checks`` (comma-separated), or exit 2 naming a bad one."""
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


def results_table(document: dict[str, Any]) -> str:
    """A heartbeat document's ``checks`` as a table: one row per check and message."""
    # A remote server's document too, so shapes are not trusted.
    details = document.get("details") if isinstance(document.get("details"), dict) else {}
    rows = []
    for name, status in document["checks"].items():
        detail = details.get(name)
        messages = detail.get("messages") if isinstance(detail, dict) else None
        lines = [f"{k}: {v}" for k, v in messages.items()] if isinstance(messages, dict) else []
        lines = lines or [""]
        rows += [[str(name), str(status), lines[0]], *(["", "", line] for line in lines[1:])]
    return cli.render_table(["CHECK", "STATUS", "MESSAGES"], rows)


class Command(BaseCommand):
    help = (
        "Run the /__heartbeat__ checks here, or ask a running server (--url). Exit codes: "
        "0 healthy, 1 unhealthy, 2 usage error, 3 unreachable, 4 not a heartbeat response."
    )
    # The checks run are exactly the heartbeat's; Django's system checks would
    # add a slow, unrelated pass (and need valid settings for --url).
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--json", action="store_true", help="Print JSON instead of a table.")
        parser.add_argument(
            "--checks", metavar="PATH[,PATH...]", help="Run these checks, not DOCKERFLOW_CHECKS."
        )
        parser.add_argument(
            "--url",
            help="Poll a running server instead: its base URL (http://127.0.0.1:8000) or the "
            "endpoint's. Redirects are not followed.",
        )
        parser.add_argument("--lb", action="store_true", help="With --url: poll /__lbheartbeat__.")
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
        was_disabled, messages_logger.disabled = messages_logger.disabled, True
        try:
            results = run_heartbeat(paths, options["timeout"], sender=Command)
        except ImproperlyConfigured as exc:
            raise cli.command_error(f"cannot run the heartbeat: {exc}", cli.USAGE) from exc
        finally:
            messages_logger.disabled = was_disabled
        status = level_to_text(results.level)
        payload = {"status": status, "checks": results.statuses, "details": results.details}
        if options["json"]:
            self.stdout.write(cli.to_json(payload))
        else:
            self.stdout.write(f"{results_table(payload)}\n\nstatus: {status}")
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
            if isinstance((result.response or {}).get("checks"), dict):
                self.stdout.write(results_table(result.response))
        if result.outcome != http_probe.HEALTHY:
            raise cli.command_error(
                f"{result.outcome}: {result.url}: {result.error}", _EXIT_CODES[result.outcome]
            )
