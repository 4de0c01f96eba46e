"""The one error a bad configuration raises: every problem, one line each."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from types import TracebackType


class Problem(str):
    """One bad variable or setting as one readable line, with its fields: ``variable``
    (``DJANGO_DEBUG``), ``value`` (masked if secret; None when none was set),
    ``expected`` and ``origin`` (where the value came from)."""

    variable: str
    value: str | None
    expected: str
    origin: str | None

    def __new__(
        cls,
        variable: str,
        expected: str,
        *,
        value: str | None = None,
        origin: str | None = None,
    ) -> Problem:
        if value is None:
            text = f"{variable}: {expected}"
        else:
            where = f" (from {origin})" if origin else ""
            text = f"{variable}={value!r}{where}: expected {expected}"
        self = super().__new__(cls, text)
        self.variable = variable
        self.value = value
        self.expected = expected
        self.origin = origin
        return self


class ConfigurationError(ValueError):
    """Raised once at startup with every ``Problem`` found (``.problems``).

    A ``ValueError``, not Django's ``ImproperlyConfigured``: Django's ``manage.py``
    keeps an ``ImproperlyConfigured`` raised by the settings to itself and goes on
    until it fails with ``AppRegistryNotReady``, so the list would never be shown.
    """

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__(format_problems(self.problems))


def format_problems(problems: Sequence[Problem]) -> str:
    count = len(problems)
    header = f"Invalid configuration ({count} problem{'s' if count != 1 else ''}):"
    return "\n".join([header, *(f"- {problem}" for problem in problems)])


def raise_configuration_error(problems: Sequence[Problem]) -> None:
    """Raise :class:`ConfigurationError`; if nothing catches it, the process prints the
    problem list alone (no traceback through the settings loader) and exits with 1."""
    if sys.excepthook is sys.__excepthook__:
        sys.excepthook = _print_problems
    raise ConfigurationError(problems)


def _print_problems(
    kind: type[BaseException], error: BaseException, tb: TracebackType | None
) -> None:
    if not isinstance(error, ConfigurationError):
        sys.__excepthook__(kind, error, tb)
        return
    sys.stderr.write(f"{format_problems(error.problems)}\n")
