"""The migrated settings module shown in docs/migrating.rst works.

The guide's "after" block is written into a small project with the app, the
``SecurityMiddleware`` subclass and the stock django-configurations ``manage.py`` it
describes; ``manage.py check --deploy`` passes with the Prod environment of step 5, and a
request is served through the merged middleware (the subclass in the base class's place).
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from tests.docs.rst import DOCS, ROOT, code_blocks

MANAGE = """\
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")
from configurations.management import execute_from_command_line

execute_from_command_line(sys.argv)
"""
FILES = {
    "mysite/__init__.py": "",
    "mysite/urls.py": (
        "from django.http import HttpResponse\nfrom django.urls import path\n\n"
        'urlpatterns = [path("", lambda request: HttpResponse("shop home"))]\n'
    ),
    "shop/__init__.py": "",
    "shop/middleware.py": (
        "from django.middleware.security import SecurityMiddleware\n\n\n"
        "class ShopSecurityMiddleware(SecurityMiddleware):\n"
        "    def process_response(self, request, response):\n"
        "        response = super().process_response(request, response)\n"
        '        response.headers["Permissions-Policy"] = "geolocation=()"\n'
        "        return response\n"
    ),
}
REQUEST = """\
import configurations
configurations.setup()
from django.conf import settings
from django.test import Client
response = Client().get("/", headers={"host": "shop.example.com", "x-request-id": "guide-1"},
                        secure=True)
print(response.status_code, response.headers["Permissions-Policy"],
      response.headers["X-Request-ID"])
print(settings.MIDDLEWARE[:3])
"""


def migrated_settings() -> str:
    blocks = [b for b in code_blocks(DOCS / "migrating.rst") if "class Prod(Base)" in b.code]
    assert len(blocks) == 1, "the guide shows one migrated settings module"
    # The block elides the unchanged TEMPLATES; Django's default is what the guide means.
    return blocks[0].code.replace("TEMPLATES = [...]  # unchanged", "TEMPLATES = []")


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("guide")
    for name, text in {
        **FILES,
        "manage.py": MANAGE,
        "mysite/settings.py": migrated_settings(),
    }.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def run(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DOCKERFLOW_"))}
    env.update(
        PYTHONPATH=os.pathsep.join([str(project), str(ROOT)]),
        DJANGO_SETTINGS_MODULE="mysite.settings",
        DJANGO_CONFIGURATION="Prod",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="shop.example.com",
    )
    env.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, *args], cwd=project, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_passes_with_the_guides_environment(project: Path) -> None:
    done = run(project, "manage.py", "check", "--deploy")
    assert done.returncode == 0, done.stderr
    # The one warning step 5 explains: Django looks for SecurityMiddleware by name.
    assert "security.W001" in done.stderr
    assert "ERRORS" not in done.stderr


def test_a_request_is_served_through_the_merged_middleware(project: Path) -> None:
    done = run(project, "-c", REQUEST)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "200 geolocation=() guide-1" in lines
    assert lines[-1] == str(
        [
            "dockerflow.django.middleware.DockerflowMiddleware",
            "shop.middleware.ShopSecurityMiddleware",
            "whitenoise.middleware.WhiteNoiseMiddleware",
        ]
    )
