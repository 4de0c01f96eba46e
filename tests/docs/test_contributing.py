"""CONTRIBUTING.rst's module map names every module of both packages."""

from __future__ import annotations

from tests.docs.rst import ROOT


def test_the_module_map_lists_every_module() -> None:
    text = (ROOT / "CONTRIBUTING.rst").read_text()
    modules = [
        path
        for package in ("dockerflow", "dockerflow_settings")
        for path in sorted((ROOT / package).rglob("*.py"))
        if path.name != "__init__.py"
    ]
    assert len(modules) > 40
    missing = [str(path.relative_to(ROOT)) for path in modules if f"``{path.name}``" not in text]
    assert not missing, f"not in CONTRIBUTING.rst's module map: {missing}"
