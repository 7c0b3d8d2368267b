"""Add ANC: the office reports a lab result between status forms (rules.md §1, §3, §5)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.entered_anc import EnteredAnc
from app.ports import ProgramLedger
from app.roles import Action
from app.statuses import AncSource, NotificationCode, TreatmentStatus
from app.use_cases.access import office_actor, patient_in_scope
from app.use_cases.entries import validate_anc_entry
from app.use_cases.patient_changes import PatientChanges


@dataclass(frozen=True)
class AncReportResult:
    treatment_status: TreatmentStatus
    notifications: tuple[NotificationCode, ...]


def report_anc(
    ledger: ProgramLedger, today: date, actor_id: str, patient_id: str, entry: EnteredAnc
) -> AncReportResult:
    """Record an ANC for a patient on the actor's list; it may interrupt treatment."""
    actor = office_actor(ledger, actor_id, Action.REPORT_ANC)
    patient = patient_in_scope(ledger, actor, patient_id)
    valid = validate_anc_entry(entry, today, patient.dob)
    changes = PatientChanges(ledger, patient, today, actor_id)
    changes.report_anc(valid, AncSource.ADD_ANC)
    changes.commit()
    return AncReportResult(changes.patient.treatment_status, changes.notification_codes)
