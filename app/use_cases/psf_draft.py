"""The next Patient Status Form for a patient, prefilled: the reporting period, every ANC
drawn in it (as entered), the current monitoring frequency, and whether labs are missing so
far. What the office reviews, completes and signs, on screen or on paper."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.errors import ErrorCode, RemsError
from app.ports import ProgramFacts
from app.psf import AncEntry, PsfSubmission, labs_missing, reporting_period


@dataclass(frozen=True)
class PsfDraft:
    form: PsfSubmission
    period_start: date
    period_end: date
    labs_missing: bool


def draft_next_psf(facts: ProgramFacts, patient_id: str, today: date) -> PsfDraft:
    patient = facts.patient(patient_id)
    if patient is None:
        raise RemsError(ErrorCode.UNKNOWN_PATIENT)
    previous = facts.latest_psf(patient_id)
    start, end = reporting_period(previous.dated if previous else patient.enrolled_on, today)
    history = facts.anc_history(patient_id)
    in_period = [r for r in history if start <= r.drawn <= end]
    entries = tuple(
        AncEntry(r.entered_value or str(r.anc.per_ul), r.drawn.isoformat(), r.entered_unit or "/uL")
        for r in in_period
    )
    missing = labs_missing(
        (r.drawn for r in history), start, end, patient.monitoring, patient.hospice
    )
    return PsfDraft(PsfSubmission(patient_id, patient.monitoring, entries), start, end, missing)
