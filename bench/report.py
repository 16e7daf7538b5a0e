"""Medians over rounds, and the ratios issue 7 sets targets for."""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

LABELS = {"plain": "(a′) plain", "stock": "(c) stock", "liaison": "(p) liaison"}
# Issue 7's targets, on PostgreSQL with one worker and 4 clients: page -> (vs a′, vs c).
TARGETS = {1000: (0.35, 5.0), 100: (0.35, 3.5)}

Record = Mapping[str, Any]


def _median(records: Iterable[Record], key: str) -> float | None:
    values = [r[key] for r in records if r.get(key) is not None]
    return statistics.median(values) if values else None


def _number(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def _ratio(top: float | None, bottom: float | None) -> float | None:
    return top / bottom if top is not None and bottom else None


def _groups(records: Sequence[Record]) -> dict[tuple[str, int, str], list[Record]]:
    groups: dict[tuple[str, int, str], list[Record]] = {}
    for record in records:
        groups.setdefault((record["backend"], record["page"], record["variant"]), []).append(record)
    return groups


def table(records: Sequence[Record]) -> str:
    groups = _groups(records)
    backends = sorted({b for b, _, _ in groups}, key=["sqlite", "postgresql"].index)
    pages = sorted({p for _, p, _ in groups})
    lines = [
        f"{'backend':<11}{'page':>5}  {'variant':<12}{'req/s':>9} {'(min–max)':<17}"
        f"{'p50 ms':>8}{'p99 ms':>9}{'CPU ms/req':>12}{'DB CPU ms/req':>15}"
        f"{'other %':>9}{'bad':>5}",
    ]
    for backend in backends:
        for page in pages:
            for variant in LABELS:
                rows = groups.get((backend, page, variant), [])
                if not rows:
                    continue
                rates = [r["rps"] for r in rows]
                spread = f"({min(rates):,.0f}–{max(rates):,.0f})"
                lines.append(
                    f"{backend:<11}{page:>5}  {LABELS[variant]:<12}"
                    f"{_number(_median(rows, 'rps')):>9} {spread:<17}"
                    f"{_number(_median(rows, 'latency_p50_ms'), 2):>8}"
                    f"{_number(_median(rows, 'latency_p99_ms'), 2):>9}"
                    f"{_number(_median(rows, 'cpu_ms_per_request'), 2):>12}"
                    f"{_number(_median(rows, 'db_cpu_ms_per_request'), 2):>15}"
                    f"{_number(_median(rows, 'others_cpu_pct'), 0):>9}"
                    f"{sum(r['errors'] + r['bad_responses'] for r in rows):>5}"
                )
    lines += ["", ratios(records)]
    return "\n".join(lines)


def ratios(records: Sequence[Record]) -> str:
    groups = _groups(records)
    backends = sorted({b for b, _, _ in groups}, key=["sqlite", "postgresql"].index)
    pages = sorted({p for _, p, _ in groups})
    lines = [
        "Ratios of medians (targets: issue 7, PostgreSQL, 1 worker, 4 clients)",
        f"{'backend':<11}{'page':>5}  {'(p)/(a′) req/s':>16}{'target':>8}  {'(p)/(c) req/s':>15}"
        f"{'target':>8}  {'(p)/(a′) CPU/req':>17}{'(p)/(c) CPU/req':>17}",
    ]
    for backend in backends:
        for page in pages:
            rows = {v: groups.get((backend, page, v), []) for v in LABELS}
            rate = {v: _median(rows[v], "rps") for v in LABELS}
            cpu = {v: _median(rows[v], "cpu_ms_per_request") for v in LABELS}
            target_plain, target_stock = (
                TARGETS.get(page, (None, None)) if backend == "postgresql" else (None, None)
            )
            lines.append(
                f"{backend:<11}{page:>5}  "
                f"{_mark(_ratio(rate['liaison'], rate['plain']), target_plain):>16}"
                f"{_target(target_plain):>8}  "
                f"{_mark(_ratio(rate['liaison'], rate['stock']), target_stock):>15}"
                f"{_target(target_stock):>8}  "
                f"{_number(_ratio(cpu['liaison'], cpu['plain']), 2):>17}"
                f"{_number(_ratio(cpu['liaison'], cpu['stock']), 2):>17}"
            )
    return "\n".join(lines)


def _target(value: float | None) -> str:
    return "" if value is None else f"≥{value:g}"


def _mark(value: float | None, target: float | None) -> str:
    if value is None:
        return "–"
    sign = "" if target is None else (" ✓" if value >= target else " ✗")
    return f"{value:.2f}{sign}"
