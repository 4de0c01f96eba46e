"""The one table of settings and environment variables.

Every setting ``dockerflow_settings`` provides is one :class:`Setting` in
:data:`TABLE`, in resolution order (a default may use settings resolved before it).
Both front ends (the ``DockerflowConfiguration`` mixin and ``configure()``), the
operator command, ``validate()`` and the docs' configuration reference read it. The
rows are kept in one module per part: the project's core settings and logging
options, the ``dockerflow`` runtime's settings, security settings, server variables.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dockerflow_settings import parsing, rows_dockerflow, rows_project, rows_security, rows_server
from dockerflow_settings.context import Context, Required, sample
from dockerflow_settings.rows_dockerflow import REDIS_CHECK
from dockerflow_settings.setting import DJANGO, OPTION, SERVER, Setting

__all__ = [
    "BY_NAME",
    "DJANGO",
    "OPTION",
    "REDIS_CHECK",
    "SERVER",
    "SETTING_NAMES",
    "TABLE",
    "Context",
    "Required",
    "Setting",
    "parsing",
]

TABLE: tuple[Setting, ...] = (
    *rows_project.ROWS,
    *rows_dockerflow.ROWS,
    *rows_security.ROWS,
    *rows_server.ROWS,
)

BY_NAME: dict[str, Setting] = {setting.name: setting for setting in TABLE}
#: Names that end up in Django settings (everything but server variables).
SETTING_NAMES: frozenset[str] = frozenset(s.name for s in TABLE if s.role != SERVER)


class BadVariable(ValueError):
    """A variable read outside Django (by the server) has a value it cannot use."""


def read_variable(name: str, environ: Mapping[str, str]) -> Any:
    """Row ``name``'s value from ``environ``, parsed by the row; its default when unset.

    For the server (gunicorn), which reads its variables before and without Django:
    its rows' defaults do not depend on DEBUG or the project. Raises :class:`BadVariable`
    naming the variable, its value and what was expected.
    """
    row = BY_NAME[name]
    text = environ.get(row.env_var or "")
    if parsing.is_unset(text):
        return row.default(sample(debug=False))
    try:
        return row.parse(text)  # type: ignore[misc]
    except parsing.ParseError as exc:
        raise BadVariable(f"{row.env_var}={text!r} is not valid: expected {exc}") from None
