"""Patient data is encrypted at rest: in the database, its WAL, temp files and backups."""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from app.clock import ManualClock
from app.roles import Role
from local_store import schema
from local_store.errors import (
    DeviceSecretMissing,
    KeyringUnavailable,
    StoreDamaged,
    UnknownAccount,
    WrongPassword,
)
from local_store.keys import FAST_KDF
from local_store.session import Session
from local_store.workstation import NewAccount, Workstation
from tests.conftest import PRESCRIBER_PASSWORD
from tests.support.store_world import (
    CANARIES,
    CANARY_ACCENTED,
    CANARY_DOB,
    CANARY_NAME,
    certify_office,
    enroll,
)


def all_bytes_under(folder: Path) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def assert_no_canary(files: dict[str, bytes]) -> None:
    for path, data in files.items():
        for canary in CANARIES:
            for encoding in ("utf-8", "utf-16-le", "utf-16-be"):
                assert canary.encode(encoding) not in data, f"{canary!r} found in {path}"


def test_names_and_dates_of_birth_are_in_no_file_the_store_writes(
    workstation: Workstation,
    prescriber_session: Session,
    store_clock: ManualClock,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    certify_office(prescriber_session, store_clock)
    enroll(prescriber_session, store_clock, "p-canary", CANARY_NAME, CANARY_DOB)
    enroll(prescriber_session, store_clock, "p-accent", CANARY_ACCENTED, "1970-02-03")
    for i in range(300):  # enough rows to sort, spill and grow the WAL
        enroll(prescriber_session, store_clock, f"p-{i}", f"{CANARY_NAME} {i}", CANARY_DOB)
    # Reads that sort (the roster) and a backup, while the WAL still holds the writes.
    rows = prescriber_session.roster(name_prefix="zeb", limit=500)
    assert len(rows) == 301
    wal = workstation.database_path.with_name("store.db-wal")
    assert wal.exists() and wal.stat().st_size > 0
    files = all_bytes_under(workstation.folder) | all_bytes_under(scratch)
    assert_no_canary(files)
    schema.backup(prescriber_session.db, schema.LATEST, store_clock.now())
    # The store really holds them: read back through the store, they are there.
    chart = prescriber_session.view_patient("p-canary")
    assert chart is not None and chart.patient.name == CANARY_NAME
    assert str(chart.patient.dob) == CANARY_DOB
    prescriber_session.sign_out()
    assert_no_canary(all_bytes_under(workstation.folder) | all_bytes_under(scratch))
    assert list((workstation.folder / "backups").iterdir())


def test_plain_sqlite_cannot_read_the_store(
    workstation: Workstation, prescriber_session: Session
) -> None:
    prescriber_session.sign_out()
    connection = sqlite3.connect(workstation.database_path)
    with pytest.raises(sqlite3.DatabaseError, match="not a database"):
        connection.execute("SELECT * FROM patients").fetchall()
    connection.close()


def test_a_wrong_password_says_so_and_opens_nothing(
    workstation: Workstation, prescriber_session: Session, store_clock: ManualClock
) -> None:
    certify_office(prescriber_session, store_clock)
    enroll(prescriber_session, store_clock, "p1", CANARY_NAME, CANARY_DOB)
    prescriber_session.sign_out()
    with pytest.raises(WrongPassword) as refused:
        workstation.sign_in("a.kim@clinic.example", "not my password at all")
    assert "not right" in str(refused.value)
    assert "4 more wrong attempts will lock the account for 30 minutes" in str(refused.value)
    assert CANARY_NAME not in str(refused.value)
    with pytest.raises(UnknownAccount):
        workstation.sign_in("nobody@clinic.example", PRESCRIBER_PASSWORD)
    # The right password still works and the data is there.
    session = workstation.sign_in("a.kim@clinic.example", PRESCRIBER_PASSWORD)
    assert [r.name for r in session.roster()] == [CANARY_NAME]
    session.sign_out()


def test_no_keyring_means_a_plain_explanation_and_no_store(
    tmp_path: Path, store_clock: ManualClock
) -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())  # type: ignore[no-untyped-call]  # keyring is unannotated
    try:
        workstation = Workstation(tmp_path / "desk", store_clock, kdf=FAST_KDF)
        with pytest.raises(KeyringUnavailable) as refused:
            workstation.create(
                NewAccount("a.kim@clinic.example", "Ana Kim", Role.PRESCRIBER),
                PRESCRIBER_PASSWORD,
            )
    finally:
        keyring.set_keyring(previous)
    message = str(refused.value)
    assert "no secure password store" in message
    assert "GNOME Keyring or KWallet" in message
    assert not (tmp_path / "desk" / "store.db").exists()
    assert not (tmp_path / "desk" / "workstation.json").exists()


def test_a_store_copied_without_this_users_keyring_does_not_open(
    workstation: Workstation, prescriber_session: Session, memory_keyring: object
) -> None:
    prescriber_session.sign_out()
    keyring.get_keyring().secrets.clear()  # type: ignore[attr-defined]
    with pytest.raises(DeviceSecretMissing, match="does not hold the key of this store"):
        workstation.sign_in("a.kim@clinic.example", PRESCRIBER_PASSWORD)


def test_a_hand_edited_workstation_file_is_not_trusted(
    workstation: Workstation, prescriber_session: Session
) -> None:
    prescriber_session.sign_out()
    text = workstation.file_path.read_text()
    workstation.file_path.write_text(text.replace('"failed_attempts": 0', '"failed_attempts": 1'))
    with pytest.raises(StoreDamaged, match="changed outside"):
        workstation.sign_in("a.kim@clinic.example", PRESCRIBER_PASSWORD)


def test_the_canary_scan_finds_names_in_an_unencrypted_file(tmp_path: Path) -> None:
    """The same writes to plain SQLite leave the names readable: the scan above can fail."""
    from datetime import UTC, datetime

    from app.anc import Population
    from app.records import Patient
    from app.statuses import MonitoringFrequency, TreatmentStatus
    from local_store.database import Database
    from local_store.ledger import StoreLedger

    db = Database.open(tmp_path / "plain.db", b"", plain=True)
    schema.migrate(db, lambda: datetime.now(UTC))
    day = datetime(2026, 1, 1).date()
    StoreLedger(db).save_patient(
        Patient("p", CANARY_NAME, day, Population.GENERAL, False, None,
                TreatmentStatus.ENROLLED, 1, day, MonitoringFrequency.WEEKLY, day)
    )  # fmt: skip
    db.close()
    with pytest.raises(AssertionError, match="Zebulon"):
        assert_no_canary(all_bytes_under(tmp_path))


def test_a_failed_first_run_leaves_nothing_behind(
    tmp_path: Path,
    store_clock: ManualClock,
    memory_keyring: object,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from local_store import workstation_file

    workstation = Workstation(tmp_path / "desk", store_clock, kdf=FAST_KDF)
    first = NewAccount("a.kim@clinic.example", "Ana Kim", Role.PRESCRIBER)

    def disk_full(*_: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(workstation_file, "write", disk_full)
    with pytest.raises(OSError, match="No space"):
        workstation.create(first, PRESCRIBER_PASSWORD)
    assert list((tmp_path / "desk").iterdir()) == []
    assert keyring.get_keyring().secrets == {}  # type: ignore[attr-defined]
    monkeypatch.undo()
    workstation.create(first, PRESCRIBER_PASSWORD).sign_out()  # and a second try works
