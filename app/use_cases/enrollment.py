"""Enrolling a patient: a new enrollment, a re-enrollment, or a transfer (rules.md §4, §13)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import date

from app import thresholds as t
from app.anc import Population, initiation_threshold, meets_initiation
from app.dates import parse_date
from app.entered_anc import EnteredAnc
from app.errors import ErrorCode, InvalidEntry, RuleRefused
from app.ports import ProgramLedger
from app.records import Account, Patient, PsfRecord
from app.roles import Action
from app.statuses import AncSource, MonitoringFrequency, NotificationCode, TreatmentStatus
from app.treatment import Transition
from app.use_cases.access import office_actor
from app.use_cases.entries import ValidAnc, validate_anc_entries
from app.use_cases.patient_changes import PatientChanges


@dataclass(frozen=True)
class EnrollmentForm:
    """The Patient Enrollment Form as the office fills it in."""

    patient_id: str
    name: str
    dob: date | str
    population: Population
    ancs: tuple[EnteredAnc, ...]
    hospice: bool = False
    monitoring: MonitoringFrequency = MonitoringFrequency.WEEKLY


@dataclass(frozen=True)
class EnrollmentResult:
    patient: Patient
    transfer: bool
    notifications: tuple[NotificationCode, ...]


def enroll_patient(
    ledger: ProgramLedger, today: date, actor_id: str, form: EnrollmentForm
) -> EnrollmentResult:
    """Enroll, re-enroll (after discontinuation) or transfer a patient to the actor's prescriber.

    A patient who is enrolled or interrupted (under any prescriber, or on no list) is
    transferred. Refusals come in the order of rules.md §13 R13: who may act, the form's
    entries, the patient's date of birth (R4), then the enrollment rules (R1-R3).
    """
    existing = ledger.patient(form.patient_id)
    transfer = existing is not None and existing.treatment_status in (
        TreatmentStatus.ENROLLED,
        TreatmentStatus.INTERRUPTED,
    )
    # A transfer keeps the recorded flags (R1), so only a new enrollment sets them.
    special = not transfer and (form.population is Population.BEN or form.hospice)
    actions = [Action.ENROLL_PATIENT] + ([Action.SET_BEN_OR_HOSPICE] if special else [])
    actor = office_actor(ledger, actor_id, *actions)
    dob = parse_date(form.dob)
    if dob > today:
        raise InvalidEntry(ErrorCode.INVALID_DATE, "The date of birth cannot be in the future.")
    if not form.name.strip():
        raise InvalidEntry(ErrorCode.MISSING_FIELD, "Enter the patient's name.")
    ancs = validate_anc_entries(form.ancs, today, dob)
    if existing is not None and transfer:
        changes = _transfer(ledger, today, actor, existing, dob, ancs)
    else:
        _check_initiation(form.population, ancs)
        changes = _enroll(ledger, today, actor, form, existing, dob, ancs)
    return EnrollmentResult(changes.patient, transfer, changes.notification_codes)


def _transfer(
    ledger: ProgramLedger,
    today: date,
    actor: Account,
    existing: Patient,
    dob: date,
    ancs: list[ValidAnc],
) -> PatientChanges:
    """rules.md §13 R1, R4: the patient moves to the new prescriber and the ANCs are recorded
    as reports, with no threshold. A transfer is not a PSF: the enrollment number, the BEN and
    hospice flags, the monitoring frequency and the latest PSF's 37 days all run on."""
    # Names are not compared: spelling and accents vary between offices.
    if dob != existing.dob:
        raise RuleRefused(
            ErrorCode.PATIENT_MISMATCH,
            "The date of birth does not match the patient enrolled under this id. Look the "
            "patient up by name and date of birth, then transfer them.",
        )
    if not ancs:
        raise RuleRefused(
            ErrorCode.ENROLLMENT_ANC_NOT_ACCEPTABLE,
            "A transfer needs the patient's ANC. Add the most recent ANC from the lab report.",
        )
    changes = PatientChanges(ledger, existing, today, actor.id)
    changes.apply(replace(existing, prescriber_id=actor.prescriber_id))
    for entry in ancs:
        changes.report_anc(entry, AncSource.ENROLLMENT)
    changes.commit()
    return changes


def _enroll(
    ledger: ProgramLedger,
    today: date,
    actor: Account,
    form: EnrollmentForm,
    existing: Patient | None,
    dob: date,
    ancs: list[ValidAnc],
) -> PatientChanges:
    """A first enrollment or a re-enrollment after discontinuation; it counts as the
    patient's first PSF (§4)."""
    patient = Patient(
        id=form.patient_id,
        name=form.name.strip(),
        dob=dob,
        population=form.population,
        hospice=form.hospice,
        prescriber_id=actor.prescriber_id,
        treatment_status=TreatmentStatus.ENROLLED,
        enrollment_id=(existing.enrollment_id + 1) if existing else 1,
        enrolled_on=today,
        monitoring=form.monitoring,
        monitoring_clock_start=today,
    )
    changes = PatientChanges(ledger, patient, today, actor.id)
    previous = existing.treatment_status if existing else None
    changes.apply(patient, Transition(previous, TreatmentStatus.ENROLLED, "enrolled"))
    # Baseline ANCs precede treatment: recorded and notified, they set no status.
    for entry in ancs:
        changes.report_anc(entry, AncSource.ENROLLMENT, affects_status=False)
    changes.commit()
    ledger.add_psf(
        PsfRecord(
            id=uuid.uuid4().hex,
            patient_id=form.patient_id,
            dated=today,
            monitoring=form.monitoring,
            labs_missing=False,
            missing_labs_authorized=False,
            submitted_by=actor.id,
            is_enrollment=True,
            ben=form.population is Population.BEN,
            hospice=form.hospice,
        )
    )
    return changes


def _check_initiation(population: Population, ancs: list[ValidAnc]) -> None:
    """rules.md §13 R2, R3. General: the most current ANC at or above 1500, earlier ones are
    history. BEN: at least two baseline ANCs (BEN_BASELINE_INCOMPLETE), each 1000 or more."""
    threshold = initiation_threshold(population)
    if population is Population.BEN:
        if len(ancs) < t.BEN_BASELINE_ANCS:
            raise RuleRefused(ErrorCode.BEN_BASELINE_INCOMPLETE)
        low = [a for a in ancs if not meets_initiation(a.anc, population)]
        if low:
            raise RuleRefused(
                ErrorCode.ENROLLMENT_ANC_NOT_ACCEPTABLE,
                f"Every baseline ANC must be at least {threshold:,}/µL for a BEN patient; "
                f"{low[0].anc} drawn {low[0].drawn.isoformat()} is below it.",
            )
        return
    if not ancs:
        raise RuleRefused(
            ErrorCode.ENROLLMENT_ANC_NOT_ACCEPTABLE,
            "Enrollment needs the patient's ANC. Add the most recent ANC from the lab report.",
        )
    latest = ancs[-1]  # validate_anc_entries gives them in draw-date order
    if not meets_initiation(latest.anc, population):
        raise RuleRefused(
            ErrorCode.ENROLLMENT_ANC_NOT_ACCEPTABLE,
            f"The most recent ANC ({latest.anc}) is below {threshold:,}/µL, the level needed to "
            "start clozapine. Enroll once an ANC at or above it is available.",
        )
