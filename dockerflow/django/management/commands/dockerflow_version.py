"""``manage.py dockerflow_version``: build, write or check the Dockerflow ``version.json``."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from dockerflow.cli import conventions as cli
from dockerflow.cli.version_object import (
    FIELDS,
    VersionObjectError,
    collect_version,
    validate_field,
    validate_version_object,
)
from dockerflow.version import FILE_NAME, UnusableFile, VersionFileError, read_version_file

_DEFAULT = object()  # --write/--check given without a PATH


def display_path(value: Any) -> Path:
    """The ``--write``/``--check`` path: ``BASE_DIR/version.json`` (``/app`` without
    ``BASE_DIR``, the file ``/__version__`` serves) when none is given; relative to the
    working directory when inside it, so the output reads the same on every machine."""
    from dockerflow.django.views import version_root

    path = Path(version_root(), FILE_NAME) if value is _DEFAULT else Path(value)
    with contextlib.suppress(ValueError):
        return Path(os.path.abspath(path)).relative_to(os.getcwd())
    return path


def write_atomically(path: Path, text: str) -> None:
    """Write a temporary file, then rename it over ``path``: no reader sees half of it.
    Raises ``OSError``."""
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as tmp:
            tmp.write(text)
            tmp.flush()
            os.fsync(tmp.fileno())
        os.chmod(tmp_name, 0o644)  # mkstemp's 0600 would hide it from the app's user
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise


class Command(BaseCommand):
    help = (
        "Build the version object from CI variables and git; print it, --write it, or --check "
        "a version.json. Exit codes: 0 ok, 1 invalid, 2 usage error, 3 file unusable."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        # --version is the version *field* here, not Django's. argparse consults
        # conflict_handler on each add_argument, in the parser and in its "optionals"
        # group (which keeps a copy); unlike a create_parser() keyword, this survives
        # django-configurations' patched create_parser(), which takes no keywords.
        for container in (parser, parser._optionals):
            container.conflict_handler = "resolve"
        parser.add_argument("--json", action="store_true", help="Machine-readable output.")
        for name in FIELDS:
            parser.add_argument(f"--{name}", metavar=name.upper(), help=f"The {name} to use.")
        parser.add_argument(
            "--no-git", action="store_true", help="Do not fall back to git for missing fields."
        )
        mode = parser.add_mutually_exclusive_group()
        for name, text in (("write", "Write the object atomically to"), ("check", "Validate")):
            mode.add_argument(
                f"--{name}",
                nargs="?",
                const=_DEFAULT,
                metavar="PATH",
                help=f"{text} PATH (default: BASE_DIR/version.json, the file /__version__ serves).",
            )

    def handle(self, *args: Any, **options: Any) -> None:
        for name in FIELDS:
            problem = options[name] is not None and validate_field(name, options[name])
            if problem:
                raise cli.command_error(f"--{name}: {problem}", cli.USAGE)
        with cli.logs_to_stderr(options["json"]):
            if options["check"] is None:
                self._build(options)
                return
            given = [f"--{name.replace('_', '-')}" for name in (*FIELDS, "no_git") if options[name]]
            if given:
                raise cli.command_error(
                    f"--check cannot be combined with {', '.join(given)}", cli.USAGE
                )
            self._check(display_path(options["check"]), as_json=options["json"])

    def _build(self, options: dict[str, Any]) -> None:
        try:
            found = collect_version(
                overrides={name: options[name] for name in FIELDS}, use_git=not options["no_git"]
            )
        except VersionObjectError as exc:
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
            write_atomically(path, cli.to_json(data) + "\n")
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            if not path.parent.is_dir():
                reason = f"directory {path.parent} does not exist"
            raise cli.command_error(f"cannot write {path}: {reason}", cli.UNAVAILABLE) from exc
        report = {"path": str(path), "version": data}
        self.stdout.write(cli.to_json(report) if options["json"] else f"Wrote {path}")

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
            problems = ["missing"] if data is None else validate_version_object(data)
            code = cli.UNAVAILABLE if data is None else cli.FAILED
        if as_json:
            report = {"path": str(path), "valid": not problems, "problems": problems}
            self.stdout.write(cli.to_json({**report, "version": None if problems else data}))
        elif not problems:
            self.stdout.write(f"{path}: valid (commit {data['commit']}, version {data['version']})")
        if problems:
            raise cli.command_error(f"{path}: {'; '.join(problems)}", code)
