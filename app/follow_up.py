"""What the office must see to for a patient beyond the routine, and why, in the words every
surface shows (chart, roster, the Patients tab's list of ANCs to confirm, the PSF editor):
a first low ANC to confirm within 24 hours (rules.md §13 R14), and a resume after a severe ANC
that only the prescriber may make (R12)."""

from __future__ import annotations

from datetime import date

from app.roles import Role

CONFIRM_FIRST_LOW_ANC = "Confirm the first low ANC within 24 hours"
CONFIRM_MARK = "confirm"  # beside the date in the roster's "Next ANC due"
RECHALLENGE = "Only the prescriber can resume treatment after a severe ANC (a rechallenge)"


def _day(day: date) -> str:
    return day.strftime("%m/%d/%Y")


def due_words(due: date, today: date) -> str:
    """ "is due 12/03/2026", "is due today, 12/02/2026" or "was due 12/01/2026: OVERDUE"."""
    if due < today:
        return f"was due {_day(due)}: OVERDUE"
    return f"is due today, {_day(due)}" if due == today else f"is due {_day(due)}"


def confirmation_words(per_ul: int, drawn: date, due: date, today: date) -> str:
    """Why the next ANC is due so soon (R14), as a sentence that starts with the label's ask:
    "Confirm the first low ANC within 24 hours: 820/µL drawn 12/01/2026 came after a normal
    ANC; the next ANC is due today, 12/02/2026."."""
    return (
        f"{CONFIRM_FIRST_LOW_ANC}: {per_ul:,}/µL drawn {_day(drawn)} came after a normal ANC; "
        f"the next ANC {due_words(due, today)}."
    )


def rechallenge_words(role: Role) -> str:
    """R12 for whoever reads it: the prescriber decides; a designee's resume is sent to them."""
    if role is Role.PRESCRIBER:
        return (
            "Interrupted after a severe ANC: resuming treatment is a rechallenge, yours alone "
            "to decide, on a PSF you sign; monitoring then restarts as for a new patient."
        )
    return (
        f"{RECHALLENGE}: a PSF that resumes it goes for the prescriber's signature; "
        "monitoring then restarts as for a new patient."
    )
