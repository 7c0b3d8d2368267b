"""Submitting a Patient Status Form (rules.md §6), all or nothing."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import date

from app.anc import Population
from app.errors import AccessRefused, ErrorCode, RuleRefused
from app.ports import ProgramLedger
from app.psf import PsfSubmission, acts_needing_prescriber, labs_missing, reporting_period
from app.records import Account, PsfRecord
from app.roles import Action, Role
from app.statuses import AncSource, NotificationCode, TreatmentStatus
from app.treatment import discontinue, interrupt, resume
from app.use_cases.access import check_claimed_signer, office_actor, patient_in_scope
from app.use_cases.entries import validate_anc_entries
from app.use_cases.patient_changes import PatientChanges


@dataclass(frozen=True)
class PsfResult:
    psf: PsfRecord
    treatment_status: TreatmentStatus
    labs_missing: bool
    notifications: tuple[NotificationCode, ...]


def submit_psf(ledger: ProgramLedger, today: date, actor_id: str, form: PsfSubmission) -> PsfResult:
    """Apply a PSF in its order of effect: BEN/hospice flags, then the ANCs in draw-date order
    (each may interrupt), then the treatment status request. A request that rules.md §3 does
    not allow rejects the whole form and records nothing."""
    actor = office_actor(ledger, actor_id, Action.SUBMIT_PSF, Action.SET_MONITORING)
    check_claimed_signer(ledger, actor, form.signed_by)
    patient = patient_in_scope(ledger, actor, form.patient_id)
    ancs = validate_anc_entries(form.ancs, today, patient.dob)
    signer = _signer(actor, form, acts_needing_prescriber(form, patient))
    requested = form.requested_status
    if patient.treatment_status is TreatmentStatus.DISCONTINUED and requested in (
        TreatmentStatus.ENROLLED,
        TreatmentStatus.INTERRUPTED,
    ):
        raise RuleRefused(ErrorCode.REENROLLMENT_REQUIRED)

    changes = PatientChanges(ledger, patient, today, actor_id)
    flagged = patient
    if form.ben is not None:
        flagged = replace(flagged, population=Population.BEN if form.ben else Population.GENERAL)
    if form.hospice is not None:
        flagged = replace(flagged, hospice=form.hospice)
    if form.has_rationale:
        # The rationale covers the ANCs reported up to this form, its own included, so they
        # keep the patient enrolled and the clock runs on (rules.md §13 R6, R7).
        flagged = replace(flagged, rationale_through=today)
    changes.apply(flagged)
    # The form lists the period's ANCs, most already reported one by one (Add ANC, a lab's
    # report): one already on file (same draw date and value) is that report, not a new one.
    on_file = {(r.drawn, r.anc.per_ul) for r in changes.history}
    for entry in ancs:
        if (entry.drawn, entry.anc.per_ul) not in on_file:
            changes.report_anc(entry, AncSource.PSF)

    current = changes.patient
    if requested is TreatmentStatus.ENROLLED and current.treatment_status is (
        TreatmentStatus.INTERRUPTED
    ):
        changes.apply(*resume(current, changes.most_current, form.has_rationale, today))
    elif requested is TreatmentStatus.INTERRUPTED and current.treatment_status is (
        TreatmentStatus.ENROLLED
    ):
        changes.apply(*interrupt(current, today))
    elif requested is TreatmentStatus.DISCONTINUED and current.treatment_status is not (
        TreatmentStatus.DISCONTINUED
    ):
        changes.apply(*discontinue(current))
    changes.apply(replace(changes.patient, monitoring=form.monitoring))

    previous = ledger.latest_psf(patient.id)
    previous_date = previous.dated if previous is not None else patient.enrolled_on
    start, end = reporting_period(previous_date, today)
    missing = labs_missing(
        (r.drawn for r in changes.history), start, end, form.monitoring, changes.patient.hospice
    )
    psf = PsfRecord(
        id=uuid.uuid4().hex,
        patient_id=patient.id,
        dated=today,
        monitoring=form.monitoring,
        labs_missing=missing,
        missing_labs_authorized=form.authorize_missing_labs,
        submitted_by=actor_id,
        signed_by=signer,
        requested_status=form.treatment_status,
        treatment_rationale=form.treatment_rationale if form.has_rationale else None,
        ben=form.ben,
        hospice=form.hospice,
        adverse_event=form.adverse_event,
    )
    changes.commit()
    ledger.add_psf(psf)
    return PsfResult(psf, changes.patient.treatment_status, missing, changes.notification_codes)


_ACT_WORDS = {Action.RESUME_AFTER_SEVERE_ANC: "resuming after a severe ANC, a rechallenge"}


def _signer(actor: Account, form: PsfSubmission, needs: list[Action]) -> str | None:
    """Who signs: the prescriber themselves, or the prescriber who signed a designee's draft
    (check_claimed_signer has refused any other). A designee's form that needs the
    prescriber and lacks that signature is refused."""
    if actor.role is Role.PRESCRIBER:
        return actor.id
    signer = form.signed_by if form.signed_by and form.signed_by != actor.id else None
    if needs and signer is None:
        named = ", ".join(_ACT_WORDS.get(a, a.value.replace("_", " ")) for a in needs)
        raise AccessRefused(
            ErrorCode.PRESCRIBER_SIGNATURE_REQUIRED,
            f"This form needs the prescriber's signature ({named}). Send it to the prescriber "
            "to review and sign; it is kept as a draft.",
        )
    return signer
