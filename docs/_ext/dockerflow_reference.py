"""Sphinx extension: the configuration reference, generated from the code's own tables.

Directives:

``.. dockerflow-settings-table::``
    Every setting of ``dockerflow_settings.table`` (the table both front ends resolve
    settings from): environment variable, setting, type, default in Dev and in Prod,
    what it does, an example.

``.. dockerflow-runtime-settings::``
    Every Django setting the ``dockerflow`` runtime reads (``dockerflow.django.conf.DEFAULTS``)
    with its default, and the description kept in :data:`RUNTIME_SETTINGS` below (a test
    keeps that mapping in step with ``DEFAULTS``).

Object types (usable from any page):

``.. setting:: NAME`` / ``:setting:`NAME```
    A Django setting. Environment variables use Sphinx's own ``envvar`` directive and role.

The RST is produced by plain functions (:func:`runtime_settings_rst`,
:func:`settings_table_rst`) so tests can check the reference without running Sphinx.
"""

from __future__ import annotations

import dataclasses
import pprint
import re
import textwrap
from collections.abc import Iterable, Iterator
from typing import Any

from docutils import nodes
from docutils.parsers.rst import directives
from docutils.statemachine import StringList
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import nested_parse_with_titles


@dataclasses.dataclass(frozen=True)
class RuntimeSetting:
    """What the docs say about one ``conf.DEFAULTS`` entry (the default comes from the code)."""

    type: str
    description: str
    example: str


