"""The AR's reconfirmation reminders (§9 [D]: certification lapses 730 days after the
latest certification or reconfirmation; reminders come 60, 30 and 7 days before)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.certification import (
    PharmacyStanding,
    reconfirmation_due,
    reconfirmation_reminder,
    standing,
)
from app.records import Pharmacy
from app.statuses import PharmacySetting

ATTESTED = date(2024, 3, 1)
DUE = ATTESTED + timedelta(days=730)
RX = Pharmacy("rx", PharmacySetting.OUTPATIENT, "ar", "Main St", ATTESTED, ATTESTED)


@pytest.mark.parametrize(
    ("days_before", "reminder"),
    [(90, None), (61, None), (60, 60), (31, 60), (30, 30), (8, 30), (7, 7), (1, 7)],
)
def test_the_reminder_is_the_nearest_threshold_reached(
    days_before: int, reminder: int | None
) -> None:
    assert reconfirmation_due(RX) == DUE
    assert reconfirmation_reminder(RX, DUE - timedelta(days=days_before)) == reminder


def test_on_the_due_day_it_has_lapsed_and_a_reminder_is_too_late() -> None:
    assert standing(RX, DUE) is PharmacyStanding.LAPSED
    assert reconfirmation_reminder(RX, DUE) is None


def test_an_uncertified_pharmacy_has_nothing_to_reconfirm() -> None:
    enrolled = Pharmacy("rx", PharmacySetting.OUTPATIENT, "ar", "Main St")
    assert reconfirmation_reminder(enrolled, date(2024, 3, 1)) is None
    assert reconfirmation_reminder(None, date(2024, 3, 1)) is None
