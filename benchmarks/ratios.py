"""From the rounds' raw results to each row's figures and ratio, and the run's notes.

Each side's figure is the median over rounds (processes); the ratio is the ratio of
those medians. The per-round ratios pair the two figures of the same round.
"""

from __future__ import annotations

import statistics
from typing import Any

from rounds import Raw
from rows import OURS, PEER, SIDE_NAMES, Row


def sample_key(side: str, field: str) -> str:
    return f"{side}:{field}"


def _values(row: Row, raw: Raw, which: tuple[str, str]) -> list[float] | str | None:
    """One figure per round; why not, when a round could not measure it; None if not run."""
    side, field = which
    runs = raw.get(row.measure, {}).get(side)
    if not runs:
        return None
    missing = [r.get("not_measured", {}).get(field, "no result") for r in runs if field not in r]
    if missing:
        return f"not measured: {missing[0]} ({SIDE_NAMES.get(side, side)})"
    return [r[field] for r in runs]


def summarize(row: Row, raw: Raw) -> dict[str, Any] | str | None:
    """The row's result; a reason when it could not be measured; None when not run."""
    num = _values(row, raw, row.num)
    den = _values(row, raw, row.den) if row.den else []
    if num is None or den is None:
        return None
    if isinstance(num, str) or isinstance(den, str):
        return num if isinstance(num, str) else den
    if row.den is None:
        value = statistics.median(num)
        return {"samples": {sample_key(*row.num): num}, "value": value, "met": row.met(value)}
    ratio = statistics.median(num) / statistics.median(den)
    # Adjacent A/B processes ran under the same machine state: their ratios show how
    # much one round on its own can be trusted.
    paired = [a / b for a, b in zip(num, den, strict=True) if b]
    result = {
        "samples": {sample_key(*row.num): num, sample_key(*row.den): den},
        "ratio": ratio,
        "round_ratio_min": min(paired),
        "round_ratio_max": max(paired),
        "met": row.met(ratio),
    }
    if row.measure == "lbheartbeat":
        floors = [r["floor_us"] for runs in raw[row.measure].values() for r in runs]
        result["floor"] = statistics.median(floors)
    return result


def summarize_all(rows: list[Row], raw: Raw, skipped: dict[str, str]) -> dict[str, Any]:
    """``skipped``: measure -> why it could not run (no PostgreSQL, no example project)."""
    results: dict[str, dict[str, Any] | str] = {}
    for row in rows:
        if row.measure in skipped:
            results[row.key] = skipped[row.measure]
            continue
        result = summarize(row, raw)
        if result is not None:
            results[row.key] = result
    return results


def _median(runs: list[dict[str, Any]], field: str) -> float:
    return statistics.median(r[field] for r in runs)


def run_notes(raw: Raw) -> list[str]:
    """What the table leaves out: heartbeat answers, Django's own share, the peer's default."""
    notes = []
    for measure in ("heartbeat_slow", "heartbeat_fast", "heartbeat_pg"):
        for name, runs in raw.get(measure, {}).items():
            seen = sorted({f"{r['status']} {r['body']}" for r in runs})
            notes.append(
                f"{measure}, {SIDE_NAMES[name]} answered: "
                + "; ".join(seen)
                + f"; fastest call per process {_median(runs, 'fastest_ms'):.2f} ms "
                "(median over rounds)"
            )
    if raw.get("lbheartbeat"):
        floors = [_median(runs, "floor_us") for runs in raw["lbheartbeat"].values()]
        above = {
            f"{SIDE_NAMES[name]}{label}": _median(runs, field) - _median(runs, "floor_us")
            for name, runs in raw["lbheartbeat"].items()
            for field, label in (("value", ""), ("quiet", " with probes not logged"))
            if name == OURS or field == "value"
            if all(field in r for r in runs)
        }
        notes.append(
            "/__lbheartbeat__: Django's own cost for this request through the same stack (a "
            "middleware that returns HttpResponse() at once, in place of Dockerflow's) is "
            f"{min(floors):.1f}-{max(floors):.1f} µs; above it: "
            + ", ".join(f"{name} {value:.1f} µs" for name, value in above.items())
        )
    for name, runs in raw.get("middleware", {}).items():
        notes.append(
            f"middleware, {SIDE_NAMES[name]}: {_median(runs, 'bare_us'):.1f} µs/request "
            f"without middleware, {_median(runs, 'with_us'):.1f} µs with it (medians over rounds)"
        )
    runs = [r for r in raw.get("otel_lookup", {}).get(OURS, []) if "value" in r]
    if runs:
        notes.append(
            f"OpenTelemetry trace ids: format() {_median(runs, 'before_us'):.2f} µs/record "
            f"before opentelemetry was imported, {_median(runs, 'after_us'):.2f} µs with it "
            f"and no span active; the lookup alone {_median(runs, 'lookup_us'):.2f} µs/call "
            "(medians over rounds)"
        )
    ours = raw.get("formatter", {}).get(OURS, [])
    if ours and all("peer_orjson_default" in r and "orjson" in r for r in ours):
        default = _median(ours, "peer_orjson_default")
        ratio = _median(ours, "orjson") / default
        notes.append(
            f"log formatter: {PEER}'s OrjsonFormatter() with its default fields (message "
            f"and the extras only, no time, level, logger or pid) formats {default:,.0f} "
            f"records/s in .venv-ours; ours with orjson is {ratio:.2f}x that, for a line "
            "that carries the whole mozlog envelope"
        )
    return notes
