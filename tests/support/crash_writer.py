"""A child process that writes through the store and reports each commit on a pipe.

Used by the crash test: the parent forks, waits for the child's "ready" (signed in), lets it
write, SIGKILLs it at a random moment, then checks that every commit the child reported is
in the store."""

from __future__ import annotations

import os
from datetime import date

from app.anc import Anc, Population
from app.records import AncReport, Patient
from app.statuses import AncSource, MonitoringFrequency, TreatmentStatus
from local_store.audit import AuditAction
from local_store.workstation import Workstation

# Said once signed in: the kill window starts here, not during sign-in (Argon2id), which on a
# loaded machine can take longer than the whole window.
READY = b"ready\n"


def write_until_killed(
    workstation: Workstation, email: str, password: str, first: int, report_fd: int
) -> None:
    """Never returns: writes patient after patient (each with an ANC, an outbox item and an
    audit entry, in one transaction) and writes "<n>\\n" to `report_fd` after each commit,
    after a first READY once signed in."""
    try:
        session = workstation.sign_in(email, password)
        os.write(report_fd, READY)
        ledger = session.ledger
        day = date(2026, 3, 1)
        n = first
        while True:
            pid = f"crash-{n}"
            with session.transaction():
                ledger.save_patient(
                    Patient(pid, f"Crash Patient {n}", date(1970, 1, 1), Population.GENERAL,
                            False, "dr-kim", TreatmentStatus.ENROLLED, 1, day,
                            MonitoringFrequency.WEEKLY, day)
                )  # fmt: skip
                ledger.add_anc(
                    AncReport(pid, Anc(1500 + n % 1000), day, day, AncSource.ADD_ANC, "dr-kim")
                )
                session.outbox.enqueue(
                    f"item-{n}", "report_anc", f"patient:{pid}", {"n": n}, workstation.clock.now()
                )
                session.audit.record(
                    workstation.clock.now(), session.account.id, AuditAction.CREATE, pid
                )
            os.write(report_fd, f"{n}\n".encode())
            n += 1
    finally:
        os._exit(3)
