"""Pharmacy certification and the Authorized Representative's two-year reconfirmation (§9)."""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum

from app import thresholds as t
from app.records import Pharmacy


class PharmacyStanding(StrEnum):
    NOT_CERTIFIED = "not_certified"  # enrolled, certification not finished
    CERTIFIED = "certified"
    LAPSED = "lapsed"  # the AR did not reconfirm within two years
    DEACTIVATED = "deactivated"  # deactivated by the program

    @property
    def label(self) -> str:
        return _STANDING_LABELS[self]


_STANDING_LABELS = {
    PharmacyStanding.NOT_CERTIFIED: "Not certified",
    PharmacyStanding.CERTIFIED: "Certified",
    PharmacyStanding.LAPSED: "Certification lapsed (not reconfirmed)",
    PharmacyStanding.DEACTIVATED: "Deactivated by the program",
}


def reconfirmation_due(pharmacy: Pharmacy) -> date | None:
    """[D] The day certification lapses: 730 days after certification or reconfirmation."""
    if pharmacy.attested_on is None:
        return None
    return pharmacy.attested_on + timedelta(days=t.PHARMACY_RECONFIRM_DAYS)


def standing(pharmacy: Pharmacy | None, today: date) -> PharmacyStanding:
    if pharmacy is None or pharmacy.certified_on is None:
        return PharmacyStanding.NOT_CERTIFIED
    if pharmacy.deactivated_on is not None and pharmacy.deactivated_on <= today:
        return PharmacyStanding.DEACTIVATED
    due = reconfirmation_due(pharmacy)
    if due is not None and today >= due:
        return PharmacyStanding.LAPSED
    return PharmacyStanding.CERTIFIED


def is_certified(pharmacy: Pharmacy | None, today: date) -> bool:
    return standing(pharmacy, today) is PharmacyStanding.CERTIFIED


def reconfirmation_reminder(pharmacy: Pharmacy | None, today: date) -> int | None:
    """The reminder due today: 60, 30 or 7 (the nearest threshold the due date is within),
    or None when the due date is further off than the first one, or already passed (then
    the standing says lapsed)."""
    if standing(pharmacy, today) is not PharmacyStanding.CERTIFIED:
        return None
    assert pharmacy is not None
    due = reconfirmation_due(pharmacy)
    if due is None:
        return None
    left = (due - today).days
    within = [days for days in t.RECONFIRM_REMINDER_DAYS if left <= days]
    return min(within) if within else None