#: Descriptions of every setting in ``dockerflow.django.conf.DEFAULTS``. RST.
RUNTIME_SETTINGS: dict[str, RuntimeSetting] = {
    "DOCKERFLOW_CHECKS": RuntimeSetting(
        type="list of dotted paths",
        description="""
            The checks ``/__heartbeat__`` (and ``manage.py dockerflow_heartbeat``) runs:
            exactly these, nothing else, all at the same time, each in its own thread and
            bounded by :setting:`DOCKERFLOW_HEARTBEAT_TIMEOUT`. A check is any callable
            returning check messages; one that accepts ``app_configs`` (a Django system
            check) is called with ``app_configs=None``. A path that cannot be imported is
            reported as error ``dockerflow.health.E014`` instead of breaking the heartbeat.
            Anything but a list or tuple of dotted paths raises ``ImproperlyConfigured``
            (only their syntax is checked there; importing is the heartbeat's job).
        """,
        example="""[
    "dockerflow.django.checks.check_database_connected",
    "dockerflow.django.checks.check_migrations_applied",
    "dockerflow.django.checks.check_cache_connected",
]""",
    ),
    "DOCKERFLOW_VERSION_CALLBACK": RuntimeSetting(
        type="callable or dotted path",
        description="""
            What ``/__version__`` calls with the project root (:setting:`BASE_DIR`, else
            ``/app``) to get the version object: a ``dict``, or ``None`` for "no version"
            (a JSON 404). The default reads ``version.json`` and keeps it in memory until
            the file changes on disk. A dotted path is imported at request time, so
            ``mock.patch("dockerflow.version.get_version")`` in a test is honoured.
        """,
        example='"myproject.version.get_version"',
    ),
    "DOCKERFLOW_HEARTBEAT_FAILED_STATUS_CODE": RuntimeSetting(
        type="int, 400-599",
        description="""
            The HTTP status of ``/__heartbeat__`` when a check reports an error or a
            critical message (ok, info and warning give 200). Any other value gives a
            JSON 500 whose cause is logged, naming the setting.
        """,
        example="503",
    ),
    "DOCKERFLOW_HEARTBEAT_TIMEOUT": RuntimeSetting(
        type="seconds, > 0, at most 300",
        description="""
            How long each check may take. The checks run concurrently, so the heartbeat
            answers within about this long whatever they do; a check still running is
            reported as error ``dockerflow.health.E012`` and its thread is left to finish.
        """,
        example="2.5",
    ),
    "DOCKERFLOW_HEARTBEAT_CACHE_SECONDS": RuntimeSetting(
        type="seconds, 0-3600",
        description="""
            Serve the last heartbeat result for this long instead of running the checks
            again (``0``: never). Independently of this, requests that arrive while a run
            is in progress wait for it and share its result (single flight). Changing a
            setting drops the cached result.
        """,
        example="10",
    ),
    "DOCKERFLOW_HEARTBEAT_DETAILS": RuntimeSetting(
        type="bool or None",
        description="""
            Whether the ``/__heartbeat__`` JSON includes ``checks`` (the status of each
            check) and ``details`` (the messages of each check that said something) next
            to ``status``. ``None`` follows :setting:`DEBUG`. Check messages can name
            hosts and databases: think before showing them on a public endpoint.
        """,
        example="True",
    ),
    "DOCKERFLOW_HEARTBEAT_MAX_STUCK": RuntimeSetting(
        type="int, 1-100",
        description="""
            How many threads may still be running the same check (left behind by earlier
            timeouts) before that check is no longer started and is reported as error
            ``dockerflow.health.E013`` straight away. Bounds the threads a hung backing
            service can pin.
        """,
        example="2",
    ),
    "DOCKERFLOW_REQUEST_ID_HEADER_NAME": RuntimeSetting(
        type="HTTP header name",
        description="""
            The request header holding an incoming request id. A valid id (1 to 128
            characters from ``A-Z a-z 0-9 . _ : -``) is used as the ``rid`` of the
            request's log records; anything else is replaced by a new UUID4. ``None``
            means the default; a name other than ASCII letters, digits and hyphens
            (proxies and servers drop the others) raises ``ImproperlyConfigured`` when the
            middleware starts.
        """,
        example='"X-Cloud-Trace-Context"',
    ),
    "DOCKERFLOW_REQUEST_ID_RESPONSE_HEADER": RuntimeSetting(
        type="HTTP header name, '' or None",
        description="""
            The response header that carries the request's id back to the client.
            ``None`` uses the name of :setting:`DOCKERFLOW_REQUEST_ID_HEADER_NAME`; ``''``
            sends none. A name other than ASCII letters, digits and hyphens raises
            ``ImproperlyConfigured`` naming the setting.
        """,
        example='"X-Request-ID"',
    ),
    "DOCKERFLOW_SUMMARY_LOG_QUERYSTRING": RuntimeSetting(
        type="bool",
        description="""
            Add the URL-decoded query string (at most 2048 characters) to each
            ``request.summary`` record as ``querystring``. Off by default: query strings
            can carry tokens and personal data.
        """,
        example="True",
    ),
    "DOCKERFLOW_ERROR_ENDPOINT": RuntimeSetting(
        type="bool",
        description="""
            Whether the middleware serves ``/__error__``, which logs an error and raises
            on purpose so error reporting can be tested. With ``False`` the path goes to
            the project's URLconf like any other.
        """,
        example="False",
    ),
    "DOCKERFLOW_DRAIN_SECONDS": RuntimeSetting(
        type="seconds, 0-300",
        description="""
            How long the server keeps serving after ``SIGTERM`` before it stops (``0``:
            stop at once). During that time ``/__lbheartbeat__`` answers 503
            ``{"status":"draining"}`` so load balancers take the instance out, while every
            other request is still served. Needs the shipped gunicorn configuration
            (:doc:`deployment`).
        """,
        example="20",
    ),
    "BASE_DIR": RuntimeSetting(
        type="path or None",
        description="""
            The directory holding ``version.json``; ``None`` (unset) means ``/app``, where
            the Dockerflow spec puts it. Also the default target of
            ``manage.py dockerflow_version --write``.
        """,
        example="Path(__file__).resolve().parent.parent",
    ),
    "DEBUG": RuntimeSetting(
        type="bool",
        description="""
            Django's own setting. The runtime reads it only to decide whether
            ``/__heartbeat__`` shows details when :setting:`DOCKERFLOW_HEARTBEAT_DETAILS`
            is ``None``.
        """,
        example="False",
    ),
    "SILENCED_SYSTEM_CHECKS": RuntimeSetting(
        type="list of message ids",
        description="""
            Django's own setting. Heartbeat messages with these ids are dropped before
            anything else happens: they are not logged, not counted in the status and not
            shown in the details.
        """,
        example='["dockerflow.health.W001"]',
    ),
}


