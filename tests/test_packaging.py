"""The distribution: one wheel and one sdist carrying both import packages.

Builds real artefacts from the working tree with PyPA ``build`` (isolated build
environment, as a release would) and inspects their file lists.
"""

from __future__ import annotations

import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.packaging


@pytest.fixture(scope="module")
def artefacts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--sdist", "--wheel", "--outdir", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        text=True,
    )
    (wheel,) = out.glob("*.whl")
    (sdist,) = out.glob("*.tar.gz")
    return {"wheel": wheel, "sdist": sdist}


def test_wheel_contains_both_packages_and_no_tests(artefacts: dict[str, Path]) -> None:
    names = zipfile.ZipFile(artefacts["wheel"]).namelist()
    tops = {name.split("/", 1)[0] for name in names}
    assert "dockerflow" in tops
    assert "dockerflow_settings" in tops
    assert not [n for n in names if n.startswith(("tests/", "example/", "docs/", "benchmarks/"))]
    assert "dockerflow/py.typed" in names
    assert "dockerflow_settings/py.typed" in names
    # plain uvicorn's --log-config file (python -m dockerflow_settings.uvicorn)
    assert "dockerflow_settings/uvicorn_logging.json" in names
    assert any(n.startswith("dockerflow/django/") for n in names)


def test_wheel_metadata_declares_dependencies_and_extras(artefacts: dict[str, Path]) -> None:
    with zipfile.ZipFile(artefacts["wheel"]) as wheel:
        (meta_name,) = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
        metadata = wheel.read(meta_name).decode()
    for requirement in ("Django>=4.2", "django-configurations>=2.5.1", "python-decouple>=3.8"):
        assert f"Requires-Dist: {requirement}" in metadata
    for extra in ("brotli", "redis", "orjson", "asgi", "sentry"):
        assert f"Provides-Extra: {extra}" in metadata
    assert "Requires-Python: >=3.10" in metadata


def test_sdist_has_sources_and_setup_shim(artefacts: dict[str, Path]) -> None:
    with tarfile.open(artefacts["sdist"]) as sdist:
        names = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
    assert {"setup.py", "pyproject.toml", "README.rst"} <= names
    assert "dockerflow/__init__.py" in names
    assert "dockerflow_settings/__init__.py" in names


PYTHON_DOCKERFLOW = "dockerflow==2026.3.4"
PLAIN_SETTINGS = """\
import dockerflow_settings

SECRET_KEY = "packaging-tests-" + "k" * 50
ROOT_URLCONF = "settings"
urlpatterns = []
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
dockerflow_settings.configure(globals())
"""


@pytest.mark.parametrize("last", ["python-dockerflow", "ours"])
def test_python_dockerflow_beside_ours_is_named(
    artefacts: dict[str, Path], tmp_path: Path, last: str
) -> None:
    # What a project whose lock file still pins python-dockerflow gets: both install a
    # `dockerflow` package, the last one's files win, and neither pip nor Django notices.
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    ours, theirs = [str(artefacts["wheel"])], ["--no-deps", PYTHON_DOCKERFLOW]
    if last == "ours":  # its dependencies first, then python-dockerflow, then ours over it
        subprocess.run([*pip, *ours], check=True, capture_output=True)
        subprocess.run([*pip, *theirs], check=True, capture_output=True)
        ours = ["--force-reinstall", "--no-deps", *ours]
    for arguments in (ours, theirs) if last == "python-dockerflow" else (ours,):
        subprocess.run([*pip, *arguments], check=True, capture_output=True)
    (tmp_path / "settings.py").write_text(PLAIN_SETTINGS)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(venv / "bin" / "python"), *args],
            cwd=tmp_path,
            env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "settings"},
            capture_output=True,
            text=True,
            timeout=120,
        )

    expected = "python-dockerflow (dockerflow 2026.3.4) is installed and shares the `dockerflow`"
    for result in (run("-m", "dockerflow_settings", "check"), run("-m", "django", "check")):
        assert result.returncode != 0, result
        output = result.stdout + result.stderr
        assert expected in output, output
        assert "pip uninstall -y dockerflow dockerflow-settings" in output
    if last == "ours":  # our files work: Django's own check names it
        assert "(dockerflow_settings.E001)" in run("-m", "django", "check").stderr
