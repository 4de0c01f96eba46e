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
import importlib.util
import re
import sys
from types import SimpleNamespace

import pytest

from dockerflow import version_info
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
    return {name for names in version_info.CI_VARIABLES.values() for name in names}


def table_available() -> bool:
    return importlib.util.find_spec("dockerflow_settings.table") is not None


def configuration_page() -> list[str]:
    """The configuration page with its directives expanded, as Sphinx renders it."""
    lines = []
    for line in (DOCS / "configuration.rst").read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if stripped == ".. dockerflow-runtime-settings::":
            lines += dockerflow_reference.runtime_settings_rst()
        elif stripped == ".. dockerflow-settings-table::":
            lines += dockerflow_reference.settings_table_rst(dockerflow_reference.table_rows())
        else:
            lines.append(line)
    return lines


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
    documented = set(object_names(configuration_page(), "envvar"))
    read = environment_read_by_code() - ci_variables()
    assert read, "the scan found no environment lookups at all"
    missing = sorted(read - documented)
    assert not missing, f"read by the code but not in docs/configuration.rst: {missing}"


def test_every_documented_environment_variable_is_read() -> None:
    read = environment_read_by_code()
    if table_available():
        read |= {row.env_var for row in dockerflow_reference.table_rows() if row.env_var}
    documented = set(object_names(configuration_page(), "envvar"))
    never_read = sorted(documented - read)
    assert not never_read, f"documented in docs/configuration.rst but never read: {never_read}"


def test_every_runtime_setting_is_documented_and_nothing_else() -> None:
    documented = set(object_names(configuration_page(), "setting"))
    table_settings: set[str] = set()
    if table_available():
        rows = dockerflow_reference.table_rows()
        table_settings = {name for row in rows for name in row.settings}
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


def test_the_table_directive_is_used_once_the_table_exists() -> None:
    page = (DOCS / "configuration.rst").read_text(encoding="utf-8")
    assert (".. dockerflow-settings-table::" in page) == table_available()


FAKE_TABLE = [
    SimpleNamespace(
        env_var="DJANGO_DEBUG",
        setting="DEBUG",
        type="bool",
        dev_default="true",
        prod_default="false",
        description="Django's debug mode.",
        example="false",
    ),
    SimpleNamespace(
        env_var="DJANGO_SECRET_KEY",
        settings=("SECRET_KEY",),
        type="str",
        dev_default="a fixed development key",
        prod_default="",
        description="Required in Prod.",
        example="...",
        secret=True,
    ),
]


def test_the_table_renders_one_entry_per_row_with_both_defaults() -> None:
    lines = dockerflow_reference.settings_table_rst(dockerflow_reference.table_rows(FAKE_TABLE))
    assert object_names(lines, "envvar") == ["DJANGO_DEBUG", "DJANGO_SECRET_KEY"]
    text = "\n".join(lines)
    assert ":Dev default: ``true``" in text
    assert ":Prod default: ``false``" in text
    assert ":Prod default: *(none)*" in text
    assert "(secret: masked in reports)" in text
    assert ":Example: ``DJANGO_DEBUG=false``" in text


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
            if path.name == "version_info.py":
                continue
            overlap = environment_names_in(path.read_text(encoding="utf-8")) & ci_variables()
            assert not overlap, f"{path.relative_to(ROOT)} reads CI variables {overlap}"
