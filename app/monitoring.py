"""Recommended ANC monitoring and the next ANC due, as the label describes (rules.md §7).

The app shows what the label recommends; the prescriber decides the frequency on the PSF.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from app import thresholds as t
from app.anc import Population, acceptable_floor, normal_floor
from app.records import AncReport
from app.statuses import RecommendedMonitoring


def base_interval(clock_start: date, today: date) -> RecommendedMonitoring:
    """Weekly for days 0-181 of the clock, every 2 weeks for 182-364, monthly from 365."""
    day = (today - clock_start).days
    if day >= t.MONTHLY_FROM_DAY:
        return RecommendedMonitoring.MONTHLY
    if day >= t.EVERY_2_WEEKS_FROM_DAY:
        return RecommendedMonitoring.EVERY_2_WEEKS
    return RecommendedMonitoring.WEEKLY


def recommended_monitoring(
    population: Population,
    history: Sequence[AncReport],
    clock_start: date,
    today: date,
) -> RecommendedMonitoring:
    """What the label recommends today, from the ANC history in draw-date order.

    General: mild -> three times weekly; moderate or severe -> daily until 1000, then three
    times weekly until 1500; after a moderate or severe episode, weekly for 28 days once back
    at 1500 or more. BEN: severe -> daily until 500; 500-999 -> three times weekly until 1000;
    after either, weekly for 28 days once back at 1000 or more. Otherwise the base interval.
    """
    base = base_interval(clock_start, today)
    if not history:
        return base
    current = history[-1].anc.per_ul
    normal = normal_floor(population)
    # Daily below 1000 for the general population (moderate or severe), below 500 for BEN.
    daily_below = (
        acceptable_floor(population) if population is Population.GENERAL else (t.SEVERE_BELOW)
    )
    if current < daily_below:
        return RecommendedMonitoring.DAILY
    if current < normal:
        return RecommendedMonitoring.THREE_TIMES_WEEKLY
    # An episode that calls for 28 days of weekly testing after recovery: general moderate or
    # severe (< 1000); for BEN any neutropenia (< 1000).
    episode_below = t.GENERAL_MILD_MIN if population is Population.GENERAL else t.BEN_NORMAL_MIN
    recovered_on = _recovery_after_last_episode(history, episode_below, normal)
    if recovered_on is not None and today < recovered_on + timedelta(
        days=t.POST_EPISODE_WEEKLY_DAYS
    ):
        return RecommendedMonitoring.WEEKLY
    return base


def _recovery_after_last_episode(
    history: Sequence[AncReport], episode_below: int, normal: int
) -> date | None:
    """The draw date of the first normal ANC after the latest ANC below `episode_below`."""
    last_low = None
    for index in range(len(history) - 1, -1, -1):
        if history[index].anc.per_ul < episode_below:
            last_low = index
            break
    if last_low is None:
        return None
    for report in history[last_low + 1 :]:
        if report.anc.per_ul >= normal:
            return report.drawn
    return None


def next_anc_due(most_current: AncReport | None, recommended: RecommendedMonitoring) -> date | None:
    """Most current draw date + 1 / 2 / 7 / 14 / 31 days for the recommended monitoring."""
    if most_current is None:
        return None
    return most_current.drawn + timedelta(days=t.NEXT_ANC_DUE_DAYS[recommended.value])


def is_first_low(population: Population, previous_per_ul: int | None, latest_per_ul: int) -> bool:
    """rules.md §13 R14: an ANC below the normal range right after one in it (general 1500,
    BEN 1000). The roster's store query asks this of two numbers, the chart of a history."""
    normal = normal_floor(population)
    return previous_per_ul is not None and latest_per_ul < normal <= previous_per_ul


def first_low_to_confirm(population: Population, history: Sequence[AncReport]) -> bool:
    """rules.md §13 R14: the most current ANC is below normal and the one before it was
    normal, so it is confirmed within 24 hours, whatever the recommended frequency."""
    if len(history) < 2:
        return False
    return is_first_low(population, history[-2].anc.per_ul, history[-1].anc.per_ul)


def confirm_by(drawn: date) -> date:
    """R14: the next ANC after a first low one is due the day after its draw."""
    return drawn + timedelta(days=1)


def next_anc_due_for(
    population: Population, history: Sequence[AncReport], recommended: RecommendedMonitoring
) -> date | None:
    """The next ANC due for a history in draw-date order: the day after a first low ANC's
    draw (R14), else as the recommended monitoring says (§7)."""
    if history and first_low_to_confirm(population, history):
        return confirm_by(history[-1].drawn)
    return next_anc_due(history[-1] if history else None, recommended)
