"""Computes every table setting, with provenance, for both front ends.

Precedence per setting: a plain attribute (class attribute or ``configure()``
module global) fixes it; otherwise the real environment, then ``BASE_DIR/.env``,
then the attribute's default when it is a ``values.*`` Value, then the mixin's
default. Settings with ``merge`` combine that value with what the mixin adds.
Every problem is collected; nothing raises until :meth:`Resolution.raise_for_problems`.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dockerflow_settings import table
from dockerflow_settings.context import Context, Required
from dockerflow_settings.errors import ConfigurationError, IgnoredVariable, Problem
from dockerflow_settings.masking import mask_url
from dockerflow_settings.parsing import ParseError
from dockerflow_settings.sources import DOTENV_NAME, FoundVariable, Sources

CLASS_ATTRIBUTE = "class attribute"
MODULE_GLOBAL = "module global"
DEFAULT = "default"

#: "No value": a failed parse, an attribute not found. ``None`` is a value.
MISSING = object()


@dataclass(frozen=True)
class Attribute:
    """A value the project gave for a setting.

    ``overridable`` is true for a ``values.*`` Value: then ``env_var`` (the Value's own
    variable name) still overrides it and ``value`` is its default. A plain value is
    fixed. ``origin`` names it for reports, e.g. ``"Prod.DEBUG"``.
    """

    value: Any
    origin: str
    overridable: bool = False
    env_var: str | None = None
    source: str = CLASS_ATTRIBUTE


@dataclass(frozen=True)
class Entry:
    """One resolved setting, as reports show it (``value`` already masked)."""

    name: str
    env_var: str | None
    value: Any
    source: str  # "environment", ".env", "class attribute", "module global" or "default"
    origin: str
    setting: table.Setting = field(repr=False, compare=False)


@dataclass
class Resolution:
    settings: dict[str, Any]  # Django settings (table roles DJANGO and OPTION)
    server: dict[str, Any]  # variables read by the server (PORT, WEB_CONCURRENCY)
    entries: list[Entry]
    problems: list[Problem]
    #: Problems of server variables: reported by validate(), not at Django startup.
    server_problems: list[Problem]
    #: Variables that are set but have no effect (a plain value fixes their setting).
    ignored: list[IgnoredVariable] = field(default_factory=list)

    def raise_for_problems(self) -> None:
        if self.problems:
            raise ConfigurationError(self.problems)


def detect_testing(argv: list[str] | None = None) -> bool:
    """Whether this process runs tests: ``manage.py test`` or pytest."""
    args = sys.argv if argv is None else argv
    return args[1:2] == ["test"] or "pytest" in sys.modules


def project_location(module_name: str, module_file: str | None) -> tuple[Path, str]:
    """(BASE_DIR, top-level package) of the module defining the settings.

    BASE_DIR is the directory holding the top-level package, as in startproject's
    layout: ``/app/myproject/settings.py`` and ``/app/myproject/settings/prod.py``
    both give ``/app``.
    """
    parts = module_name.split(".")
    if not module_file:
        return Path.cwd(), parts[0]
    path = Path(module_file).resolve()
    levels = len(parts) if path.stem == "__init__" else len(parts) - 1
    return path.parents[levels], parts[0]


def resolve(
    attributes: Mapping[str, Attribute],
    *,
    environ: Mapping[str, str] | None = None,
    base_dir: Path,
    project: str,
    testing: bool | None = None,
    extra: Mapping[str, Any] | None = None,
) -> Resolution:
    """Resolve the table. ``base_dir``/``project`` are the derived defaults;
    ``extra`` holds the project's other (non-table) settings, e.g. CACHES."""
    env_only = Sources(environ)
    resolver = _Resolver(attributes, env_only)
    base = resolver.resolve_one(table.BY_NAME["BASE_DIR"], _context(False, base_dir, project))
    base_dir = Path(base)
    sources = Sources(environ, base_dir / DOTENV_NAME)
    resolver.sources = sources
    resolver.problems.extend(sources.problems)
    testing = detect_testing() if testing is None else testing
    for setting in table.TABLE[1:]:
        debug = bool(resolver.values.get("DEBUG", False))
        ctx = _context(debug, base_dir, project, testing, resolver.values, extra)
        resolver.resolve_one(setting, ctx)
    values = resolver.values
    return Resolution(
        settings={n: values[n] for n in values if table.BY_NAME[n].role != table.SERVER},
        server={n: values[n] for n in values if table.BY_NAME[n].role == table.SERVER},
        entries=resolver.entries,
        problems=resolver.problems,
        server_problems=resolver.server_problems,
        ignored=resolver.ignored,
    )


