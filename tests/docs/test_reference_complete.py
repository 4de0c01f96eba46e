"""The configuration reference documents exactly what the code reads.

What the code reads is collected from the code itself: environment variables looked
up in the source of ``dockerflow`` and ``dockerflow_settings`` (an AST walk over
``os.environ``/``environ``/``env`` lookups), the ``dockerflow_settings`` table when
it exists, and ``dockerflow.django.conf.DEFAULTS``. What the reference documents is
every ``.. envvar::`` and ``.. setting::`` in ``docs/configuration.rst`` plus the RST
the ``dockerflow-*`` directives generate there.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from dockerflow.cli import version_object
from dockerflow.django import conf
from tests.docs.rst import DOCS, ROOT, object_names

sys.path.insert(0, str(DOCS / "_ext"))
import dockerflow_reference

PACKAGES = ("dockerflow", "dockerflow_settings")
_NAME = re.compile(r"[A-Z][A-Z0-9_]*\Z")
_LOOKUP_METHODS = {"get", "getenv", "pop", "setdefault", "__getitem__", "__contains__"}


def _is_environ(node: ast.AST) -> bool:
    # os.environ, environ, env, self.environ ... anything named like an environment.
    text = ast.unparse(node)
    return "environ" in text or text in {"env", "os.getenv"}


def _constant_names(nodes: list[ast.expr]) -> set[str]:
    return {
        node.value
        for node in nodes
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and _NAME.match(node.value)
    }


def environment_names_in(source: str) -> set[str]:
    """Names of environment variables ``source`` looks up with a literal name."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr in _LOOKUP_METHODS:
                if _is_environ(func.value) or func.attr == "getenv":
                    names |= _constant_names(node.args[:1])
            elif isinstance(func, ast.Name) and "environ" in func.id.lower():
                names |= _constant_names(node.args)  # helpers like _environ_value(env, "PORT")
        elif isinstance(node, ast.Subscript) and _is_environ(node.value):
            names |= _constant_names([node.slice])
        elif (
            isinstance(node, ast.Compare)
            and any(isinstance(op, ast.In) for op in node.ops)
            and any(_is_environ(right) for right in node.comparators)
        ):
            names |= _constant_names([node.left])
    return names


def environment_read_by_code() -> set[str]:
    names: set[str] = set()
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            names |= environment_names_in(path.read_text(encoding="utf-8"))
    return names


def ci_variables() -> set[str]:
    return environment_names_in(Path(version_object.__file__).read_text(encoding="utf-8"))


def configuration_page() -> list[str]:
    """The configuration page with its directives expanded, as Sphinx renders it."""
    lines: list[str] = []
    source = (DOCS / "configuration.rst").read_text(encoding="utf-8").splitlines()
    index = 0
    while index < len(source):
        stripped = source[index].strip()
        index += 1
        if stripped == ".. dockerflow-runtime-settings::":
            lines += dockerflow_reference.runtime_settings_rst()
        elif stripped == ".. dockerflow-settings-table::":
            roles = None
            if index < len(source) and source[index].strip().startswith(":roles:"):
                roles = source[index].strip().removeprefix(":roles:")
                index += 1
            lines += dockerflow_reference.settings_table_rst(
                dockerflow_reference.table_rows(),
                dockerflow_reference.parse_roles(roles),
                defined_settings=conf.DEFAULTS,
            )
        else:
            lines.append(source[index - 1])
    return lines


def table_environment() -> set[str]:
    """Every variable the table reads (including fallbacks and ``*_FILE`` variables)."""
    rows = dockerflow_reference.table_rows()
    return {name for row in rows for name in (row.env_var, *row.other_env_vars) if name}


def documented_environment() -> set[str]:
    lines = configuration_page()
    names = set(object_names(lines, "envvar"))
    # Extra signatures of an envvar directive (e.g. DJANGO_SECRET_KEY_FILE) are the
    # continuation lines right after it.
    in_signature = False
    for line in lines:
        if line.lstrip().startswith(".. envvar::"):
            in_signature = True
        elif in_signature and line.startswith(" " * 16) and line.strip():
            names.add(line.strip())
        else:
            in_signature = False
    return names


def test_the_scanner_finds_lookups_of_every_kind() -> None:
    source = """
import os
a = os.environ.get("A_1")
b = os.environ["B_2"]
c = os.getenv("C_3")
d = "D_4" in os.environ
e = env.get("E_5")
f = _environ_value(environ, "F_6")
g = settings.get("NOT_ENV")
h = os.environ.get(name)
"""
    assert environment_names_in(source) == {"A_1", "B_2", "C_3", "D_4", "E_5", "F_6"}


def test_every_environment_variable_read_is_documented() -> None:
    documented = documented_environment()
    read = (environment_read_by_code() - ci_variables()) | table_environment()
    assert read, "the scan found no environment lookups at all"
    missing = sorted(read - documented)
    assert not missing, f"read by the code but not in docs/configuration.rst: {missing}"


def test_every_documented_environment_variable_is_read() -> None:
    read = environment_read_by_code() | table_environment()
    documented = documented_environment()
    never_read = sorted(documented - read)
    assert not never_read, f"documented in docs/configuration.rst but never read: {never_read}"