def _indent(text: str, prefix: str = "   ") -> list[str]:
    return [prefix + line if line.strip() else "" for line in text.splitlines()]


def _literal(value: Any) -> str:
    # pprint gives the readable multi-line form of long lists; RST literal for short ones.
    return pprint.pformat(value, width=70, sort_dicts=False)


def _value_block(label: str, value: str) -> list[str]:
    if "\n" not in value and len(value) < 60:
        return [f"   :{label}: ``{value}``"]
    block = _indent(value, "         ")
    return [f"   :{label}:", "", "      .. code-block:: python", "", *block, ""]


def runtime_settings_rst(defaults: dict[str, Any] | None = None) -> list[str]:
    """RST for every runtime setting: ``.. setting::`` blocks in ``DEFAULTS`` order."""
    if defaults is None:
        from dockerflow.django import conf

        defaults = conf.DEFAULTS
    missing = sorted(set(defaults) - set(RUNTIME_SETTINGS))
    stale = sorted(set(RUNTIME_SETTINGS) - set(defaults))
    if missing or stale:
        raise ValueError(
            f"docs/_ext/dockerflow_reference.py RUNTIME_SETTINGS is out of date: "
            f"undocumented {missing}, no longer in conf.DEFAULTS {stale}"
        )
    lines: list[str] = []
    for name, default in defaults.items():
        doc = RUNTIME_SETTINGS[name]
        lines += [f".. setting:: {name}", ""]
        lines += [f"   :Type: {doc.type}"]
        lines += _value_block("Default", _literal(default))
        lines += _value_block("Example", f"{name} = {doc.example}")
        lines += [""]
        lines += _indent(textwrap.dedent(doc.description).strip())
        lines += [""]
    return lines


# --- the dockerflow_settings table -------------------------------------------------------

#: Roles of table rows (``dockerflow_settings.table.Setting.role``), in page order.
ROLES = ("django", "option", "server")


@dataclasses.dataclass(frozen=True)
class TableRow:
    """One row of ``dockerflow_settings.table.TABLE``, as the reference shows it."""

    name: str
    env_var: str | None
    type: str
    dev_default: str
    prod_default: str
    help: str
    example: str | None = None
    secret: bool = False
    role: str = "django"
    merged: bool = False
    file_env_var: str | None = None


def table_rows(entries: Iterable[Any] | None = None) -> list[TableRow]:
    """The rows of ``dockerflow_settings.table.TABLE`` (or of ``entries``, for tests)."""
    if entries is None:
        from dockerflow_settings import table

        entries = table.TABLE
    return [
        TableRow(
            name=entry.name,
            env_var=entry.env_var,
            type=entry.type,
            dev_default=entry.dev_default,
            prod_default=entry.prod_default,
            help=entry.help,
            example=entry.example,
            secret=bool(getattr(entry, "secret", False)),
            role=getattr(entry, "role", "django"),
            merged=getattr(entry, "merge", None) is not None,
            file_env_var=getattr(entry, "file_env_var", None),
        )
        for entry in entries
    ]


_RST_SPECIAL = re.compile(r"([\\*`_|])")


def _text(value: str) -> str:
    """Table text (prose) with RST markup characters escaped."""
    return _RST_SPECIAL.sub(r"\\\1", value)


def _setting_ref(name: str, defined: set[str]) -> str:
    # A :setting: reference only where the reference defines that setting (runtime
    # settings and table rows without a variable); Django's own are shown as literals.
    return f":setting:`{name}`" if name in defined else f"``{name}``"


