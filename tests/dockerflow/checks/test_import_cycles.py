"""No import cycle anywhere inside ``dockerflow/`` (nor ``dockerflow_settings/``), lazy
imports inside functions included; the runtime never imports the settings package.

A cycle hidden behind a function-level import still ties two modules together
(``checks.py`` -> ``heartbeat.py`` -> ``checks.py`` was one); so every ``import``
statement counts, except those under ``if TYPE_CHECKING:``.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import dockerflow

PACKAGE_DIR = Path(dockerflow.__file__).resolve().parent
ROOT = PACKAGE_DIR.parent


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE_DIR.rglob("*.py"))}
SETTINGS_MODULES = {
    module_name(path): path for path in sorted((ROOT / "dockerflow_settings").rglob("*.py"))
}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    found: list[ast.Import | ast.ImportFrom] = []
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and _is_type_checking(node):
            found += _imports(ast.Module(body=node.orelse, type_ignores=[]))
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found.append(node)
        found += _imports(node)
    return found


def _known(name: str, modules: dict[str, Path] = MODULES) -> str | None:
    """``name`` or its closest parent that is a module of the package."""
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def imported_modules(name: str, modules: dict[str, Path] = MODULES) -> set[str]:
    path = modules[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets: set[str] = set()
    for node in _imports(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            bases = [alias.name for alias in node.names]
        else:
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            # "from x import y" imports the submodule x.y when there is one.
            bases = [f"{base}.{alias.name}" for alias in node.names] + [base]
        targets |= {known for base in bases if (known := _known(base, modules)) and known != name}
    return targets


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    visiting: list[str] = []
    done: set[str] = set()

    def visit(node: str) -> list[str] | None:
        if node in visiting:
            return [*visiting[visiting.index(node) :], node]
        if node in done:
            return None
        visiting.append(node)
        for target in sorted(graph[node]):
            cycle = visit(target)
            if cycle:
                return cycle
        visiting.pop()
        done.add(node)
        return None

    for node in sorted(graph):
        cycle = visit(node)
        if cycle:
            return cycle
    return None


def _without_parent_packages(name: str, targets: set[str]) -> set[str]:
    # A module's own parent packages are already imported when it runs.
    return {t for t in targets if not name.startswith(f"{t}.")}


def test_the_finder_sees_a_lazy_import_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}
    assert find_cycle(graph) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_function_level_and_relative_imports_are_counted():
    tree = ast.parse("def f():\n    if x:\n        from dockerflow.django import heartbeat\n")
    assert [node.module for node in _imports(tree)] == ["dockerflow.django"]
    # A relative "from . import conf" names the submodule, not the package.
    assert "dockerflow.django.conf" in imported_modules("dockerflow.django.apps")
    assert "dockerflow.checks.registry" in imported_modules("dockerflow.checks.concurrent")


def test_no_import_cycle_inside_the_package():
    graph = {
        name: _without_parent_packages(name, imported_modules(name)) for name in sorted(MODULES)
    }
    assert find_cycle(graph) is None


def test_no_import_cycle_inside_the_settings_package():
    graph = {
        name: _without_parent_packages(name, imported_modules(name, SETTINGS_MODULES))
        for name in sorted(SETTINGS_MODULES)
    }
    assert find_cycle(graph) is None


def test_the_runtime_imports_nothing_from_the_settings_package():
    both = {**MODULES, **SETTINGS_MODULES}
    found = {
        name: sorted(t for t in imported_modules(name, both) if t.startswith("dockerflow_settings"))
        for name in MODULES
    }
    assert {name: targets for name, targets in found.items() if targets} == {}


def test_every_module_imports_on_its_own_in_a_fresh_interpreter():
    # What a cycle breaks in practice: importing one module first, before the others.
    script = (
        "import importlib, sys, django\n"
        "from django.conf import settings\n"
        "settings.configure(INSTALLED_APPS=['dockerflow.django'], LOGGING_CONFIG=None)\n"
        "django.setup()\n"
        "failed = []\n"
        "for name in sys.argv[1:]:\n"
        "    for loaded in [m for m in sys.modules if m.split('.')[0] == 'dockerflow']:\n"
        "        del sys.modules[loaded]\n"
        "    try:\n"
        "        importlib.import_module(name)\n"
        "    except ImportError as exc:\n"
        "        failed.append(f'{name}: {exc}')\n"
        "print('\\n'.join(failed))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, *MODULES],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    # Only a missing optional dependency may fail; never a partially initialised module.
    assert "partially initialized" not in result.stdout, result.stdout
