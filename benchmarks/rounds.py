"""Running the measures: every round runs every measure once per side, alternating.

Ours then python-dockerflow, each in a fresh process (A, B, A, B, ...), so drift on
a shared machine hits both sides alike and each round's adjacent pair can be compared.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from environments import Side
from rows import Row
from settings_load import SettingsLoad

#: measure -> side (or settings kind) -> one result dict per round
Raw = dict[str, dict[str, list[dict[str, Any]]]]


def prepare(sides: dict[str, Side], pg: dict[str, str] | str | None) -> dict[str, dict[str, Any]]:
    """Each side's versions; migrates each side's SQLite (and PostgreSQL) database."""
    info = {name: side.workload("info", 1) for name, side in sides.items()}
    for side in sides.values():
        side.workload("migrate", 1)
        if isinstance(pg, dict):
            side.workload("migrate", 1, env=pg)
    return info


def run_rounds(
    sides: dict[str, Side],
    rows: list[Row],
    rounds: int,
    scale: float,
    pg: dict[str, str] | str | None,
    loader: SettingsLoad | str | None,
    log: Callable[[str], None],
) -> Raw:
    measures = list(dict.fromkeys(row.measure for row in rows))
    # A measure runs only on the sides its rows compare (the OpenTelemetry one: ours).
    wanted = {m: set().union(*(r.sides for r in rows if r.measure == m)) for m in measures}
    raw: Raw = {m: {} for m in measures}
    for n in range(rounds):
        log(f"round {n + 1}/{rounds}")
        for measure in measures:
            if measure == "settings":
                if isinstance(loader, SettingsLoad):
                    for kind, value in loader.round().items():
                        raw[measure].setdefault(kind, []).append({"value": value})
                continue
            workload, env = measure, None
            if measure == "heartbeat_pg":
                if not isinstance(pg, dict):
                    continue
                workload, env = "heartbeat_fast", pg
            for name, side in sides.items():
                if name not in wanted[measure]:
                    continue
                result = side.workload(workload, scale, env=env)
                raw[measure].setdefault(name, []).append(result)
    return raw
