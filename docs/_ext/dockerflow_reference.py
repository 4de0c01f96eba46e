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

``.. dockerflow-settings-ownership::``
    For the migration guide: each Django setting of the table, whether the mixin merges
    the project's value with its own or provides a default the project's value replaces,
    with the Dev and Prod defaults.

``.. dockerflow-django-differences::``
    Every setting whose value under a Dev and a Prod configuration (the table resolved
    with no variable set) differs from Django's default (``django.conf.global_settings``;
    for the runtime's own settings, ``dockerflow.django.conf.DEFAULTS``), with the reason
    kept in :data:`DIFFERENCE_REASONS` below. A setting that differs without a reason, or
    a reason for a setting that no longer differs, fails the build.

Object types (usable from any page):

``.. setting:: NAME`` / ``:setting:`NAME```
    A Django setting. Environment variables use Sphinx's own ``envvar`` directive and role.

The RST is produced by plain functions (:func:`runtime_settings_rst`,
:func:`settings_table_rst`, :func:`differences_rst`) so tests can check the reference
without running Sphinx.
"""

from __future__ import annotations

import dataclasses
import os
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
    "DOCKERFLOW_SUMMARY_LOG_PROBES": RuntimeSetting(
        type="'all', 'failures' or 'none'",
        description="""
            Which ``/__lbheartbeat__`` and ``/__heartbeat__`` requests get a
            ``request.summary`` line: every one (python-dockerflow's behaviour), only those
            answered with a status of 400 or more (or ended by an exception), or none. A
            ``/__lbheartbeat__`` that is not logged is answered without a request id.
            Anything else raises ``ImproperlyConfigured`` when the middleware starts. See
            :ref:`logging-probes`.
        """,
        example='"failures"',
    ),
    "DOCKERFLOW_SUMMARY_EXTRA_FIELDS": RuntimeSetting(
        type="callable, dotted path or None",
        description="""
            A function ``(request, response)`` returning a dict of fields to add to each
            ``request.summary`` line (or ``None``); it never replaces a field already
            there, and one that raises costs its fields, not the line. A path is imported
            when the middleware starts (``ImproperlyConfigured`` naming the setting if it
            cannot be). See :doc:`logging`, "Fields of your own".
        """,
        example='"myproject.logging.summary_fields"',
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
ROLES = ("django", "option", "sentry", "server")


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
    #: Read when ``env_var`` is unset (REDIS_URL for CACHE_URL).
    fallback_env_var: str | None = None

    @property
    def other_env_vars(self) -> list[str]:
        """The variables this row reads besides ``env_var``: its fallback, the files."""
        fallback = self.fallback_env_var
        fallback_file = f"{fallback}_FILE" if self.secret and fallback else None
        names = (self.file_env_var, self.fallback_env_var, fallback_file)
        return [name for name in names if name and self.env_var]


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
            fallback_env_var=getattr(entry, "fallback_env", None),
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


#: What the overview shows in the setting column for rows that are not Django settings.
_NOT_SETTINGS = {"server": "*(server)*", "sentry": "*(Sentry)*"}


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
        setting = _NOT_SETTINGS.get(row.role) or _setting_ref(row.name, defined)
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
    for name in row.other_env_vars:
        yield f"                {name}"
    yield ""
    if row.role == "server":
        yield "   :Read by: the gunicorn configuration (not a Django setting)"
    elif row.role == "sentry":
        yield "   :Read by: both front ends, to initialise Sentry (not a Django setting)"
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
    if row.fallback_env_var:
        notes.append(
            f":envvar:`{row.fallback_env_var}` is read when :envvar:`{row.env_var}` is unset "
            "(platforms that provide a Redis often set it)."
        )
    if row.file_env_var:
        files = " or ".join(
            f":envvar:`{name}`" for name in row.other_env_vars if name.endswith("_FILE")
        )
        notes.append(
            f"{files} names a file whose content (trailing newlines stripped) is used "
            "instead, for secrets mounted as files; setting a variable and its file is an error."
        )
    for note in notes:
        yield ""
        yield f"   {note}"
    yield ""


def ownership_rst(rows: Iterable[TableRow]) -> list[str]:
    """RST: what the mixin does with each Django setting of the table, for migrators.

    A row with ``merge`` merges the project's value; every other Django setting of the
    table has a default the project's own value replaces. Settings outside the table are
    left alone (said by the page, not listed).
    """
    rows = [row for row in rows if row.role in ("django", "option")]
    defined = {row.name for row in rows if not row.env_var}
    lines = [
        ".. list-table::",
        "   :header-rows: 1",
        "   :widths: 26 26 12 18 18",
        "",
        "   * - Setting",
        "     - Variable",
        "     - The mixin",
        "     - Dev default",
        "     - Prod default",
    ]
    for row in rows:
        variable = f":envvar:`{row.env_var}`" if row.env_var else ""
        lines += [
            f"   * - {_setting_ref(row.name, defined)}",
            f"     - {variable}",
            f"     - {'merges' if row.merged else 'default'}",
            f"     - {_text(row.dev_default)}",
            f"     - {_text(row.prod_default)}",
        ]
    return [*lines, ""]


# --- settings that differ from Django's defaults ------------------------------------------


@dataclasses.dataclass(frozen=True)
class Reason:
    """Why the mixin's value of a setting differs from Django's default. RST."""

    text: str
    #: The setting differs only on Django versions before this one (Django later took the
    #: same default); None: on every version.
    django_before: tuple[int, int] | None = None


#: Why each setting differs from Django's default under Dev or Prod. A test (and the
#: build) keeps this mapping exactly in step with what the table resolves to.
DIFFERENCE_REASONS: dict[str, Reason] = {
    "BASE_DIR": Reason(
        "Where ``version.json``, ``.env`` and the static files are. Unset, the runtime "
        "looks in ``/app`` (the Dockerflow spec's place), which exists in the container only."
    ),
    "DEBUG": Reason("The Dev class sets it; the mixin's own default is off."),
    "USE_TZ": Reason(
        "Django 5.0's default, set on Django 4.2 too (whose default is ``False``), so the "
        "service behaves the same on every Django version and 4.2 does not warn.",
        django_before=(5, 0),
    ),
    "SECRET_KEY": Reason(
        "Django does not start with an empty key. Dev gets a throwaway key (sessions end "
        "with the process); Prod must be given one that passes Django's ``security.W009``."
    ),
    "ALLOWED_HOSTS": Reason(
        "Dev: the hosts Django accepts by itself with ``DEBUG`` on and an empty list, "
        "written out (Django also accepts subdomains of ``localhost``). Prod keeps the empty "
        "list: the service's hosts must come from :envvar:`DJANGO_ALLOWED_HOSTS`; the health "
        "probes answer without them."
    ),
    "DATABASES": Reason(
        "A working database with no variable set (SQLite in ``BASE_DIR``), replaced by "
        ":envvar:`DATABASE_URL`. Its ``CONN_MAX_AGE`` and ``CONN_HEALTH_CHECKS`` come from "
        ":envvar:`DJANGO_CONN_MAX_AGE` and :envvar:`DJANGO_CONN_HEALTH_CHECKS`: Prod reuses "
        "connections for 60 s, checked first, so the heartbeat's checks do not open a "
        "database session per probe."
    ),
    "STATIC_URL": Reason("WhiteNoise serves the static files from the app under this prefix."),
    "STATIC_ROOT": Reason("Where ``collectstatic`` puts the files WhiteNoise serves."),
    "STORAGES": Reason(
        "Prod: WhiteNoise's compressed manifest storage, whose hashed file names are "
        "served with a year of caching. Not with ``DEBUG`` on or under the test runner, "
        "where the files are not collected."
    ),
    "INSTALLED_APPS": Reason(
        "``dockerflow.django`` (endpoints, commands, checks), ``dockerflow_settings`` (its "
        "command and installation check), ``django.contrib.staticfiles`` with "
        "``whitenoise.runserver_nostatic`` before it, so ``runserver`` serves static files "
        "as production does."
    ),
    "MIDDLEWARE": Reason(
        "``DockerflowMiddleware`` first (probes are answered before host checks and HTTPS "
        "redirects; one ``request.summary`` per request), ``SecurityMiddleware`` with "
        "``WhiteNoiseMiddleware`` right after it, and ``XFrameOptionsMiddleware``."
    ),
    "LOGGING": Reason(
        "One handler on stdout, where a container's logs belong: mozlog JSON in Prod (what "
        "Dockerflow asks for), readable text in Dev."
    ),
    "DOCKERFLOW_ERROR_ENDPOINT": Reason(
        "Anyone who can reach the service could make ``/__error__`` raise; Dev keeps it to "
        "test error reporting."
    ),
    "DOCKERFLOW_SUMMARY_LOG_PROBES": Reason(
        "Load balancers and Kubernetes probe every few seconds: their lines would dominate "
        "the request log. A failing probe is still logged."
    ),
    "SECURE_REDIRECT_EXEMPT": Reason(
        "The health endpoints are never redirected to HTTPS: load balancers probe over plain HTTP."
    ),
    "SECURE_SSL_REDIRECT": Reason(
        "HTTPS only (Django's deploy check ``security.W008``). Where TLS ends before the "
        "app, set :envvar:`DJANGO_SECURE_PROXY_SSL_HEADER`, or turn it off."
    ),
    "SECURE_HSTS_SECONDS": Reason(
        "Browsers keep to HTTPS for a year (``security.W004``). Preload stays off: it is a "
        "request to browsers' preload lists, hard to undo, so Django's ``security.W021`` "
        "remains until you opt in."
    ),
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": Reason("HSTS for subdomains too (``security.W005``)."),
    "SESSION_COOKIE_SECURE": Reason(
        "The session cookie only over HTTPS (``security.W010`` to ``W012``)."
    ),
    "CSRF_COOKIE_SECURE": Reason("The CSRF cookie only over HTTPS (``security.W016``)."),
}

#: A production secret key for the sample resolution (never used to sign anything).
_SAMPLE_SECRET_KEY = "docs-sample-" + "0123456789abcdefghijklmnopqrstuvwxyz" * 2
_MISSING: Any = object()


@dataclasses.dataclass(frozen=True)
class Difference:
    """A setting whose Dev or Prod value differs from its default without the mixin."""

    name: str
    #: Django's default, or the runtime's for its own settings (``baseline_of``).
    default: Any
    dev: Any
    prod: Any


def baseline_of(name: str) -> Any:
    """The value ``name`` has in a project without dockerflow_settings (``_MISSING`` when
    neither Django nor the runtime has a default for it)."""
    from django.conf import global_settings

    from dockerflow.django import conf

    if hasattr(global_settings, name):
        return getattr(global_settings, name)
    return conf.DEFAULTS.get(name, _MISSING)


def sample_settings(*, debug: bool) -> dict[str, Any]:
    """The Django settings the table gives a configuration with DEBUG on (Dev) or off
    (Prod) that sets nothing else, with no variable but Prod's required secret key."""
    from pathlib import Path

    from dockerflow_settings.resolve import Attribute, resolve

    name = "Dev" if debug else "Prod"
    resolution = resolve(
        {"DEBUG": Attribute(debug, f"{name}.DEBUG")},
        environ={} if debug else {"DJANGO_SECRET_KEY": _SAMPLE_SECRET_KEY},
        base_dir=Path("BASE_DIR"),
        project="myproject",
        testing=False,
        configuration=name,
    )
    if resolution.problems:
        raise ValueError(f"the {name} sample does not resolve: {resolution.problems}")
    return resolution.settings


def differences() -> list[Difference]:
    """The settings whose Dev or Prod value differs from :func:`baseline_of`, in table order."""
    dev, prod = sample_settings(debug=True), sample_settings(debug=False)
    found = []
    for name in dev:
        default = baseline_of(name)
        if default is not _MISSING and (dev[name] != default or prod[name] != default):
            found.append(Difference(name, default, dev[name], prod[name]))
    return found


def _expected_to_differ(reason: Reason, django_version: tuple[int, int]) -> bool:
    return reason.django_before is None or django_version < reason.django_before


def check_reasons(
    found: Iterable[str],
    reasons: dict[str, Reason],
    django_version: tuple[int, int],
    pending: Iterable[str] = (),
) -> None:
    """Raise ValueError unless ``reasons`` explains exactly the settings ``found`` differing.

    ``pending``: settings with no default to compare with yet (a table row for a runtime
    setting the runtime does not define), whose reasons are neither required nor stale.
    """
    found, pending = set(found), set(pending)
    missing = sorted(found - set(reasons))
    stale = sorted(
        name
        for name, reason in reasons.items()
        if name not in pending and (name in found) != _expected_to_differ(reason, django_version)
    )
    if missing or stale:
        raise ValueError(
            "docs/_ext/dockerflow_reference.py DIFFERENCE_REASONS is out of date: differing "
            f"from Django's default without a reason {missing}; a reason that does not match "
            f"what the settings resolve to {stale}"
        )


def pending_settings() -> list[str]:
    """Runtime-setting rows of the table whose setting the runtime does not define yet."""
    from dockerflow_settings import table

    rows = [row for row in table.TABLE if row.role == table.DJANGO]
    return [row.name for row in rows if baseline_of(row.name) is _MISSING]


def _shown(value: Any, described: str | None, default: Any) -> str:
    if value == default:
        return "*(same)*"
    if described is not None:
        return _text(described)
    if isinstance(value, os.PathLike):
        return f"``{os.fspath(value)}``"
    return f"``{value!r}``"


def differences_rst(
    found: list[Difference] | None = None,
    reasons: dict[str, Reason] | None = None,
    django_version: tuple[int, int] | None = None,
) -> list[str]:
    """RST: a table of the settings that differ, then the version-limited ones."""
    import django

    from dockerflow.django import conf
    from dockerflow_settings import table

    found = differences() if found is None else found
    reasons = DIFFERENCE_REASONS if reasons is None else reasons
    version = django_version or django.VERSION[:2]
    check_reasons([d.name for d in found], reasons, version, pending_settings())
    rows = {row.name: row for row in table.TABLE}
    defined = set(conf.DEFAULTS) | {row.name for row in table.TABLE if not row.env_var}
    lines = [
        ".. list-table::",
        "   :header-rows: 1",
        "   :widths: 22 18 18 18 24",
        "",
        "   * - Setting",
        "     - Without the mixin",
        "     - Dev",
        "     - Prod",
        "     - Why",
    ]
    for difference in found:
        row = rows.get(difference.name)
        dev_text, prod_text = row.describe if row is not None and row.describe else (None, None)
        setting = _setting_ref(difference.name, defined)
        if row is not None and row.env_var:
            setting += f" (:envvar:`{row.env_var}`)"
        lines += [
            f"   * - {setting}",
            f"     - ``{difference.default!r}``",
            f"     - {_shown(difference.dev, dev_text, difference.default)}",
            f"     - {_shown(difference.prod, prod_text, difference.default)}",
            f"     - {reasons[difference.name].text}",
        ]
    lines += [""]
    shown = {difference.name for difference in found}
    for name, reason in reasons.items():
        if name not in shown and reason.django_before is not None:
            before = ".".join(map(str, reason.django_before))
            lines += [f"With Django before {before}, also ``{name}``: {reason.text}", ""]
    return lines


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


class DifferencesDirective(_GeneratedRST):
    """``.. dockerflow-django-differences::``"""

    def lines(self) -> list[str]:
        from dockerflow_settings import defaults, table

        self.env.note_dependency(table.__file__)
        self.env.note_dependency(defaults.__file__)
        return differences_rst()


class OwnershipDirective(_GeneratedRST):
    """``.. dockerflow-settings-ownership::``"""

    def lines(self) -> list[str]:
        from dockerflow_settings import table

        self.env.note_dependency(table.__file__)
        return ownership_rst(table_rows())


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
    app.add_directive("dockerflow-django-differences", DifferencesDirective)
    app.add_directive("dockerflow-settings-ownership", OwnershipDirective)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
