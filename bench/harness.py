"""The benchmark harness: each benchmark yields metrics; the harness prints and saves them.

Later layers add a module to BENCHMARKS; a metric states its goal so the table says whether
it is met. Ratios against a floor measured in the same run are metrics like any other.
"""

from __future__ import annotations

import json
import platform
import statistics
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path


@dataclass(frozen=True)
class Metric:
    name: str
    value: float
    unit: str
    goal: float | None  # None: measured for information
    lower_is_better: bool = True
    note: str = ""

    @property
    def met(self) -> bool | None:
        if self.goal is None:
            return None
        return self.value <= self.goal if self.lower_is_better else self.value >= self.goal

    @property
    def goal_text(self) -> str:
        if self.goal is None:
            return "-"
        return f"{'<=' if self.lower_is_better else '>='} {self.goal:g}"


Benchmark = Callable[[bool], Iterable[Metric]]


def median_ms(action: Callable[[], object], rounds: int) -> float:
    """The median time of `rounds` calls, in milliseconds."""
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def _benchmarks() -> list[tuple[tuple[str, ...], Benchmark]]:
    """Each benchmark with the metric names it yields (so --only skips the others)."""
    from bench import (
        frozen_bench,
        import_bench,
        pdf_bench,
        rda_bench,
        rules_bench,
        sign_in_bench,
        store_bench,
        sync_bench,
        ui_bench,
    )

    return [
        (rules_bench.METRICS, rules_bench.run),
        (store_bench.METRICS, store_bench.run),
        (pdf_bench.METRICS, pdf_bench.run),
        (sync_bench.METRICS, sync_bench.run),
        (rda_bench.METRICS, rda_bench.run),
        (sign_in_bench.METRICS, sign_in_bench.run),
        (ui_bench.METRICS, ui_bench.run),
        (frozen_bench.METRICS, frozen_bench.run),
        (import_bench.METRICS, import_bench.run),
    ]


def run_benchmarks(quick: bool = False, only: str | None = None) -> list[Metric]:
    metrics: list[Metric] = []
    for names, benchmark in _benchmarks():
        if only is not None and not any(name.startswith(only) for name in names):
            continue
        metrics.extend(m for m in benchmark(quick) if only is None or m.name.startswith(only))
    return metrics


def format_table(metrics: list[Metric]) -> str:
    rows = [("metric", "value", "unit", "goal", "met?")]
    for m in metrics:
        met = {True: "yes", False: "NO", None: "-"}[m.met]
        rows.append((m.name, f"{m.value:.4g}", m.unit, m.goal_text, met))
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    lines = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    notes = [f"  {m.name}: {m.note}" for m in metrics if m.note]
    return "\n".join(lines + (["", *notes] if notes else []))


def write_json(metrics: list[Metric], path: Path) -> None:
    document = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "platform": platform.platform()},
        "metrics": [asdict(m) | {"met": m.met} for m in metrics],
    }
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
