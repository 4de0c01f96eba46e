"""``manage.py dockerflow_version``: build, write or check the Dockerflow ``version.json``.

Exit codes: 0 success, 1 the version object is invalid or cannot be built (or the
checked file is invalid), 2 usage error, 3 the file is missing, unreadable or not a
regular file (``--check``) or cannot be written (``--write``).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from dockerflow.cli import conventions as cli
from dockerflow.cli import version_object
from dockerflow.cli.atomic_write import atomic_write_text
from dockerflow.version import FILE_NAME, UnusableFile, VersionFileError, read_version_file

_DEFAULT = object()  # --write/--check given without a PATH
_FIELD_HELP = {
    "source": "repository URL (http(s), or empty)",
    "version": "version string, e.g. a tag (non-empty)",
    "commit": "commit SHA (7-40 hex characters)",
    "build": "CI build URL (http(s), or empty)",
}


def field_type(name: str) -> Any:
    """argparse type validating an override of version field ``name``."""

    def parse(value: str) -> str:
        problem = version_object.validate_field(name, value)
        if problem:
            raise argparse.ArgumentTypeError(problem)
        return value

    parse.__name__ = name
    return parse


def display_path(value: Any) -> Path:
    """The ``--write``/``--check`` path: ``BASE_DIR/version.json`` (``/app`` without
    ``BASE_DIR``, the file ``/__version__`` serves) when none is given; relative to the
    working directory when inside it, so the output reads the same on every machine."""
    from dockerflow.django.views import version_root

    path = Path(version_root(), FILE_NAME) if value is _DEFAULT else Path(value)
    try:
        return Path(os.path.abspath(path)).relative_to(os.getcwd())
    except ValueError:
        return path


class Command(BaseCommand):
    help = (
        "Build the Dockerflow version object (source, version, commit, build) from CI "
        "environment variables (GitHub Actions, CircleCI, GitLab CI, Taskcluster), falling "
        "back to git in the working directory; print it, --write it atomically, or --check "
        "an existing version.json. Exit codes: 0 ok, 1 invalid, 2 usage error, 3 file "
        "missing/unreadable/unwritable."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        # --version is the version *field* here; it replaces Django's --version
        # (which prints Django's version). argparse consults conflict_handler on
        # each add_argument -- options land in the parser's "optionals" group, which
        # keeps its own copy -- so switching it here is enough, and unlike a
        # create_parser() keyword it survives django-configurations, whose patched
        # create_parser() accepts no keyword arguments.
        for container in (parser, parser._optionals):
            container.conflict_handler = "resolve"
        parser.add_argument("--json", action="store_true", help="Machine-readable output.")
        for name, text in _FIELD_HELP.items():
            parser.add_argument(
                f"--{name}", type=field_type(name), metavar=name.upper(), help=f"Use this {text}."
            )
        parser.add_argument(
            "--no-git", action="store_true", help="Do not fall back to git for missing fields."
        )
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument(
            "--write",
            nargs="?",
            const=_DEFAULT,
            metavar="PATH",
            help="Write the object atomically to PATH (default: BASE_DIR/version.json, "
            "the file /__version__ serves).",
        )
        mode.add_argument(
            "--check",
            nargs="?",
            const=_DEFAULT,
            metavar="PATH",
            help="Validate an existing version.json (default: BASE_DIR/version.json) "
            "instead of building one.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with cli.logs_to_stderr(options["json"]):
            if options["check"] is None:
                self._build(options)
                return
            given = [f"--{name}" for name in _FIELD_HELP if options[name]]
            given += ["--no-git"] if options["no_git"] else []
            if given:
                raise cli.command_error(
                    f"--check cannot be combined with {', '.join(given)}", cli.USAGE
                )
            self._check(display_path(options["check"]), as_json=options["json"])

    def _build(self, options: dict[str, Any]) -> None:
        try:
            found = version_object.collect_version(
                overrides={name: options[name] for name in _FIELD_HELP},
                use_git=not options["no_git"],
            )
        except version_object.VersionObjectError as exc:
            raise cli.command_error(f"invalid version object: {exc}", cli.FAILED) from exc
        if options["verbosity"] >= 2:
            for name, (value, origin) in found.items():
                self.stderr.write(f"{name}: {value!r} from {origin}")
        data = {name: value for name, (value, _) in found.items()}
        if options["write"] is None:
            self.stdout.write(cli.to_json(data))
            return
        path = display_path(options["write"])
        try:
            atomic_write_text(path, cli.to_json(data) + "\n")
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            if not path.parent.is_dir():
                reason = f"directory {path.parent} does not exist"
            raise cli.command_error(f"cannot write {path}: {reason}", cli.UNAVAILABLE) from exc
        if options["json"]:
            self.stdout.write(cli.to_json({"path": str(path), "version": data}))
        else:
            self.stdout.write(f"Wrote {path}")

    def _check(self, path: Path, *, as_json: bool) -> None:
        # The reader /__version__ uses, so both give the same verdict on every file.
        data, code = None, cli.UNAVAILABLE
        try:
            data = read_version_file(path)
        except VersionFileError as exc:
            problems, code = [exc.reason], cli.FAILED
        except UnusableFile as exc:
            problems = [exc.reason]
        else:
            problems = ["missing"] if data is None else version_object.validate_version_object(data)
            code = cli.UNAVAILABLE if data is None else cli.FAILED
        if as_json:
            report = {"path": str(path), "valid": not problems, "problems": problems}
            self.stdout.write(cli.to_json({**report, "version": None if problems else data}))
        elif not problems:
            self.stdout.write(f"{path}: valid (commit {data['commit']}, version {data['version']})")
        if problems:
            raise cli.command_error(f"{path}: {'; '.join(problems)}", code)
