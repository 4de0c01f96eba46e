"""The adoption corpus: four projects written as django-configurations services are.

Each project under ``projects/`` has a stock ``manage.py`` and ``wsgi.py`` and two
settings modules: ``settings_before.py`` (the project as it runs today, python-dockerflow
wired in by hand) and ``settings.py`` (after adopting ``DockerflowConfiguration``,
with what the mixin provides deleted). Each module docstring names the real project
its shape follows.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.dockerflow_settings.project import clean_environ

HERE = Path(__file__).resolve().parent
PROJECTS = HERE / "projects"
DUMP_SCRIPT = HERE / "dump_settings.py"

BEFORE = "settings_before"
AFTER = "settings"

#: Strong enough for Django's deployment check (50+ characters, 5+ different ones).
SECRET_KEY = "adoption-corpus-" + "0123456789abcdefghijklmnopqrstuvwxyz" * 2
HOSTS = "127.0.0.1,localhost"
DATABASE_URL = "postgres://postgres@127.0.0.1:5432/test"
#: What the load balancer in front of each service sets on HTTPS requests.
HTTPS = {"X-Forwarded-Proto": "https"}

#: Every project runs with these; each adds its own.
COMMON_ENVIRON = {
    "DJANGO_SECRET_KEY": SECRET_KEY,
    "DJANGO_ALLOWED_HOSTS": HOSTS,
    "DATABASE_URL": DATABASE_URL,
    "DJANGO_SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO,https",
}


@dataclass(frozen=True)
class Project:
    name: str
    #: The configuration classes compared before and after adoption.
    configurations: tuple[str, ...]
    #: The one run with ``manage.py check --deploy`` and served by gunicorn.
    production: str
    #: A path of the project's app and the status it answers with.
    view: tuple[str, int]
    environ: Mapping[str, str] = field(default_factory=dict)
    #: A variable the adopted production configuration reads, with a value it refuses.
    bad_variable: tuple[str, str] = ("DJANGO_DEBUG", "maybe")
    #: The project's DOCKERFLOW_REQUEST_ID_HEADER_NAME.
    request_id_header: str = "X-Request-ID"
    #: Configurations that set DEFAULT_FILE_STORAGE / STATICFILES_STORAGE.
    legacy_storage: tuple[str, ...] = ()

    @property
    def root(self) -> Path:
        return PROJECTS / self.name

    def env(self, module: str, configuration: str, **extra: str) -> dict[str, str]:
        """A fresh environment running ``module`` with ``configuration``."""
        environ = clean_environ(
            **COMMON_ENVIRON,
            **self.environ,
            DJANGO_SETTINGS_MODULE=f"{self.name}.{module}",
            DJANGO_CONFIGURATION=configuration,
            PYTHONUNBUFFERED="1",
            **extra,
        )
        path = os.pathsep.join(p for p in (str(self.root), environ.get("PYTHONPATH")) if p)
        return {**environ, "PYTHONPATH": path}


PROJECTS_BY_NAME = {
    project.name: project
    for project in (
        Project(
            name="recipeserver",
            configurations=("Development", "Test", "Production"),
            production="Production",
            view=("/api/v1/recipe/", 200),
            request_id_header="X-Correlation-ID",
            legacy_storage=("Test", "Production"),
        ),
        Project(
            name="symbolserver",
            configurations=("Localdev", "Test", "Prod"),
            production="Prod",
            view=("/xul.pdb/44E4EC8C2F41492B9369D6B9A059577C2/xul.sym", 404),
            environ={
                "DJANGO_REDIS_URL": "redis://127.0.0.1:6379/0",
                "DJANGO_REDIS_STORE_URL": "redis://127.0.0.1:6379/1",
            },
        ),
        Project(
            name="buildindex",
            configurations=("Localdev", "Test", "Base"),
            production="Base",
            view=("/api/search/?q=firefox", 200),
        ),
        Project(
            name="enrolments",
            configurations=("Development", "Test", "Production"),
            production="Production",
            view=("/api/v1.0/courses/", 200),
            environ={
                "DB_NAME": "test",
                "DB_USER": "postgres",
                "DB_PASSWORD": "",
                "DB_HOST": "127.0.0.1",
                "WEBHOOK_TOKEN": "webhook-token-from-the-environment",
                "ENROLMENTS_AUTHORIZED_API_TOKENS": "token-one,token-two",
            },
            # Its DEBUG is a plain False in Base: DJANGO_DEBUG has no effect there.
            bad_variable=("DJANGO_SECURE_HSTS_SECONDS", "one year"),
        ),
    )
}
PROJECTS_LIST = list(PROJECTS_BY_NAME.values())

#: The project with nothing of its own: what the mixin adds to every project.
BARE = Project(name="bare", configurations=("Bare",), production="Bare", view=("/", 404))

#: (project, configuration) pairs, for parametrize.
CASES = [
    (project, configuration)
    for project in PROJECTS_LIST
    for configuration in project.configurations
]


CASE_IDS = [f"{project.name}-{configuration}" for project, configuration in CASES]
LEGACY_CASES = [
    (project, configuration)
    for project, configuration in CASES
    if configuration in project.legacy_storage
]
LEGACY_CASE_IDS = [f"{project.name}-{configuration}" for project, configuration in LEGACY_CASES]


Key = tuple[str, str, str]  # (project, module, configuration)


def dump_settings(
    jobs: Iterable[tuple[Project, str, str]], outdir: Path
) -> dict[Key, dict[str, Any]]:
    """Run :mod:`dump_settings` for each job, a few at a time; its JSON by key."""

    def run(job: tuple[Project, str, str]) -> tuple[Key, dict[str, Any]]:
        project, module, configuration = job
        output = outdir / f"{project.name}-{module}-{configuration}.json"
        result = subprocess.run(
            [
                sys.executable,
                str(DUMP_SCRIPT),
                str(output),
                *(["--setup"] if module == AFTER else []),
            ],
            cwd=project.root,
            env=project.env(module, configuration),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        key = (project.name, module, configuration)
        if result.returncode != 0 or not output.exists():
            return key, {"error": f"dump_settings.py failed:\n{result.stdout}\n{result.stderr}"}
        return key, json.loads(output.read_text())

    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(pool.map(run, jobs))
