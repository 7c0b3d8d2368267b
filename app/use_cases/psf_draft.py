"""The next Patient Status Form for a patient, prefilled: the reporting period, every ANC
drawn in it (as entered), the current monitoring frequency, and whether labs are missing so
far. What the office reviews, completes and signs, on screen or on paper."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.entered_anc import EnteredAnc
from app.errors import ErrorCode, RemsError
from app.ports import ProgramFacts
from app.psf import PsfSubmission, labs_missing, reporting_period
from app.records import AncReport


@dataclass(frozen=True)
class PsfDraft:
    form: PsfSubmission
    period_start: date
    period_end: date
    labs_missing: bool
    reports: tuple[AncReport, ...] = ()  # the period's ANCs as recorded (an ANC Lab Report's)
    previous_psf: date | None = None  # the latest PSF's date (the enrollment counts as one)

    @property
    def covers_no_days(self) -> bool:
        """A second PSF on its day (or one dated before the latest PSF): the period runs from
        the day after the latest PSF through this one's date, so it holds no day (§6.2)."""
        return self.period_start > self.period_end


def draft_next_psf(
    facts: ProgramFacts, patient_id: str, today: date, sent_on: date | None = None
) -> PsfDraft:
    """`sent_on`: the day a PSF left this workstation that the registry may not have dated
    yet (signed while offline, say); the period starts after it as after a dated one."""
    patient = facts.patient(patient_id)
    if patient is None:
        raise RemsError(ErrorCode.UNKNOWN_PATIENT)
    previous = facts.latest_psf(patient_id)
    previous_date = previous.dated if previous else patient.enrolled_on
    if sent_on is not None and previous_date < sent_on <= today:
        previous_date = sent_on
    start, end = reporting_period(previous_date, today)
    history = facts.anc_history(patient_id)
    in_period = tuple(r for r in history if start <= r.drawn <= end)
    entries = tuple(EnteredAnc.recorded(r) for r in in_period)
    missing = labs_missing(
        (r.drawn for r in history), start, end, patient.monitoring, patient.hospice
    )
    return PsfDraft(
        PsfSubmission(patient_id, patient.monitoring, entries),
        start,
        end,
        missing,
        in_period,
        previous_date,
    )
