"""The office workspace's own reads: the neutropenia alerts of lately, the first low ANCs to
confirm within 24 hours, my unfinished enrollments, a patient's name. Each takes the
signed-in Session and runs on the store thread.

`Form` and `FormKind` (desk.forms) are re-exported for the workspace's annotations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.follow_up import confirmation_words
from app.monitoring import confirm_by, is_first_low
from app.notifications import flagged_since, notification_text
from desk.forms import Form, FormKind
from local_store.roster import notifications_since
from local_store.session import Session

__all__ = [
    "AncToConfirm",
    "Form",
    "FormKind",
    "ancs_to_confirm",
    "my_enrollment_drafts",
    "patient_name",
    "recent_alerts",
]


def recent_alerts(session: Session, today: date) -> list[str]:
    """ "Name: what happened" for the office's patients' notifications flagged lately."""
    since = flagged_since(today)
    found = notifications_since(session.db, since, prescriber_id=session.account.prescriber_id)
    return [f"{name}: {notification_text(n)}" for name, n in found]


@dataclass(frozen=True)
class AncToConfirm:
    """A patient whose first low ANC the next ANC confirms within 24 hours (rules.md §13 R14)."""

    patient_id: str
    name: str
    due: date
    overdue: bool
    words: str  # the chart's sentence: "Confirm the first low ANC within 24 hours: …"


def ancs_to_confirm(session: Session, today: date) -> list[AncToConfirm]:
    """The office's first low ANCs awaiting their confirming ANC, the longest waiting first:
    what is due today (or overdue) before anything else."""
    found = []
    for line in session.low_latest_ancs():
        if not is_first_low(line.population, line.previous_per_ul, line.per_ul):
            continue
        due = confirm_by(line.drawn)
        words = confirmation_words(line.per_ul, line.drawn, due, today)
        found.append(AncToConfirm(line.patient_id, line.name, due, due < today, words))
    return found


def my_enrollment_drafts(session: Session) -> list[Form]:
    """The signed-in person's unfinished enrollments, newest first."""
    return session.forms.drafts_by(FormKind.ENROLLMENT, session.account.id)


def patient_name(session: Session, patient_id: str) -> str | None:
    """The patient's name, or None when the store does not have them."""
    patient = session.ledger.patient(patient_id)
    return patient.name if patient else None