def test_every_runtime_setting_is_documented_and_nothing_else() -> None:
    documented = set(object_names(configuration_page(), "setting"))
    rows = dockerflow_reference.table_rows()
    table_settings = {row.name for row in rows if row.role != "server"}
    assert set(conf.DEFAULTS) <= documented
    unknown = sorted(documented - set(conf.DEFAULTS) - table_settings)
    assert not unknown, f"documented settings the code does not have: {unknown}"


def test_runtime_descriptions_match_defaults_exactly() -> None:
    assert set(dockerflow_reference.RUNTIME_SETTINGS) == set(conf.DEFAULTS)


def test_a_stale_description_mapping_fails_the_build() -> None:
    with pytest.raises(ValueError, match="NEW_SETTING"):
        dockerflow_reference.runtime_settings_rst({**conf.DEFAULTS, "NEW_SETTING": 1})


def test_runtime_defaults_are_rendered_from_the_code() -> None:
    text = "\n".join(dockerflow_reference.runtime_settings_rst())
    assert ":Default: ``5.0``" in text  # DOCKERFLOW_HEARTBEAT_TIMEOUT
    assert "'dockerflow.django.checks.check_database_connected'" in text
    changed = {**conf.DEFAULTS, "DOCKERFLOW_HEARTBEAT_TIMEOUT": 7.25}
    assert ":Default: ``7.25``" in "\n".join(dockerflow_reference.runtime_settings_rst(changed))


def test_every_role_of_the_table_is_on_the_page() -> None:
    page = (DOCS / "configuration.rst").read_text(encoding="utf-8")
    shown = re.findall(r"\.\. dockerflow-settings-table::\n\s+:roles: (.*)", page)
    shown_roles = [role.strip() for line in shown for role in line.split(",")]
    assert sorted(shown_roles) == sorted({row.role for row in dockerflow_reference.table_rows()})
    assert len(shown_roles) == len(set(shown_roles)), "a role is shown twice"


FAKE_TABLE = [
    SimpleNamespace(
        name="DEBUG",
        env_var="DJANGO_DEBUG",
        type="bool",
        dev_default="True",
        prod_default="False",
        help="Django's debug mode.",
        example="false",
    ),
    SimpleNamespace(
        name="SECRET_KEY",
        env_var="DJANGO_SECRET_KEY",
        type="secret",
        dev_default="random key per process",
        prod_default="required",
        help="Django's secret key.",
        example="...",
        secret=True,
        file_env_var="DJANGO_SECRET_KEY_FILE",
    ),
    SimpleNamespace(
        name="INSTALLED_APPS",
        env_var=None,
        type="list",
        dev_default="project's apps + dockerflow.django",
        prod_default="project's apps + dockerflow.django",
        help="Merged with *the project's* apps.",
        example=None,
        merge=lambda user, ctx: user,
    ),
    SimpleNamespace(
        name="PORT",
        env_var="PORT",
        type="int",
        dev_default="8000",
        prod_default="8000",
        help="Port.",
        example="8080",
        role="server",
    ),
]


def test_the_table_renders_one_entry_per_row_with_both_defaults() -> None:
    rows = dockerflow_reference.table_rows(FAKE_TABLE)
    lines = dockerflow_reference.settings_table_rst(rows, ("django",), {"DEBUG"})
    assert object_names(lines, "envvar") == ["DJANGO_DEBUG", "DJANGO_SECRET_KEY"]
    assert object_names(lines, "setting") == ["INSTALLED_APPS"]
    text = "\n".join(lines)
    assert ":Dev default: True" in text
    assert ":Prod default: required" in text
    assert "(secret: masked in reports and errors)" in text
    assert ":Example: ``DJANGO_DEBUG=false``" in text
    assert ":Setting: :setting:`DEBUG`" in text  # defined elsewhere: linked
    assert ":Setting: ``SECRET_KEY``" in text  # Django's own: a literal
    assert "                DJANGO_SECRET_KEY_FILE" in lines  # a second target
    assert "combined with what dockerflow-settings adds" in text
    assert r"Merged with \*the project's\* apps." in text  # prose is escaped
    assert "PORT" not in text


def test_the_server_role_renders_alone() -> None:
    rows = dockerflow_reference.table_rows(FAKE_TABLE)
    lines = dockerflow_reference.settings_table_rst(rows, ("server",))
    assert object_names(lines, "envvar") == ["PORT"]
    assert "not a Django setting" in "\n".join(lines)


def test_roles_option() -> None:
    assert dockerflow_reference.parse_roles(None) == dockerflow_reference.ROLES
    assert dockerflow_reference.parse_roles(" server ") == ("server",)
    with pytest.raises(ValueError, match="bogus"):
        dockerflow_reference.parse_roles("django, bogus")


def test_ci_variables_are_documented_in_the_commands_page() -> None:
    page = (DOCS / "commands.rst").read_text(encoding="utf-8")
    section = page.split("CI variables\n~~~~~~~~~~~~", 1)[1].split("\n.. code-block::", 1)[0]
    table = section.split(".. list-table::", 1)[1]
    shown = set(re.findall(r"``([A-Z][A-Z0-9_]+)``", table))
    assert shown == ci_variables()


def test_environment_lookups_outside_the_ci_reader_are_not_ci_variables() -> None:
    # A CI variable is documented on the commands page, not in the reference; make
    # sure the split above does not hide a variable read somewhere else.
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if path.name == "version_object.py":
                continue
            overlap = environment_names_in(path.read_text(encoding="utf-8")) & ci_variables()
            assert not overlap, f"{path.relative_to(ROOT)} reads CI variables {overlap}"
