"""The office workspace's own reads: the neutropenia alerts of lately, my unfinished
enrollments, a patient's name. Each takes the signed-in Session and runs on the store thread.

`Form` and `FormKind` (desk.forms) are re-exported for the workspace's annotations."""

from __future__ import annotations

from datetime import date

from app.notifications import flagged_since, notification_text
from desk.forms import Form, FormKind
from local_store.roster import notifications_since
from local_store.session import Session

__all__ = ["Form", "FormKind", "my_enrollment_drafts", "patient_name", "recent_alerts"]


def recent_alerts(session: Session, today: date) -> list[str]:
    """ "Name: what happened" for the office's patients' notifications flagged lately."""
    since = flagged_since(today)
    found = notifications_since(session.db, since, prescriber_id=session.account.prescriber_id)
    return [f"{name}: {notification_text(n)}" for name, n in found]


def my_enrollment_drafts(session: Session) -> list[Form]:
    """The signed-in person's unfinished enrollments, newest first."""
    return session.forms.drafts_by(FormKind.ENROLLMENT, session.account.id)


def patient_name(session: Session, patient_id: str) -> str | None:
    """The patient's name, or None when the store does not have them."""
    patient = session.ledger.patient(patient_id)
    return patient.name if patient else None
