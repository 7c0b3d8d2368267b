"""Crash safety: a process writing through the store is SIGKILLed at 200+ random moments.
After each kill the store opens, both integrity checks are clean, the audit chain is
intact, and every write the process reported as committed is there.

The random moment is counted from the writer's "ready" (signed in), not from its start: on
a loaded machine sign-in alone can outlast the window, and a kill then tests nothing."""

from __future__ import annotations

import os
import random
import select
import signal
import time

from local_store.audit import AuditLog
from local_store.database import Database
from local_store.session import Session
from local_store.workstation import Workstation
from tests.conftest import PRESCRIBER_PASSWORD
from tests.support.crash_writer import READY, write_until_killed

KILLS = 200
READY_TIMEOUT = 60.0  # seconds for a fork to sign in, however loaded the machine


def wait_until_ready(fd: int, kill: int) -> bytes:
    """Read until the writer's READY line; returns what came after it (reports, perhaps)."""
    data = b""
    deadline = time.monotonic() + READY_TIMEOUT
    while READY not in data:
        left = deadline - time.monotonic()
        ready, _, _ = select.select([fd], [], [], max(left, 0))
        assert ready, f"kill {kill}: the writer did not sign in within {READY_TIMEOUT} s"
        chunk = os.read(fd, 65536)
        assert chunk, f"kill {kill}: the writer stopped before it was ready"
        data += chunk
    return data.split(READY, 1)[1]


def read_reports(fd: int, data: bytes) -> list[int]:
    """The commits reported after READY; call once the writer is dead (reads to the end)."""
    while chunk := os.read(fd, 65536):
        data += chunk
    # A line is only a report once its newline arrived.
    return [int(line) for line in data.split(b"\n")[:-1]]


def test_sigkill_at_random_moments_loses_no_committed_write(
    workstation: Workstation, prescriber_session: Session
) -> None:
    data_key = prescriber_session._data_key
    audit_key = prescriber_session._audit_key
    assert data_key is not None
    prescriber_session.sign_out()  # the parent holds no connection across fork()
    rng = random.Random(20261125)
    committed: list[int] = []
    kills_after_a_commit = 0
    for kill in range(KILLS):
        read_fd, write_fd = os.pipe()
        child = os.fork()
        if child == 0:  # the writer
            os.close(read_fd)
            write_until_killed(
                workstation, "a.kim@clinic.example", PRESCRIBER_PASSWORD, kill * 100_000, write_fd
            )
        os.close(write_fd)
        try:
            early = wait_until_ready(read_fd, kill)
        except AssertionError:
            os.kill(child, signal.SIGKILL)  # a writer left running would write forever
            os.waitpid(child, 0)
            raise
        time.sleep(rng.uniform(0.0, 0.04))
        os.kill(child, signal.SIGKILL)
        _, status = os.waitpid(child, 0)
        assert os.WIFSIGNALED(status), f"kill {kill}: the writer stopped on its own ({status})"
        reported = read_reports(read_fd, early)
        os.close(read_fd)
        kills_after_a_commit += bool(reported)
        committed += reported

        db = Database.open(workstation.database_path, data_key)
        assert db.one("PRAGMA integrity_check")[0] == "ok", f"after kill {kill}"
        assert db.execute("PRAGMA cipher_integrity_check").fetchall() == [], f"after kill {kill}"
        if reported:
            marks = ",".join("?" for _ in reported)
            ids = [f"crash-{n}" for n in reported]
            found = db.one(f"SELECT count(*) FROM patients WHERE id IN ({marks})", ids)[0]
            ancs = db.one(f"SELECT count(*) FROM anc_results WHERE patient_id IN ({marks})", ids)[0]
            items = db.one(
                f"SELECT count(*) FROM outbox WHERE id IN ({marks})",
                [f"item-{n}" for n in reported],
            )[0]
            assert (found, ancs, items) == (len(reported),) * 3, f"after kill {kill}"
        db.close()

    # Nothing half-written anywhere: each patient has exactly its ANC and its outbox item.
    db = Database.open(workstation.database_path, data_key)
    patients = db.one("SELECT count(*) FROM patients WHERE id LIKE 'crash-%'")[0]
    assert db.one("SELECT count(*) FROM anc_results WHERE patient_id LIKE 'crash-%'")[0] == patients
    assert db.one("SELECT count(*) FROM outbox WHERE id LIKE 'item-%'")[0] == patients
    assert patients >= len(committed)
    assert AuditLog(db, audit_key).verify().intact
    db.close()
    print(
        f"\n{KILLS} kills, {kills_after_a_commit} after a commit, {len(committed)} commits checked"
    )
    assert kills_after_a_commit >= KILLS // 2, "most kills should land after some commits"
    assert len(committed) >= KILLS
