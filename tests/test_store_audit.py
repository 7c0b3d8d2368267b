"""The audit log's hash chain, and `clozapine-desk audit verify` catching each kind of
tampering: an edited row, a deleted row, swapped rows, a truncated tail."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest

from app.clock import ManualClock
from cli.main import main
from local_store.database import Database
from local_store.session import Session
from local_store.workstation import Workstation
from tests.conftest import PRESCRIBER_PASSWORD
from tests.support.store_world import CANARY_NAME, certify_office, enroll


@pytest.fixture
def busy_store(
    workstation: Workstation, prescriber_session: Session, store_clock: ManualClock
) -> Workstation:
    certify_office(prescriber_session, store_clock)
    for i in range(5):
        enroll(prescriber_session, store_clock, f"p{i}", f"Patient {i}", "1970-01-01")
        prescriber_session.view_patient(f"p{i}")
    prescriber_session.roster()
    prescriber_session.record_print("patient:p1", "Patient Status Form, draft")
    prescriber_session.record_export("roster", "CSV, 5 patients")
    assert prescriber_session.audit.verify().intact
    prescriber_session.sign_out()
    return workstation


def verify(
    workstation: Workstation, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(PRESCRIBER_PASSWORD + "\n"))
    code = main(["audit", "verify", "--email", "a.kim@clinic.example", "--password-stdin",
                 "--data-dir", str(workstation.folder)])  # fmt: skip
    return code, capsys.readouterr().out


def tamper(workstation: Workstation, sql: Callable[[Database], None]) -> int:
    """Go around the app with the database key: drop the append-only guards and edit.
    Returns the last entry's number before the edit."""
    session = workstation.sign_in("a.kim@clinic.example", PRESCRIBER_PASSWORD)
    db = session.db
    last = int(db.one("SELECT max(seq) FROM audit_log")[0])
    db.execute("DROP TRIGGER audit_log_no_update")
    db.execute("DROP TRIGGER audit_log_no_delete")
    sql(db)
    db.close()  # no sign-out entry: the tamperer leaves quietly
    return last


def test_an_intact_log_verifies(
    busy_store: Workstation, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = verify(busy_store, monkeypatch, capsys)
    assert code == 0
    assert "Audit log intact" in out


def test_every_view_change_print_export_and_sign_in_is_logged(busy_store: Workstation) -> None:
    session = busy_store.sign_in("a.kim@clinic.example", PRESCRIBER_PASSWORD)
    entries = session.audit.entries()
    kinds = {e.action for e in entries}
    assert {"account", "view", "print", "export", "sign_in", "sign_out"} <= kinds
    assert [e.subject for e in entries if e.action == "view"][:5] == [
        f"patient:p{i}" for i in range(5)
    ]
    # Entries name records by id, never by a patient's name.
    assert all(CANARY_NAME not in e.detail and "Patient 1" not in e.detail for e in entries)
    session.sign_out()


def test_the_audit_log_refuses_edits_through_sql(busy_store: Workstation) -> None:
    session = busy_store.sign_in("a.kim@clinic.example", PRESCRIBER_PASSWORD)
    with pytest.raises(Exception, match="append-only"):
        session.db.execute("UPDATE audit_log SET detail = 'x' WHERE seq = 2")
    with pytest.raises(Exception, match="append-only"):
        session.db.execute("DELETE FROM audit_log WHERE seq = 2")
    session.sign_out()


@pytest.mark.parametrize(
    ("name", "edit", "first_bad", "problem"),
    [
        (
            "edited row",
            lambda db: db.execute("UPDATE audit_log SET account_id = 'someone-else' WHERE seq = 4"),
            4,
            "altered",
        ),
        ("deleted row", lambda db: db.execute("DELETE FROM audit_log WHERE seq = 6"), 6, "missing"),
        (
            "swapped rows",
            lambda db: (
                db.execute(
                    "UPDATE audit_log SET seq = CASE seq WHEN 3 THEN -5 WHEN 5 THEN -3 END "
                    "WHERE seq IN (3, 5)"
                )
                and db.execute("UPDATE audit_log SET seq = -seq WHERE seq < 0")
            ),
            3,
            "altered",
        ),
        (
            "truncated tail",
            lambda db: db.execute(
                "DELETE FROM audit_log WHERE seq > (SELECT max(seq) - 3 FROM audit_log)"
            ),
            None,
            "missing",
        ),
    ],
)
def test_audit_verify_reports_the_first_bad_entry(
    busy_store: Workstation,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    name: str,
    edit: Callable[[Database], None],
    first_bad: int | None,
    problem: str,
) -> None:
    last = tamper(busy_store, edit)
    code, out = verify(busy_store, monkeypatch, capsys)
    assert code == 1, name
    expected = first_bad if first_bad is not None else last - 2  # the last three were cut
    assert f"BROKEN at entry #{expected}" in out
    assert problem in out
