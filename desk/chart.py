"""A patient's chart as the window shows it: the summary, the ANC and status histories, the
forms on this workstation, notifications, and what is not at the registry yet."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.records import AncReport, Notification, StatusChange
from app.use_cases.patient_summary import PatientSummary, summarize_patient
from desk.forms import Form
from desk.outbox import OutboxItem, OutboxState
from desk.session import Session


@dataclass(frozen=True)
class ChartData:
    summary: PatientSummary
    ancs: tuple[AncReport, ...]
    status_history: tuple[StatusChange, ...]
    forms: list[Form]
    notifications: list[Notification]
    not_sent: list[OutboxItem]


def load_chart(session: Session, patient_id: str, today: date) -> ChartData:
    """One patient's chart, audited as a view of the patient."""
    chart = session.view_patient(patient_id)
    if chart is None:
        raise LookupError("This patient is not on this workstation any more.")
    ledger = session.ledger
    items = [
        i
        for i in session.outbox.items(
            OutboxState.QUEUED, OutboxState.SENDING, OutboxState.RETRY_WAIT, OutboxState.REJECTED
        )
        if i.subject == f"patient:{patient_id}"
    ]
    return ChartData(
        summarize_patient(ledger, patient_id, today),
        chart.ancs,
        chart.status_history,
        session.forms.for_patient(patient_id),
        list(ledger.notifications(patient_id)),
        items,
    )
