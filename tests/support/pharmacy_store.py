"""A pharmacy's workstation as its sync would have left it: an Authorized Representative's
account and a snapshot with one patient in each state a pharmacist meets (§8), written by
the program's own use cases on the days they happened. Used by the pharmacy window's tests
and by scripts/screenshots.py."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path

from app.anc import Population
from app.clock import ManualClock
from app.entered_anc import EnteredAnc
from app.program import Program
from app.psf import PsfSubmission
from app.roles import Role
from app.statuses import MonitoringFrequency, PharmacySetting, TreatmentStatus
from app.use_cases.enrollment import EnrollmentForm
from desk.shell import Desk, DeskConfig
from local_store.keys import FAST_KDF
from local_store.sync_state import SyncState
from local_store.workstation import NewAccount

AR = ("ari.shah@mainstreet.example", "amber lighthouse ninety")
TODAY = date(2024, 2, 10)
LAST_SYNC = datetime(2024, 2, 10, 14, 2).astimezone()
BORN = "1980-05-06"
UNREACHABLE = "https://127.0.0.1:9"  # nothing answers there: the workstation is offline
PATIENTS = {
    "p_ok": "Alma Okonjo",  # eligible (a first dispense)
    "p_int": "Ivan Ilyin",  # moderate ANC: interrupted, needs a Treatment Rationale
    "p_disc": "Dora Duval",  # discontinued
    "p_psf": "Pavel Petrov",  # no PSF in 37 days
    "p_labs": "Lina Larsen",  # missing labs not authorized
}


def build_pharmacy_desk(folder: Path) -> Desk:
    clock = ManualClock(datetime(2024, 1, 2, 9, tzinfo=UTC))
    desk = Desk(folder, clock, kdf=FAST_KDF)
    desk.save_config(DeskConfig(UNREACHABLE))
    session = desk.workstation.create(
        NewAccount(AR[0], "Ari Shah", Role.PHARMACY_AR, pharmacy_id="rx", id="ar_rx"), AR[1]
    )
    program = Program(session.ledger, clock)

    def act(day: str, do: Callable[[], object]) -> None:
        moment = datetime.fromisoformat(day).replace(hour=9, tzinfo=UTC)
        clock.advance(moment - clock.now())
        session.touch()  # days pass between these acts; the session is not idle for them
        with session.transaction():
            do()

    act("2024-01-02", lambda: program.certify_prescriber("dr_a", "1234567893", "Dr. Amal Reyes"))
    act("2024-01-02", lambda: program.register_prescriber("dr_u", "1558598797", "Dr. Ugo Ulm"))
    act("2024-01-02", lambda: program.add_designee("dr_a", "des", "Dee Signee"))
    act("2024-01-02", lambda: program.add_account("op", Role.PROGRAM_OPERATOR, "Contact Center"))
    outpatient = PharmacySetting.OUTPATIENT
    act("2024-01-02", lambda: program.certify_pharmacy("rx", outpatient, "ar_rx", "Main Street"))
    for pid, name in PATIENTS.items():
        form = EnrollmentForm(
            pid, name, BORN, Population.GENERAL, (EnteredAnc(2100, "2024-01-02"),)
        )
        act("2024-01-03", partial(program.enroll_patient, "dr_a", form))
    for pid in ("p_int", "p_psf", "p_labs"):  # dispensed once: no longer a first dispense
        act("2024-01-04", partial(program.request_rda, "ar_rx", "rx", pid, "dr_a"))
    discontinue = PsfSubmission(
        "p_disc",
        MonitoringFrequency.WEEKLY,
        (EnteredAnc(2000, "2024-01-30"),),
        treatment_status=TreatmentStatus.DISCONTINUED,
    )
    act("2024-01-31", lambda: program.submit_psf("dr_a", discontinue))
    gap = PsfSubmission("p_labs", MonitoringFrequency.WEEKLY, (EnteredAnc(2000, "2024-01-10"),))
    act("2024-02-01", lambda: program.submit_psf("des", gap))  # labs missing, not authorized
    act("2024-02-09", lambda: program.report_anc("dr_a", "p_int", EnteredAnc(800, "2024-02-09")))
    clock.advance(datetime(2024, 2, 10, 9, tzinfo=UTC) - clock.now())
    session.touch()
    SyncState(session.db).advance("42", LAST_SYNC)  # the registry's facts as of 14:02
    session.sign_out()
    return desk
