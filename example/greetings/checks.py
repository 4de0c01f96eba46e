"""The app's own Dockerflow check (listed in ``DOCKERFLOW_CHECKS`` next to the defaults)."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core import checks
from django.template import TemplateDoesNotExist
from django.template.loader import get_template

MAX_GREETING_LENGTH = 200


def check_greeting(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """The page can be rendered: ``GREETING`` is short non-blank text and the template exists.

    greetings.E001 blank or not text, greetings.W001 too long, greetings.E002 template missing.
    """
    messages: list[checks.CheckMessage] = []
    greeting = getattr(settings, "GREETING", None)
    if not isinstance(greeting, str) or not greeting.strip():
        messages.append(
            checks.Error(
                f"GREETING={greeting!r} is not usable: expected non-blank text",
                hint="Set DJANGO_GREETING, e.g. DJANGO_GREETING='Hello'.",
                id="greetings.E001",
            )
        )
    elif len(greeting) > MAX_GREETING_LENGTH:
        messages.append(
            checks.Warning(
                f"GREETING is {len(greeting)} characters long; the page shows at most "
                f"{MAX_GREETING_LENGTH}",
                id="greetings.W001",
            )
        )
    try:
        get_template("greetings/index.html")
    except TemplateDoesNotExist:
        messages.append(
            checks.Error("template greetings/index.html not found", id="greetings.E002")
        )
    return messages


#: How long :func:`check_hangs` blocks: far longer than any heartbeat timeout.
HANG_SECONDS = 30


def check_hangs(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """A check stuck on a dependency that never answers; only for tests of the heartbeat.

    Listed in ``DOCKERFLOW_CHECKS`` only when ``EXAMPLE_HANGING_CHECK=1``.
    """
    time.sleep(HANG_SECONDS)
    return []
