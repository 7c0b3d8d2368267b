"""A prescriber's patient list: removing a patient from it (rules.md §4)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from app.ports import ProgramLedger
from app.records import Patient
from app.roles import Action
from app.use_cases.access import office_actor, patient_in_scope


def deactivate_patient(
    ledger: ProgramLedger, today: date, actor_id: str, patient_id: str
) -> Patient:
    """Remove the association with the prescriber; the enrollment and status stay."""
    actor = office_actor(ledger, actor_id, Action.DEACTIVATE_PATIENT)
    patient = patient_in_scope(ledger, actor, patient_id)
    removed = replace(patient, prescriber_id=None)
    ledger.save_patient(removed)
    return removed
