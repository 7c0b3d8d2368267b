"""An office's encrypted store with a few enrolled patients, and lab results planned and
recorded through its session as the review screen does (tests of the lab import)."""

from __future__ import annotations

from app.clock import ManualClock
from app.lab_results import LabResult
from app.use_cases.lab_import import PlannedRow
from local_store.outbox import OutboxKind, OutboxState
from local_store.session import Session
from tests.support.store_world import certify_office, enroll


def office_with(
    session: Session, clock: ManualClock, patients: list[tuple[str, str, str]]
) -> Session:
    """The signed-in prescriber certified, and (id, name, date of birth) enrolled."""
    certify_office(session, clock)
    for patient_id, name, dob in patients:
        enroll(session, clock, patient_id, name, dob)
    return session


def plan(session: Session, *results: LabResult) -> list[PlannedRow]:
    planner = session.lab_import_planner()
    return [planner.plan(r) for r in results]


def record(session: Session, rows: list[PlannedRow], name: str = "acme.hl7") -> list[str]:
    """Every row the desk would record, accepted: the outbox items queued."""
    return session.record_lab_results(name, rows, [r for r in rows if r.action.records]).queued


def queued_ancs(session: Session) -> list[dict[str, object]]:
    """The ANCs waiting in the outbox, as queued."""
    items = session.outbox.items(OutboxState.QUEUED)
    return [i.payload for i in items if i.kind == OutboxKind.REPORT_ANC.value]
