"""The Patient Status Form: reporting period, missing labs, who must sign (rules.md §6)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise

from app import thresholds as t
from app.anc import Population
from app.entered_anc import EnteredAnc
from app.records import Patient
from app.roles import Action
from app.statuses import MonitoringFrequency, TreatmentStatus
from app.treatment import resume_is_rechallenge


@dataclass(frozen=True)
class PsfSubmission:
    """A Patient Status Form as the office fills it in (rules.md §6.1).

    `treatment_status` None requests no change. `ben` and `hospice` None leave the flags as
    they are. `signed_by` is the prescriber who signed a designee's draft.
    """

    patient_id: str
    monitoring: MonitoringFrequency
    ancs: tuple[EnteredAnc, ...] = ()
    treatment_status: TreatmentStatus | None = None
    treatment_rationale: str | None = None
    authorize_missing_labs: bool = False
    ben: bool | None = None
    hospice: bool | None = None
    adverse_event: str | None = None
    signed_by: str | None = None

    @property
    def requested_status(self) -> TreatmentStatus | None:
        """A Treatment Rationale with no status asks for `enrolled` (rules.md §3)."""
        if self.treatment_status is None and self.has_rationale:
            return TreatmentStatus.ENROLLED
        return self.treatment_status

    @property
    def has_rationale(self) -> bool:
        return bool(self.treatment_rationale and self.treatment_rationale.strip())


def treatment_status_choices(
    current: TreatmentStatus,
) -> tuple[tuple[str, TreatmentStatus | None], ...]:
    """What a PSF may ask of the treatment status, as the printed form offers it: no change,
    enrolled, interrupted, discontinued. For an interrupted patient `enrolled` is a resume
    and is named so."""
    enrolled = (
        "Resume treatment (enrolled)"
        if current is TreatmentStatus.INTERRUPTED
        else "Continue (enrolled)"
    )
    return (
        ("No change", None),
        (enrolled, TreatmentStatus.ENROLLED),
        (TreatmentStatus.INTERRUPTED.label, TreatmentStatus.INTERRUPTED),
        (TreatmentStatus.DISCONTINUED.label, TreatmentStatus.DISCONTINUED),
    )


def treatment_status_problem(form: PsfSubmission, current: TreatmentStatus) -> str | None:
    """What must change before the form says what the office means, or None.

    The rules read a Treatment Rationale with no status as a request for `enrolled` (rules.md
    §3), which resumes an interrupted patient; a form that says "No change" must not resume
    treatment, so that pairing is refused here and the office chooses in words.
    """
    requested = form.treatment_status
    if current is TreatmentStatus.DISCONTINUED and requested in (
        TreatmentStatus.ENROLLED,
        TreatmentStatus.INTERRUPTED,
    ):
        return (
            "Treatment was discontinued: to restart, the prescriber enrolls the patient again. "
            'Choose "No change" or "Discontinued".'
        )
    if not form.has_rationale:
        return None
    if requested in (TreatmentStatus.INTERRUPTED, TreatmentStatus.DISCONTINUED):
        return (
            f'A Treatment Rationale continues treatment; it cannot go with "{requested.label}". '
            "Clear the rationale, or choose to continue treatment."
        )
    if requested is None and current is TreatmentStatus.INTERRUPTED:
        return (
            'Treatment is interrupted, and "No change" keeps it interrupted. To resume with '
            'this Treatment Rationale, choose "Resume treatment (enrolled)"; to keep treatment '
            "interrupted, clear the rationale."
        )
    return None


def reporting_period(previous_psf_date: date, psf_date: date) -> tuple[date, date]:
    """From the day after the previous PSF (the enrollment counts as one) through the PSF date."""
    return previous_psf_date + timedelta(days=1), psf_date


def labs_missing(
    draw_dates: Iterable[date],
    period_start: date,
    psf_date: date,
    monitoring: MonitoringFrequency,
    hospice: bool,
) -> bool:
    """Walk the draws from the most current one before the period (or the period start) to
    the PSF date; labs are missing when any step exceeds the frequency's allowed gap
    (9 / 16 / 33 days). Hospice patients never have missing labs (rules.md §6.2 [D])."""
    if hospice:
        return False
    dates = sorted(set(draw_dates))
    before = [d for d in dates if d < period_start]
    walk = [before[-1] if before else period_start]
    walk += [d for d in dates if period_start <= d <= psf_date]
    walk.append(psf_date)
    allowed = t.ALLOWED_GAP_DAYS[monitoring.value]
    return any((later - earlier).days > allowed for earlier, later in pairwise(walk))


def acts_needing_prescriber(form: PsfSubmission, patient: Patient) -> list[Action]:
    """What on this form only the prescriber may do (rules.md §6.3).

    [D] Setting BEN or hospice means changing the flag from what the patient has now; a form
    that repeats the current value changes nothing and needs no signature for it.
    """
    acts: list[Action] = []
    if form.has_rationale:
        acts.append(Action.GIVE_TREATMENT_RATIONALE)
    if form.authorize_missing_labs:
        acts.append(Action.AUTHORIZE_MISSING_LABS)
    if form.requested_status is TreatmentStatus.ENROLLED and resume_is_rechallenge(patient):
        acts.append(Action.RESUME_AFTER_SEVERE_ANC)  # a rechallenge (rules.md §13 R12)
    ben_changes = form.ben is not None and form.ben != (patient.population is Population.BEN)
    hospice_changes = form.hospice is not None and form.hospice != patient.hospice
    if ben_changes or hospice_changes:
        acts.append(Action.SET_BEN_OR_HOSPICE)
    return acts


def psf_due_date(latest_psf_date: date) -> date:
    """The last dispense date the latest PSF covers (dispense date - PSF date <= 37)."""
    return latest_psf_date + timedelta(days=t.PSF_CURRENT_DAYS)
