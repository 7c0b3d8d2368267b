"""Reporting period, missing labs and who must sign a PSF (rules.md §6)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.psf import labs_missing, psf_due_date, reporting_period
from app.statuses import MonitoringFrequency as F

START = date(2024, 3, 1)


@pytest.mark.parametrize(
    ("frequency", "allowed"), [(F.WEEKLY, 9), (F.EVERY_2_WEEKS, 16), (F.MONTHLY, 33)]
)
def test_a_step_of_the_allowed_gap_is_fine_and_one_more_day_is_missing(
    frequency: F, allowed: int
) -> None:
    prior = START - timedelta(days=1)
    ok_psf = prior + timedelta(days=allowed)
    late_psf = prior + timedelta(days=allowed + 1)
    assert not labs_missing([prior], START, ok_psf, frequency, hospice=False)
    assert labs_missing([prior], START, late_psf, frequency, hospice=False)


def test_the_walk_starts_at_the_period_start_when_no_earlier_draw_exists() -> None:
    assert not labs_missing([], START, START + timedelta(days=9), F.WEEKLY, hospice=False)
    assert labs_missing([], START, START + timedelta(days=10), F.WEEKLY, hospice=False)


def test_hospice_patients_never_have_missing_labs() -> None:
    assert not labs_missing([], START, START + timedelta(days=200), F.WEEKLY, hospice=True)


def test_period_runs_from_the_day_after_the_previous_psf() -> None:
    assert reporting_period(date(2024, 1, 3), date(2024, 2, 1)) == (
        date(2024, 1, 4),
        date(2024, 2, 1),
    )
    assert psf_due_date(date(2024, 1, 3)) == date(2024, 2, 9)


# Every enrolled patient has an ANC drawn before any PSF period (the enrollment's, drawn on
# or before the enrollment date, and the first period starts the day after), so the worlds
# worth checking always hold one draw before the period.
enrollment_draw = st.integers(-60, -1)
draw_offsets = st.lists(st.integers(-60, 60), max_size=12)


@given(
    enrollment_draw,
    draw_offsets,
    st.integers(-60, 60),
    st.integers(0, 60),
    st.sampled_from(list(F)),
)
def test_adding_a_draw_never_makes_labs_missing(
    first: int, offsets: list[int], added: int, psf_after: int, frequency: F
) -> None:
    draws = [START + timedelta(days=o) for o in [first, *offsets]]
    psf = START + timedelta(days=psf_after)
    before = labs_missing(draws, START, psf, frequency, hospice=False)
    after = labs_missing([*draws, START + timedelta(days=added)], START, psf, frequency, False)
    assert after <= before


def test_with_no_earlier_draw_at_all_the_period_start_is_the_anchor() -> None:
    # rules.md §6.2 as written: this anchor is more lenient than a real draw the day before
    # the period. No enrolled patient is ever in this case (see the property above).
    psf = START + timedelta(days=9)
    assert not labs_missing([], START, psf, F.WEEKLY, hospice=False)
    assert labs_missing([START - timedelta(days=1)], START, psf, F.WEEKLY, hospice=False)
