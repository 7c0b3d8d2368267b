"""The eligibility preview's facts: §8's checks run by `app/`'s RDA rules over this
workstation's snapshot of the registry, and how old that snapshot is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from app.rda import RdaDecision, RdaReason
from local_store.session import Session


@dataclass(frozen=True)
class Preview:
    patient_id: str
    patient_name: str
    prescriber_id: str
    decision: RdaDecision
    snapshot_as_of: datetime | None  # the last sync that brought the registry's facts


def load_preview(
    session: Session, pharmacy_id: str, patient_id: str, today: date, prescriber_id: str = ""
) -> Preview:
    """The checks for one patient at this pharmacy, with the prescriber on the prescription
    (the patient's own prescriber when not given). Audited as a view of the patient."""
    found = session.preview_eligibility(pharmacy_id, patient_id, today, prescriber_id)
    if found is None:
        raise LookupError(RdaReason.PATIENT_NOT_ENROLLED.message)
    patient, decision = found
    prescriber = prescriber_id or patient.prescriber_id or ""
    return Preview(patient_id, patient.name, prescriber, decision, snapshot_as_of(session))


def snapshot_as_of(session: Session) -> datetime | None:
    """When the registry's facts on this workstation were last brought up to date."""
    return session.sync_state.snapshot_as_of
