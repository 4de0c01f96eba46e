"""The settings-load row: whole ``python -c`` processes in ``.venv-ours``.

The mixin (the example's ``Prod``) against an equivalent hand-written settings.py
(``plain_settings/``); both are first checked to give the same settings.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import plain_settings
from environments import HERE, ROOT, clean_env

KINDS = ("mixin", "plain")


@dataclass
class SettingsLoad:
    """Whole-process settings load: the mixin (example Prod) or the plain settings.py."""

    python: Path
    env: dict[str, dict[str, str]] = field(default_factory=dict)

    CODE = {
        "mixin": "import configurations; configurations.setup()",
        "plain": "import django; django.setup()",
    }

    # Each value as key-sorted JSON (repr() for the rest): dict order is no difference.
    DUMP = (
        "import json; from django.conf import settings; "
        "print(json.dumps({n: json.dumps(getattr(settings, n), sort_keys=True, default=repr) "
        "for n in dir(settings) if n.isupper()}))"
    )

    def _run(self, kind: str, code: str, what: str) -> tuple[subprocess.CompletedProcess, float]:
        begin = time.perf_counter()
        proc = subprocess.run(
            [str(self.python), "-c", code],
            capture_output=True,
            text=True,
            env=self.env[kind],
            cwd=HERE,
            timeout=120,
        )
        elapsed = (time.perf_counter() - begin) * 1000
        if proc.returncode != 0:
            raise RuntimeError(f"{what} ({kind}) failed:\n{proc.stderr[-3000:]}")
        return proc, elapsed

    def differences(self) -> list[str]:
        """Names of the settings whose values differ between the two (should be none)."""
        dumps = []
        for kind in KINDS:
            proc, _ = self._run(kind, f"{self.CODE[kind]}; {self.DUMP}", "settings dump")
            dumps.append(json.loads(proc.stdout.strip().splitlines()[-1]))
        mixin, plain = dumps
        skipped = plain_settings.MIXIN_ONLY | {"SETTINGS_MODULE"}
        names = (mixin.keys() | plain.keys()) - skipped
        return sorted(n for n in names if mixin.get(n) != plain.get(n))

    def time_ms(self, kind: str) -> float:
        return self._run(kind, self.CODE[kind], "settings load")[1]

    def round(self) -> dict[str, float]:
        """One round: the fastest of 3 alternating pairs, per kind."""
        best = dict.fromkeys(KINDS, math.inf)
        for _ in range(3):
            for kind in KINDS:
                best[kind] = min(best[kind], self.time_ms(kind))
        return best


def settings_load(python: Path) -> SettingsLoad | str:
    """The two settings-load commands, or why they cannot run."""
    if not (ROOT / "example" / "example" / "settings.py").exists():
        return "not measured: example/example/settings.py does not exist"
    mixin = clean_env(
        PYTHONPATH=str(ROOT / "example"),
        DJANGO_SETTINGS_MODULE="example.settings",
        DJANGO_CONFIGURATION="Prod",
        **plain_settings.PROD_ENVIRONMENT,
    )
    plain = clean_env(
        PYTHONPATH=f"{HERE / 'plain_settings'}{os.pathsep}{ROOT / 'example'}",
        DJANGO_SETTINGS_MODULE="plain_prod_settings",
        **plain_settings.PROD_ENVIRONMENT,
    )
    return SettingsLoad(python, {"mixin": mixin, "plain": plain})


def checked_settings_load(python: Path) -> tuple[SettingsLoad | str, str | None]:
    """The loader (or why not), and the run's note on the two settings' equivalence."""
    loader = settings_load(python)
    if not isinstance(loader, SettingsLoad):
        return loader, None
    try:
        differ = loader.differences()
    except RuntimeError as exc:
        return "not measured: " + str(exc).strip().splitlines()[-1][:200], None
    if differ:
        return loader, (
            "settings load: the plain settings.py is NOT equivalent; these settings differ: "
            + ", ".join(differ)
        )
    return loader, (
        "settings load: the plain settings.py and the mixin's Prod give the same value for "
        "every setting except the mixin's own inputs and bookkeeping ("
        + ", ".join(sorted(plain_settings.MIXIN_ONLY))
        + ")"
    )
