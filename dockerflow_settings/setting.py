"""One row of the table (:class:`Setting`) and the helpers rows are built from."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from dockerflow.django import conf
from dockerflow_settings.context import Context, Required, sample
from dockerflow_settings.masking import mask
from dockerflow_settings.parsing import ParseError

#: A Django (or Dockerflow runtime) setting.
DJANGO = "django"
#: Shapes other settings (e.g. LOGGING_USE_JSON); also available as a setting.
OPTION = "option"
#: Read by the server (gunicorn configuration), not a Django setting.
SERVER = "server"


@dataclass(frozen=True, kw_only=True)
class Setting:
    """One row of the table: everything resolution, reports and docs need."""

    name: str
    #: The variable that overrides it, or None for settings computed from others.
    env_var: str | None = None
    #: Type name for docs: bool, int, float, str, list of str, URL, dotted path,
    #: dotted path list, path, secret, dict, list.
    type: str
    #: Text -> value; raises parsing.ParseError. None when there is no variable.
    parse: Callable[[str], Any] | None = None
    #: The mixin's default, from the context; may raise Required.
    default: Callable[[Context], Any]
    help: str
    example: str | None = None
    #: The Dev and Prod defaults as docs and reports show them, where the default is
    #: not a plain value (computed, random, merged); otherwise derived from ``default``.
    describe: tuple[str, str] | None = None
    secret: bool = False
    role: str = DJANGO
    #: Combines the user's value (or None) with what the mixin adds.
    merge: Callable[[Any, Context], Any] | None = None
    #: A variable naming a file whose (stripped) content is the value.
    file_env_var: str | None = None
    #: How the value is shown in reports (secrets masked).
    display: Callable[[Any], Any] | None = None
    #: Checks a value read from the environment in its context (e.g. DEBUG): returns
    #: what was expected when the value is not acceptable, else None.
    check_env_value: Callable[[Any, Context], str | None] | None = None

    def shown(self, value: Any) -> Any:
        """The value as reports may show it."""
        if self.display is not None:
            return self.display(value)
        return mask(value) if self.secret else value

    @property
    def dev_default(self) -> str:
        return self.describe[0] if self.describe else self._default_text(debug=True)

    @property
    def prod_default(self) -> str:
        return self.describe[1] if self.describe else self._default_text(debug=False)

    def _default_text(self, *, debug: bool) -> str:
        try:
            return describe_value(self.default(sample(debug=debug)))
        except Required:
            return "required"


def describe_value(value: Any) -> str:
    """A default as docs show it: ``5.0`` as ``5``, a list as ``a, b``, None as unset."""
    if value is None:
        return "unset"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (list, tuple)):
        return ", ".join(describe_value(item) for item in value) or "empty"
    return str(value)


def runtime_rule(
    name: str, parse: Callable[[str], Any], *, explain_bad_text_by: str = "rule"
) -> Callable[[str], Any]:
    """Text -> typed value (``parse``) -> the runtime's own rule for setting ``name``.

    The same rule as :func:`dockerflow.django.conf.valid` applies at run time, so a
    value ``check`` accepts is one the running service accepts, and the other way round.
    Text that ``parse`` rejects is explained by the rule ("a number of seconds > 0 and
    <= 300" says more than "a number"), or with ``explain_bad_text_by="grammar"`` by the
    parser (the boolean words say more than "True or False").
    """

    def parse_for_runtime(text: str) -> Any:
        try:
            value = parse(text)
        except ParseError:
            if explain_bad_text_by == "grammar":
                raise
            value = object()  # no rule accepts a bare object: the rule says what it wants
        try:
            return conf.validate(name, value)
        except conf.InvalidSetting as exc:
            raise ParseError(str(exc)) from None

    return parse_for_runtime


def runtime_default(name: str) -> Callable[[Context], Any]:
    """The runtime's default for ``name`` (``conf.DEFAULTS``, the one place it is written)."""
    return lambda ctx: copy.copy(conf.DEFAULTS[name])


def same_in_dev_and_prod(text: str) -> tuple[str, str]:
    """A ``describe=`` text for a default that does not depend on DEBUG."""
    return (text, text)


def constant(value: Any) -> Callable[[Context], Any]:
    return lambda ctx: value


def by_debug(dev: Any, prod: Any) -> Callable[[Context], Any]:
    return lambda ctx: dev if ctx.debug else prod


def not_debug(ctx: Context) -> bool:
    return not ctx.debug
