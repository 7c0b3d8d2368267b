"""A small clinic written through the encrypted store with the program's own use cases."""

from __future__ import annotations

from datetime import timedelta

from app.anc import Population
from app.clock import ManualClock
from app.entered_anc import EnteredAnc
from app.program import Program
from app.use_cases.enrollment import EnrollmentForm
from local_store.session import Session

# Strings that must never appear in any file the store writes.
CANARY_NAME = "Zebulon Quixwright-Canary"
CANARY_DOB = "1961-04-17"
CANARY_ACCENTED = "José Núñez-Ölçer"
CANARIES = (CANARY_NAME, "Quixwright", CANARY_DOB, "19610417", CANARY_ACCENTED, "Núñez")


def program_for(session: Session, clock: ManualClock) -> Program:
    return Program(session.ledger, clock)


def certify_office(session: Session, clock: ManualClock) -> Program:
    """The signed-in prescriber is certified in the program (their account id is their id)."""
    program = program_for(session, clock)
    with session.transaction():
        program.certify_prescriber(session.account.id, "1234567893", session.account.name)
    return program


def enroll(
    session: Session,
    clock: ManualClock,
    patient_id: str,
    name: str,
    dob: str,
    anc: int = 2100,
) -> None:
    program = program_for(session, clock)
    drawn = (clock.today() - timedelta(days=1)).isoformat()
    with session.transaction():
        program.enroll_patient(
            session.account.id,
            EnrollmentForm(patient_id, name, dob, Population.GENERAL, (EnteredAnc(anc, drawn),)),
        )
