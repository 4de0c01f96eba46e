"""The Django project both packages are benchmarked in: one settings dict, one URLconf.

Imported by ``workload.py`` inside each benchmark virtualenv, where ``dockerflow`` is
either this package or python-dockerflow; nothing here depends on which. Only the
standard library and Django are used, so the file runs unchanged in both.
"""

from __future__ import annotations

import io
import json
import os
import time
from pathlib import Path
from typing import Any

from django.http import HttpResponse
from django.urls import path

DOCKERFLOW = "dockerflow.django.middleware.DockerflowMiddleware"

#: The "realistic stack": what ``startproject`` gives plus WhiteNoise, with the
#: Dockerflow middleware listed first (both packages answer their endpoints there,
#: before host validation and HTTPS redirects).
REALISTIC_MIDDLEWARE = [
    DOCKERFLOW,
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]

SLOW_CHECK_SECONDS = 0.1
SLOW_CHECKS = [f"bench_project.slow_check_{n}" for n in range(1, 6)]
FAST_CHECKS = [
    "dockerflow.django.checks.check_database_connected",
    "dockerflow.django.checks.check_migrations_applied",
]


class NullStream(io.TextIOBase):
    """Accepts and discards text: the cost measured is formatting, not the kernel's write."""

    def write(self, text: str) -> int:
        return len(text)


NULL_STREAM = NullStream()


def trivial(request: Any) -> HttpResponse:
    return HttpResponse(b"ok")


urlpatterns = [path("trivial/", trivial)]


class FloorMiddleware:
    """Answers ``/__lbheartbeat__`` with an empty 200 and does nothing else.

    In place of the Dockerflow middleware it shows what Django itself costs for that
    request: the floor no Dockerflow middleware can go under.
    """

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        if request.path_info == "/__lbheartbeat__":
            return HttpResponse()
        return self.get_response(request)


FLOOR_MIDDLEWARE = ["bench_project.FloorMiddleware", *REALISTIC_MIDDLEWARE[1:]]


# Five distinct functions: python-dockerflow registers DOCKERFLOW_CHECKS in Django's
# check registry, which is a set and would keep one copy of a repeated function.
def _sleep() -> list[Any]:
    time.sleep(SLOW_CHECK_SECONDS)
    return []


def slow_check_1(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    return _sleep()


def slow_check_2(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    return _sleep()


def slow_check_3(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    return _sleep()


def slow_check_4(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    return _sleep()


def slow_check_5(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    return _sleep()


def logging_config() -> dict[str, Any]:
    """The same LOGGING for both: every record as mozlog JSON into a null stream."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {"()": "dockerflow.logging.JsonLogFormatter", "logger_name": "bench"},
        },
        "handlers": {
            "null_json": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://bench_project.NULL_STREAM",
            },
        },
        "root": {"handlers": ["null_json"], "level": "INFO"},
        "loggers": {
            "request.summary": {"handlers": ["null_json"], "level": "INFO", "propagate": False},
        },
    }


def settings_dict(state_dir: Path, checks: list[str], middleware: list[str]) -> dict[str, Any]:
    """Settings for ``django.conf.settings.configure``; identical for both packages."""
    static_root = state_dir / "static"
    static_root.mkdir(parents=True, exist_ok=True)
    return {
        "DEBUG": False,
        "SECRET_KEY": "benchmark-only-" + "x" * 50,
        "ALLOWED_HOSTS": ["testserver"],
        "ROOT_URLCONF": "bench_project",
        "INSTALLED_APPS": [
            "django.contrib.admin",
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "django.contrib.sessions",
            "django.contrib.messages",
            "django.contrib.staticfiles",
            "dockerflow.django",
        ],
        "MIDDLEWARE": middleware,
        "TEMPLATES": [
            {
                "BACKEND": "django.template.backends.django.DjangoTemplates",
                "DIRS": [],
                "APP_DIRS": True,
                "OPTIONS": {
                    "context_processors": [
                        "django.template.context_processors.request",
                        "django.contrib.auth.context_processors.auth",
                        "django.contrib.messages.context_processors.messages",
                    ],
                },
            },
        ],
        "DATABASES": {"default": database(state_dir)},
        "DEFAULT_AUTO_FIELD": "django.db.models.BigAutoField",
        "USE_TZ": True,
        "STATIC_URL": "static/",
        "STATIC_ROOT": str(static_root),
        "BASE_DIR": str(state_dir),
        "DOCKERFLOW_CHECKS": checks,
        "LOGGING": logging_config(),
    }


def database(state_dir: Path) -> dict[str, Any]:
    """SQLite in the state directory, or the database the runner passes in ``BENCH_DATABASE``."""
    given = os.environ.get("BENCH_DATABASE")
    if given:
        return json.loads(given)
    return {"ENGINE": "django.db.backends.sqlite3", "NAME": str(state_dir / "bench.sqlite3")}


def state_dir() -> Path:
    """Where this side keeps its SQLite database and static root (set by the runner)."""
    return Path(os.environ["BENCH_STATE_DIR"])
