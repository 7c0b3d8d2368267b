"""rules.rda_preview_us: one RDA preview (every check of rules.md §8) over a world of 10,000
patients with a year of weekly ANCs each."""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Iterator
from datetime import date

from app.rda import evaluate_rda
from bench.harness import Metric
from bench.world import build_world

METRICS = ("rules.rda_preview_us",)
PATIENTS = 10_000
# Project goal: a pharmacist's preview is instant, and a whole 10,000-patient roster can be
# previewed in about a second.
RDA_PREVIEW_GOAL_US = 100.0


def run(quick: bool) -> Iterator[Metric]:
    today = date(2026, 6, 1)
    world = build_world(PATIENTS, today)
    rng = random.Random(11)
    samples = 2_000 if quick else 20_000
    rounds = 3 if quick else 7
    pick = rng.choice
    requests = [
        (pick(world.pharmacy_ids), pick(world.patient_ids), pick(world.prescriber_ids))
        for _ in range(samples)
    ]
    per_preview: list[float] = []
    for _ in range(rounds):
        started = time.perf_counter()
        for pharmacy, patient, prescriber in requests:
            evaluate_rda(world.ledger, pharmacy, patient, prescriber, today)
        per_preview.append((time.perf_counter() - started) / samples * 1e6)
    yield Metric(
        "rules.rda_preview_us",
        statistics.median(per_preview),
        "us",
        RDA_PREVIEW_GOAL_US,
        note=f"median of {rounds} rounds x {samples:,} previews, {PATIENTS:,} patients x 53 ANCs",
    )
