"""Recommended monitoring and next ANC due (rules.md §7), at the boundaries."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.anc import Anc, Population
from app.monitoring import base_interval, next_anc_due, recommended_monitoring
from app.records import AncReport
from app.statuses import AncSource, RecommendedMonitoring

START = date(2024, 1, 1)
R = RecommendedMonitoring


def history(*points: tuple[int, int]) -> list[AncReport]:
    """(days after START, value) pairs as reports in draw order."""
    return [
        AncReport("p", Anc(v), START + timedelta(days=d), START, AncSource.ADD_ANC, "x", seq=i)
        for i, (d, v) in enumerate(points)
    ]


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (0, R.WEEKLY),
        (181, R.WEEKLY),
        (182, R.EVERY_2_WEEKS),
        (364, R.EVERY_2_WEEKS),
        (365, R.MONTHLY),
    ],
)
def test_base_interval_steps_down_at_six_and_twelve_months(day: int, expected: R) -> None:
    assert base_interval(START, START + timedelta(days=day)) is expected


@pytest.mark.parametrize(
    ("population", "value", "expected"),
    [
        (Population.GENERAL, 1500, R.MONTHLY),
        (Population.GENERAL, 1499, R.THREE_TIMES_WEEKLY),
        (Population.GENERAL, 1000, R.THREE_TIMES_WEEKLY),
        (Population.GENERAL, 999, R.DAILY),
        (Population.GENERAL, 0, R.DAILY),
        (Population.BEN, 1000, R.MONTHLY),
        (Population.BEN, 999, R.THREE_TIMES_WEEKLY),
        (Population.BEN, 500, R.THREE_TIMES_WEEKLY),
        (Population.BEN, 499, R.DAILY),
    ],
)
def test_the_most_current_anc_sets_closer_testing(
    population: Population, value: int, expected: R
) -> None:
    today = START + timedelta(days=400)
    assert recommended_monitoring(population, history((399, value)), START, today) is expected


@pytest.mark.parametrize("population", [Population.GENERAL, Population.BEN])
def test_weekly_for_28_days_after_an_episode_recovers(population: Population) -> None:
    ancs = history((380, 800), (390, 1600))  # an episode, then back in the normal range
    day = START + timedelta(days=390 + 27)
    assert recommended_monitoring(population, ancs, START, day) is R.WEEKLY
    later = START + timedelta(days=390 + 28)
    assert recommended_monitoring(population, ancs, START, later) is R.MONTHLY


def test_a_mild_episode_alone_needs_no_28_days_of_weekly_testing() -> None:
    ancs = history((380, 1200), (390, 1600))
    assert (
        recommended_monitoring(Population.GENERAL, ancs, START, START + timedelta(days=391))
        is R.MONTHLY
    )


@pytest.mark.parametrize(
    ("recommended", "days"),
    [
        (R.DAILY, 1),
        (R.THREE_TIMES_WEEKLY, 2),
        (R.WEEKLY, 7),
        (R.EVERY_2_WEEKS, 14),
        (R.MONTHLY, 31),
    ],
)
def test_next_anc_due_counts_from_the_most_current_draw(recommended: R, days: int) -> None:
    latest = history((10, 2000))[-1]
    assert next_anc_due(latest, recommended) == START + timedelta(days=10 + days)
    assert next_anc_due(None, recommended) is None
