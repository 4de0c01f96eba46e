"""``manage.py dockerflow_settings``: each table setting, its value and where it came from.

Lists every setting the ``dockerflow_settings`` table controls with its effective value
(secrets masked) and its origin. To validate an environment (every problem at once, also
when the settings cannot load), run ``python -m dockerflow_settings check``.

Exit codes: 0 ok, 2 the project's settings do not use ``dockerflow_settings``.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from dockerflow.cli import conventions
from dockerflow_settings.report import report

#: Longest value shown in the table; --json always has the whole value.
MAX_VALUE_WIDTH = 100


def _display(value: Any) -> str:
    # Compact one-line JSON: DATABASES or LOGGING indented would make the table unreadable.
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= MAX_VALUE_WIDTH else text[: MAX_VALUE_WIDTH - 3] + "..."


class Command(BaseCommand):
    help = (
        "List every setting the dockerflow_settings table controls: effective value (secrets "
        "masked) and origin (environment variable, .env, file, class attribute, default). "
        "To validate the environment, run `python -m dockerflow_settings check`."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="Print JSON instead of a table.")

    def handle(self, *args: Any, **options: Any) -> None:
        with conventions.logs_to_stderr(options["json"]):
            self._list(as_json=options["json"])

    def _list(self, *, as_json: bool) -> None:
        entries = report()
        if entries is None:
            raise conventions.command_error(
                "this project's settings do not use dockerflow_settings (no "
                "DockerflowConfiguration mixin or configure(globals()) call)",
                conventions.USAGE,
            )
        if as_json:
            rows = [
                {"name": e.name, "env_var": e.env_var, "value": e.value, "source": e.source,
                 "origin": e.origin}
                for e in entries
            ]  # fmt: skip
            self.stdout.write(conventions.to_json({"settings": rows}))
            return
        # VALUE last: long values then never push the other columns out of sight.
        table = [[e.name, e.env_var or "", e.origin, _display(e.value)] for e in entries]
        self.stdout.write(
            conventions.render_table(["SETTING", "VARIABLE", "ORIGIN", "VALUE"], table)
        )
