"""``manage.py dockerflow_settings``: what each table-controlled setting is, and where it came from.

Lists every setting the ``dockerflow_settings`` table controls with its effective
value (secrets masked) and its origin, or with ``--check`` validates the environment
and reports every problem at once, warning (on stderr, exit code unchanged) about each
variable that is set but ignored because a plain value of the project fixes its setting.

When the settings cannot load at all, Django never reaches this command (it then
only knows its core commands); use ``python -m dockerflow_settings check`` there,
which validates without importing the settings module.

Exit codes: 0 ok, 1 ``--check`` found problems, 2 usage error, the project's settings
do not use ``dockerflow_settings``, or the installed ``dockerflow_settings`` lacks the
API this command needs.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from dockerflow.cli import conventions as cli
from dockerflow.django import conf

REPORT_COLUMNS = ("name", "env_var", "value", "source", "origin")


def settings_api(name: str) -> Callable[..., Any]:
    """Public function ``name`` of ``dockerflow_settings``; exit 2 if it is missing."""
    import dockerflow_settings

    func = getattr(dockerflow_settings, name, None)
    if not callable(func):
        raise cli.command_error(
            f"the installed dockerflow_settings does not provide {name}(), which this "
            "command needs",
            cli.USAGE,
        )
    return func


def _not_used() -> Exception:
    return cli.command_error(
        "this project's settings do not use dockerflow_settings (no DockerflowConfiguration "
        "mixin or configure(globals()) call), so there is no table of settings to "
        "list or check",
        cli.USAGE,
    )


#: Longest value shown in the table; --json always has the whole value.
MAX_VALUE_WIDTH = 100


def _display(value: Any) -> str:
    # Compact one-line JSON: DATABASES or LOGGING indented would make the table unreadable.
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)
    if len(text) > MAX_VALUE_WIDTH:
        text = text[: MAX_VALUE_WIDTH - 3] + "..."
    return text


class Command(BaseCommand):
    help = (
        "List every setting the dockerflow_settings table controls: effective value (secrets "
        "masked) and origin (environment variable, .env, class attribute, default). --check "
        "validates the environment instead. Exit codes: 0 ok, 1 problems found, 2 usage error "
        "or the settings do not use dockerflow_settings. If settings cannot load at all, run "
        "`python -m dockerflow_settings check`."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="Print JSON instead of a table.")
        parser.add_argument(
            "--check",
            action="store_true",
            help="Validate the environment (every problem at once); exit 1 on any problem.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        entries = settings_api("report")()
        if entries is None:
            raise _not_used()
        if options["check"]:
            self._check(as_json=options["json"])
            return
        rows = [
            {column: getattr(entry, column, None) for column in REPORT_COLUMNS} for entry in entries
        ]
        if options["json"]:
            self.stdout.write(cli.to_json({"settings": rows}))
            return
        # VALUE last: long values then never push the other columns out of sight.
        table = [
            [row["name"], row["env_var"] or "", row["origin"] or "", _display(row["value"])]
            for row in rows
        ]
        self.stdout.write(cli.render_table(["SETTING", "VARIABLE", "ORIGIN", "VALUE"], table))

    def _check(self, *, as_json: bool) -> None:
        found = settings_api("check_environment")(
            os.environ,
            base_dir=conf.get("BASE_DIR"),
            configuration=os.environ.get("DJANGO_CONFIGURATION"),
        )
        problems, ignored = list(found.problems), list(found.ignored)
        if as_json:
            self.stdout.write(
                cli.to_json({"valid": not problems, "problems": problems, "ignored": ignored})
            )
        else:
            for variable in ignored:
                self.stderr.write(f"Warning: {variable}")
            if problems:
                self.stdout.write("\n".join(f"- {problem}" for problem in problems))
            else:
                self.stdout.write("No problems found.")
        if problems:
            count = len(problems)
            raise cli.command_error(
                f"{count} setting problem{'s' if count > 1 else ''} found", cli.FAILED
            )
