"""Enrolling a patient: a new enrollment, a re-enrollment, or a transfer (rules.md §4)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import date

from app import thresholds as t
from app.anc import Population, initiation_threshold, meets_initiation
from app.dates import parse_date
from app.errors import ErrorCode, InvalidEntry, RuleRefused
from app.ports import ProgramLedger
from app.psf import AncEntry
from app.records import Patient, PsfRecord
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
    ancs: tuple[AncEntry, ...]
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

    A patient who is enrolled or interrupted under any prescriber (or on no list) is
    transferred: the ANCs are recorded as reports, with no initiation threshold, and the
    enrollment number is kept, so the next dispense is not a "first dispense" [D].
    """
    special = form.population is Population.BEN or form.hospice
    actions = [Action.ENROLL_PATIENT] + ([Action.SET_BEN_OR_HOSPICE] if special else [])
    actor = office_actor(ledger, actor_id, *actions)
    dob = parse_date(form.dob)
    if dob > today:
        raise InvalidEntry(ErrorCode.INVALID_DATE, "The date of birth cannot be in the future.")
    if not form.name.strip():
        raise InvalidEntry(ErrorCode.MISSING_FIELD, "Enter the patient's name.")
    ancs = validate_anc_entries(form.ancs, today, dob)
    if not ancs:
        raise RuleRefused(
            ErrorCode.ENROLLMENT_ANC_NOT_ACCEPTABLE,
            "Enrollment needs the patient's ANC. Add the most recent ANC from the lab report.",
        )
    prescriber_id = actor.prescriber_id
    existing = ledger.patient(form.patient_id)
    transfer = existing is not None and existing.treatment_status in (
        TreatmentStatus.ENROLLED,
        TreatmentStatus.INTERRUPTED,
    )
    if existing is not None and transfer:
        changes = PatientChanges(ledger, existing, today, actor_id)
        changes.apply(
            replace(
                existing,
                prescriber_id=prescriber_id,
                population=form.population,
                hospice=form.hospice,
                monitoring=form.monitoring,
            )
        )
        for entry in ancs:
            changes.report_anc(entry, AncSource.ENROLLMENT)
    else:
        _check_initiation(form.population, ancs)
        patient = Patient(
            id=form.patient_id,
            name=form.name.strip(),
            dob=dob,
            population=form.population,
            hospice=form.hospice,
            prescriber_id=prescriber_id,
            treatment_status=TreatmentStatus.ENROLLED,
            enrollment_id=(existing.enrollment_id + 1) if existing else 1,
            enrolled_on=today,
            monitoring=form.monitoring,
            monitoring_clock_start=today,
        )
        changes = PatientChanges(ledger, patient, today, actor_id)
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
            submitted_by=actor_id,
            is_enrollment=True,
            ben=form.population is Population.BEN,
            hospice=form.hospice,
        )
    )
    return EnrollmentResult(changes.patient, transfer, changes.notification_codes)


def _check_initiation(population: Population, ancs: list[ValidAnc]) -> None:
    """General: the most current ANC at or above 1500. BEN: two baseline ANCs, each 1000+."""
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
    latest = ancs[-1]
    if not meets_initiation(latest.anc, population):
        raise RuleRefused(
            ErrorCode.ENROLLMENT_ANC_NOT_ACCEPTABLE,
            f"The most recent ANC ({latest.anc}) is below {threshold:,}/µL, the level needed to "
            "start clozapine. Enroll once an ANC at or above it is available.",
        )
