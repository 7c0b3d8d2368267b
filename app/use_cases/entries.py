"""Validating ANCs typed on a form against the action's date and the patient's birth date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.anc import Anc
from app.dates import parse_date
from app.entered_anc import EnteredAnc
from app.errors import ErrorCode, InvalidEntry


@dataclass(frozen=True)
class ValidAnc:
    anc: Anc
    drawn: date
    entered_value: str
    entered_unit: str


def validate_anc_entry(entry: EnteredAnc, today: date, dob: date | None) -> ValidAnc:
    """INVALID_ANC or INVALID_DATE, or the ANC in cells/µL with its draw date."""
    anc = entry.parse()
    drawn = parse_date(entry.drawn)
    if drawn > today:
        raise InvalidEntry(
            ErrorCode.INVALID_DATE,
            f"The blood draw date {drawn.isoformat()} is after today ({today.isoformat()}). "
            "Check the date on the lab report.",
        )
    if dob is not None and drawn < dob:
        raise InvalidEntry(
            ErrorCode.INVALID_DATE,
            f"The blood draw date {drawn.isoformat()} is before the patient's date of birth.",
        )
    # Kept exactly as typed (the unit too): the record shows what the lab slip said.
    return ValidAnc(anc, drawn, entry.shown, str(entry.unit))


def validate_anc_entries(
    entries: tuple[EnteredAnc, ...], today: date, dob: date | None
) -> list[ValidAnc]:
    """Every entry validated, in draw-date order (the order of effect, rules.md §6.1)."""
    valid = [validate_anc_entry(e, today, dob) for e in entries]
    return sorted(valid, key=lambda v: v.drawn)