def _context(
    debug: bool,
    base_dir: Path,
    project: str,
    testing: bool = False,
    values: Mapping[str, Any] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> Context:
    return Context(debug, base_dir, project, testing, values or {}, extra or {})


class _Resolver:
    def __init__(self, attributes: Mapping[str, Attribute], sources: Sources) -> None:
        self.attributes = attributes
        self.sources = sources
        self.values: dict[str, Any] = {}
        self.entries: list[Entry] = []
        self.problems: list[Problem] = []
        self.server_problems: list[Problem] = []
        self.ignored: list[IgnoredVariable] = []

    def resolve_one(self, setting: table.Setting, ctx: Context) -> Any:
        value, source, origin = self._find(setting, ctx)
        if setting.merge is not None:
            value = setting.merge(None if value is MISSING else value, ctx)
        self.values[setting.name] = value
        self.entries.append(
            Entry(setting.name, setting.env_var, setting.shown(value), source, origin, setting)
        )
        return value

    def _find(self, setting: table.Setting, ctx: Context) -> tuple[Any, str, str]:
        attribute = self.attributes.get(setting.name)
        if attribute is not None and not attribute.overridable:
            return attribute.value, attribute.source, self._fixed(setting, attribute)
        env_var = setting.env_var
        if attribute is not None and attribute.env_var:
            env_var = attribute.env_var
        rejected = False  # a variable was set, with a value that is a problem already
        if env_var is not None and setting.parse is not None:
            found = self.sources.lookup(env_var)
            if found is not None:
                parsed = self._parse(setting, env_var, found, ctx)
                if parsed is not MISSING:
                    return parsed, found.source, found.origin
                rejected = True
            elif setting.file_env_var is not None:
                found = self.sources.lookup(setting.file_env_var)
                if found is not None:
                    parsed = self._read_file(setting, found, ctx)
                    if parsed is not MISSING:
                        return parsed, found.source, f"file named by {found.origin}"
                    rejected = True
        if attribute is not None:
            return attribute.value, attribute.source, attribute.origin
        try:
            return setting.default(ctx), DEFAULT, "mixin default"
        except Required as exc:
            if not rejected:
                self._problem(setting, Problem(env_var or setting.name, str(exc)))
            return None, DEFAULT, "mixin default"

    def _fixed(self, setting: table.Setting, attribute: Attribute) -> str:
        """The origin of a fixed setting, noting (and recording) each variable it ignores."""
        origin = attribute.origin
        for variable in (setting.env_var, setting.file_env_var):
            found = self.sources.lookup(variable) if variable is not None else None
            if found is not None:
                origin += f" (fixed: {variable} is ignored)"
                self.ignored.append(
                    IgnoredVariable(
                        found.name,
                        origin=found.origin,
                        fixed_by=attribute.origin,
                        setting=setting.name,
                    )
                )
        return origin

    def _parse(
        self, setting: table.Setting, env_var: str, found: FoundVariable, ctx: Context
    ) -> Any:
        assert setting.parse is not None
        try:
            value = setting.parse(found.text)
        except ParseError as exc:
            self._bad_text(setting, env_var, found.text, str(exc), found.origin)
            return MISSING
        return self._checked(setting, env_var, value, ctx, found.origin)

    def _checked(
        self, setting: table.Setting, variable: str, value: Any, ctx: Context, origin: str
    ) -> Any:
        """``value`` if the row's context check accepts it, else MISSING (a problem)."""
        expected = setting.check_env_value(value, ctx) if setting.check_env_value else None
        if expected is None:
            return value
        self._bad_text(setting, variable, value, expected, origin)
        return MISSING

    def _bad_text(
        self, setting: table.Setting, variable: str, text: str, expected: str, origin: str
    ) -> None:
        # A URL's password is masked in any value; a secret is masked whole.
        shown = setting.shown(text) if setting.secret else mask_url(text)
        self._problem(setting, Problem(variable, expected, value=shown, origin=origin))

    def _read_file(self, setting: table.Setting, found: FoundVariable, ctx: Context) -> Any:
        assert setting.file_env_var is not None
        assert setting.parse is not None
        path = found.text.strip()
        try:
            with open(path, encoding="utf-8") as file:
                content = file.read().strip()
        except (OSError, UnicodeDecodeError) as exc:
            expected = f"a readable file containing {setting.name} ({type(exc).__name__}: {exc})"
        else:
            if content:
                return self._checked(
                    setting, found.name, setting.parse(content), ctx, f"file {path}"
                )
            expected = f"a file containing {setting.name}, but the file is empty"
        self._problem(
            setting, Problem(setting.file_env_var, expected, value=path, origin=found.origin)
        )
        return MISSING

    def _problem(self, setting: table.Setting, problem: Problem) -> None:
        if setting.role == table.SERVER:
            self.server_problems.append(problem)
        else:
            self.problems.append(problem)
