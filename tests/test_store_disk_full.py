"""A disk that cannot take the write: a clear error, and the last committed state intact.

The child process gets a file-size limit (RLIMIT_FSIZE) just above the store's current
size, as a full disk would give it, and tries a large transaction."""

from __future__ import annotations

import os
import resource
import signal

from app.anc import Population
from app.clock import ManualClock
from app.records import Patient
from app.statuses import MonitoringFrequency, TreatmentStatus
from local_store.database import Database
from local_store.errors import StoreWriteFailed
from local_store.session import Session
from local_store.workstation import Workstation
from tests.conftest import PRESCRIBER_PASSWORD
from tests.support.store_world import certify_office, enroll


def patient(n: int) -> Patient:
    from datetime import date

    day = date(2026, 3, 1)
    return Patient(f"bulk-{n}", f"Bulk Patient {n} " + "x" * 200, date(1970, 1, 1),
                   Population.GENERAL, False, "dr-kim", TreatmentStatus.ENROLLED, 1, day,
                   MonitoringFrequency.WEEKLY, day)  # fmt: skip


def test_a_full_disk_gives_a_clear_error_and_keeps_what_was_saved(
    workstation: Workstation, prescriber_session: Session, store_clock: ManualClock
) -> None:
    certify_office(prescriber_session, store_clock)
    enroll(prescriber_session, store_clock, "p1", "Lee Park", "1970-01-01")
    data_key = prescriber_session._data_key
    assert data_key is not None
    prescriber_session.sign_out()
    files = [workstation.database_path, workstation.database_path.with_name("store.db-wal")]
    limit = max(p.stat().st_size for p in files if p.exists()) + 64 * 1024

    read_fd, write_fd = os.pipe()
    child = os.fork()
    if child == 0:
        code = 1
        try:
            os.close(read_fd)
            session = workstation.sign_in("a.kim@clinic.example", PRESCRIBER_PASSWORD)
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a failed write, not a dead process
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
            try:
                with session.transaction():
                    for n in range(5000):
                        session.ledger.save_patient(patient(n))
                os.write(write_fd, b"SAVED")
            except StoreWriteFailed as error:
                os.write(write_fd, str(error).encode())
                # The session is still usable for reading after the failure.
                rows = session.roster()
                os.write(write_fd, f"|rows={len(rows)}".encode())
            code = 0
        finally:
            os._exit(code)
    os.close(write_fd)
    _, status = os.waitpid(child, 0)
    message = os.read(read_fd, 65536).decode()
    os.close(read_fd)
    assert os.WEXITSTATUS(status) == 0, message
    assert message.startswith("The change was not saved"), message
    assert "Free some disk space" in message
    assert "Everything saved before is intact" in message
    assert message.endswith("|rows=1")

    db = Database.open(workstation.database_path, data_key)
    assert db.one("PRAGMA integrity_check")[0] == "ok"
    assert db.execute("PRAGMA cipher_integrity_check").fetchall() == []
    assert db.one("SELECT count(*) FROM patients WHERE id LIKE 'bulk-%'")[0] == 0
    assert db.one("SELECT name FROM patients WHERE id = 'p1'")[0] == "Lee Park"
    db.close()