def settings_table_rst(
    rows: Iterable[TableRow],
    roles: Iterable[str] = ROLES,
    defined_settings: Iterable[str] = (),
) -> list[str]:
    """RST for the rows with these roles: an overview table, then one entry per row.

    A row with a variable becomes ``.. envvar::``, a row without one (computed or
    merged settings) ``.. setting::``. ``defined_settings`` are setting names that
    other parts of the reference define, so they can be linked.
    """
    roles = tuple(roles)
    rows = [row for row in rows if row.role in roles]
    defined = set(defined_settings) | {row.name for row in rows if not row.env_var}
    lines = [
        ".. list-table::",
        "   :header-rows: 1",
        "   :widths: 30 24 23 23",
        "",
        "   * - Variable",
        "     - Setting",
        "     - Dev default",
        "     - Prod default",
    ]
    for row in rows:
        variable = f":envvar:`{row.env_var}`" if row.env_var else "*(none: computed)*"
        setting = "*(server)*" if row.role == "server" else _setting_ref(row.name, defined)
        lines += [
            f"   * - {variable}",
            f"     - {setting}",
            f"     - {_text(row.dev_default)}",
            f"     - {_text(row.prod_default)}",
        ]
    lines += [""]
    for row in rows:
        lines += _row_rst(row, defined)
    return lines


def _row_rst(row: TableRow, defined: set[str]) -> Iterator[str]:
    yield f".. envvar:: {row.env_var}" if row.env_var else f".. setting:: {row.name}"
    if row.file_env_var:
        yield f"                {row.file_env_var}"
    yield ""
    if row.role == "server":
        yield "   :Read by: the gunicorn configuration (not a Django setting)"
    elif row.env_var:
        yield f"   :Setting: {_setting_ref(row.name, defined)}"
    kind = row.type + (" (secret: masked in reports and errors)" if row.secret else "")
    yield f"   :Type: {_text(kind)}"
    yield f"   :Dev default: {_text(row.dev_default)}"
    yield f"   :Prod default: {_text(row.prod_default)}"
    if row.example and row.env_var:
        yield f"   :Example: ``{row.env_var}={row.example}``"
    yield ""
    yield from _indent(_text(row.help))
    notes = []
    if row.role == "option":
        notes.append(
            "An option: it shapes other settings, and is also available as the Django "
            f"setting ``{row.name}``."
        )
    if row.merged:
        notes.append(
            "The project's own value is combined with what dockerflow-settings adds, "
            "rather than replaced."
        )
    if row.file_env_var:
        notes.append(
            f":envvar:`{row.file_env_var}` names a file whose content (stripped) is used "
            "instead, for secrets mounted as files."
        )
    for note in notes:
        yield ""
        yield f"   {note}"
    yield ""


# --- directives ---------------------------------------------------------------------------


class _GeneratedRST(SphinxDirective):
    has_content = False

    def lines(self) -> list[str]:
        raise NotImplementedError

    def run(self) -> list[Any]:
        source = self.get_source_info()[0] or "<generated>"
        content = StringList()
        for number, line in enumerate(self.lines()):
            content.append(line, source, number)
        node = nodes.container()
        node.document = self.state.document
        nested_parse_with_titles(self.state, content, node)
        return node.children


class RuntimeSettingsDirective(_GeneratedRST):
    """``.. dockerflow-runtime-settings::``"""

    def lines(self) -> list[str]:
        from dockerflow.django import conf

        self.env.note_dependency(conf.__file__)
        return runtime_settings_rst()


class SettingsTableDirective(_GeneratedRST):
    """``.. dockerflow-settings-table::`` with an optional ``:roles: django, option``."""

    option_spec = {"roles": directives.unchanged}

    def lines(self) -> list[str]:
        from dockerflow.django import conf
        from dockerflow_settings import table

        self.env.note_dependency(table.__file__)
        roles = parse_roles(self.options.get("roles"))
        return settings_table_rst(table_rows(), roles, defined_settings=conf.DEFAULTS)


def parse_roles(value: str | None) -> tuple[str, ...]:
    """The ``:roles:`` option: comma-separated names from :data:`ROLES` (default: all)."""
    if not value:
        return ROLES
    roles = tuple(part.strip() for part in value.split(",") if part.strip())
    unknown = sorted(set(roles) - set(ROLES))
    if unknown:
        raise ValueError(f":roles: {unknown} unknown; expected some of {ROLES}")
    return roles


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_object_type("setting", "setting", indextemplate="pair: %s; setting")
    app.add_directive("dockerflow-runtime-settings", RuntimeSettingsDirective)
    app.add_directive("dockerflow-settings-table", SettingsTableDirective)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
