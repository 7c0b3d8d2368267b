"""An office's encrypted store with a few enrolled patients, and lab results planned and
recorded through its session as the review screen does (tests of the lab import)."""

from __future__ import annotations

from datetime import date

from app.clock import ManualClock
from app.lab_results import LabResult
from app.use_cases.lab_import import PlannedRow
from local_store.outbox import OutboxKind, OutboxState
from local_store.session import Session
from tests.support.store_world import certify_office, enroll


def acme_result(patient_name: str, dob: date, mrn: str, accession: str) -> LabResult:
    """A final ANC of 1.9 x10^3/uL drawn on 14 January 2026, as the ACME lab's HL7 file
    gives it (its first message's first OBX), for the patient and specimen named."""
    return LabResult(
        patient_name=patient_name,
        dob=dob,
        code="751-8",
        value="1.9",
        unit="10*3/uL",
        collected=date(2026, 1, 14),
        status="F",
        source="acme.hl7, message 1, OBX 1",
        mrn=mrn,
        accession=accession,
        lab="ACME",
    )


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
