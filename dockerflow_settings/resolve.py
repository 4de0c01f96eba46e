"""Computes every table setting, with provenance, for both front ends.

Precedence per setting: a plain attribute (class attribute, module global) fixes it;
else its variable in the environment, then in ``BASE_DIR/.env`` (for a secret, the file
``<VARIABLE>_FILE`` names too), then a ``values.*`` Value's default, then the mixin's.
``merge`` rows combine that with what the mixin adds. Every problem is collected.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dockerflow_settings import table
from dockerflow_settings.defaults import Required
from dockerflow_settings.errors import Problem, raise_configuration_error
from dockerflow_settings.merging import MergeError
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
    #: The Value's own conversion, applied after the table's grammar accepted the text:
    #: a ``values.DatabaseURLValue(conn_max_age=600)`` keeps its options.
    cast: Callable[[str], Any] | None = None


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
    values: dict[str, Any]  # every row's value, by setting name
    entries: list[Entry]
    problems: list[Problem]
    #: Problems of server variables: reported by ``check``, not at Django startup.
    server_problems: list[Problem]
    #: Variables set to no effect, and secret files readable by anyone: for ``check``.
    warnings: list[str] = field(default_factory=list)

    def role(self, *roles: str) -> dict[str, Any]:
        return {n: v for n, v in self.values.items() if table.BY_NAME[n].role in roles}

    @property
    def settings(self) -> dict[str, Any]:
        """The Django settings (rows DJANGO and OPTION)."""
        return self.role(table.DJANGO, table.OPTION)

    @property
    def server(self) -> dict[str, Any]:
        return self.role(table.SERVER)

    def raise_for_problems(self) -> None:
        if self.problems:
            raise_configuration_error(self.problems)


def detect_testing(argv: list[str] | None = None) -> bool:
    """Whether this process runs tests: ``manage.py test`` or pytest."""
    args = sys.argv if argv is None else argv
    return args[1:2] == ["test"] or "pytest" in sys.modules


def project_location(module_name: str, module_file: str | None) -> tuple[Path, str]:
    """(BASE_DIR, top-level package) of the settings module: BASE_DIR holds the package,
    as in startproject's layout (``/app/myproject/settings[/prod].py`` give ``/app``)."""
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
    configuration: str | None = None,
) -> Resolution:
    """Resolve the table. ``base_dir``/``project`` are the derived defaults; ``extra``
    holds the project's other (non-table) settings, e.g. SILENCED_SYSTEM_CHECKS."""
    testing = detect_testing() if testing is None else testing
    resolver = _Resolver(attributes, Sources(environ))
    ctx = table.Context(False, base_dir, project, testing, {}, extra or {}, configuration)
    base_dir = Path(resolver.resolve_one(table.BY_NAME["BASE_DIR"], ctx))
    resolver.sources = Sources(environ, base_dir / DOTENV_NAME)
    resolver.problems.extend(resolver.sources.problems)
    for setting in table.TABLE[1:]:
        debug = bool(resolver.values.get("DEBUG", False))
        ctx = table.Context(
            debug, base_dir, project, testing, resolver.values, extra or {}, configuration
        )
        resolver.resolve_one(setting, ctx)
    return Resolution(
        values=resolver.values,
        entries=resolver.entries,
        problems=resolver.problems,
        server_problems=resolver.server_problems,
        warnings=[*resolver.ignored, *resolver.sources.warnings],
    )


class _Resolver:
    def __init__(self, attributes: Mapping[str, Attribute], sources: Sources) -> None:
        self.attributes = attributes
        self.sources = sources
        self.values: dict[str, Any] = {}
        self.entries: list[Entry] = []
        self.problems: list[Problem] = []
        self.server_problems: list[Problem] = []
        #: Variables set to no effect: not an error (the project chose to fix the setting),
        #: but an operator who sets DJANGO_DEBUG expects it to do something.
        self.ignored: list[str] = []

    def resolve_one(self, setting: table.Setting, ctx: table.Context) -> Any:
        value, source, origin = self._find(setting, ctx)
        if setting.finish is not None and setting.name not in self.attributes:
            value = setting.finish(value, ctx)
        if setting.merge is not None:
            try:
                value = setting.merge(None if value is MISSING else value, ctx)
            except MergeError as exc:
                self._problem(setting, Problem(setting.name, str(exc)))
        self.values[setting.name] = value
        self.entries.append(
            Entry(setting.name, setting.env_var, setting.shown(value), source, origin, setting)
        )
        return value

    def _find(self, setting: table.Setting, ctx: table.Context) -> tuple[Any, str, str]:
        attribute = self.attributes.get(setting.name)
        if attribute is not None and not attribute.overridable:
            return attribute.value, attribute.source, self._fixed(setting, attribute)
        found = self._lookup(setting, attribute)
        if isinstance(found, Problem):
            self._problem(setting, found)
        elif found is not None:
            parsed = self._parse(setting, found, ctx, attribute.cast if attribute else None)
            if parsed is not MISSING:
                return parsed, found.source, found.origin
        rejected = found is not None  # set, to a value that is a problem already
        if attribute is not None:
            return attribute.value, attribute.source, attribute.origin
        try:
            return setting.default_for(ctx), DEFAULT, "mixin default"
        except Required as exc:
            if not rejected:
                self._problem(setting, Problem(setting.env_var or setting.name, str(exc)))
            return None, DEFAULT, "mixin default"

    def _lookup(
        self, setting: table.Setting, attribute: Attribute | None
    ) -> FoundVariable | Problem | None:
        """The variable that sets ``setting`` (None when none is set)."""
        if setting.parse is None:
            return None
        own = attribute.env_var if attribute is not None else None
        for name in filter(None, (own or setting.env_var, setting.fallback_env)):
            found = self.sources.lookup(name, file_variable=setting.secret)
            if found is not None:
                return found
        return None

    def _fixed(self, setting: table.Setting, attribute: Attribute) -> str:
        """The origin of a fixed setting, noting (and recording) each variable it ignores."""
        origin = attribute.origin
        for variable in (setting.env_var, setting.file_env_var, setting.fallback_env):
            found = self.sources.lookup(variable) if variable is not None else None
            if found is not None:
                origin += f" (fixed: {variable} is ignored)"
                self.ignored.append(
                    f"{variable} is set ({found.origin}) but ignored: {attribute.origin} fixes "
                    f"{setting.name}; remove {attribute.origin} to let the variable set it, or "
                    f"unset {variable}"
                )
        return origin

    def _parse(
        self,
        setting: table.Setting,
        found: FoundVariable,
        ctx: table.Context,
        cast: Callable[[str], Any] | None = None,
    ) -> Any:
        assert setting.parse is not None
        try:
            value = setting.parse(found.text)
            if cast is not None:
                value = cast(found.text.strip())
        except (ParseError, ValueError) as exc:
            self._bad_text(setting, found.name, found.text, str(exc), found.origin)
            return MISSING
        expected = setting.check_env_value(value, ctx) if setting.check_env_value else None
        if expected is None:
            return value
        self._bad_text(setting, found.name, found.text, expected, found.origin)
        return MISSING

    def _bad_text(
        self, setting: table.Setting, variable: str, text: str, expected: str, origin: str
    ) -> None:
        problem = Problem(variable, expected, value=setting.shown_text(text), origin=origin)
        self._problem(setting, problem)

    def _problem(self, setting: table.Setting, problem: Problem) -> None:
        if setting.role == table.SERVER:
            self.server_problems.append(problem)
        else:
            self.problems.append(problem)
