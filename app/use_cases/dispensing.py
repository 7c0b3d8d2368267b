"""Requesting a REMS Dispense Authorization (rules.md §8)."""

from __future__ import annotations

from datetime import date

from app.entered_anc import EnteredAnc
from app.errors import AccessRefused, ErrorCode
from app.ports import ProgramLedger
from app.rda import RdaDecision, evaluate_rda
from app.records import Dispense
from app.roles import Action
from app.statuses import AncSource, DispenseVia, PharmacySetting
from app.use_cases.access import pharmacy_actor
from app.use_cases.entries import validate_anc_entry
from app.use_cases.patient_changes import PatientChanges


def request_rda(
    ledger: ProgramLedger,
    today: date,
    actor_id: str,
    pharmacy_id: str,
    patient_id: str,
    prescriber_id: str,
    anc: EnteredAnc | None = None,
) -> RdaDecision:
    """The registry's decision, recorded: an authorized RDA counts as a dispense.

    An inpatient pharmacy may send an ANC with the request; it is recorded first (it may
    notify and interrupt) and the checks then see it.
    """
    _, pharmacy = pharmacy_actor(ledger, actor_id, pharmacy_id, Action.REQUEST_RDA)
    if anc is not None:
        if pharmacy.setting is not PharmacySetting.INPATIENT:
            raise AccessRefused(
                ErrorCode.NOT_PERMITTED,
                "Only inpatient pharmacies send an ANC with an RDA request. An outpatient "
                "pharmacy reports an ANC with a Dispense Rationale.",
            )
        patient = ledger.patient(patient_id)
        if patient is not None:
            valid = validate_anc_entry(anc, today, patient.dob)
            changes = PatientChanges(ledger, patient, today, actor_id)
            changes.report_anc(valid, AncSource.RDA_REQUEST)
            changes.commit()
    decision = evaluate_rda(ledger, pharmacy_id, patient_id, prescriber_id, today)
    patient = ledger.patient(patient_id)
    if decision.authorized and patient is not None:
        ledger.add_dispense(
            Dispense(
                patient_id=patient_id,
                pharmacy_id=pharmacy_id,
                pharmacy_setting=pharmacy.setting,
                on=today,
                enrollment_id=patient.enrollment_id,
                via=DispenseVia.RDA,
                requested_by=actor_id,
            )
        )
    return decision
