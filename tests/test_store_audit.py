"""The audit log's hash chain, and `clozapine-desk audit verify` catching each kind of
tampering: an edited row, a deleted row, swapped rows, a truncated tail, a tail cut with its
head rewritten to match, a wiped log, a deleted head; and signing in after each."""

from __future__ import annotations

import io
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from app.clock import ManualClock
from cli.main import main
from local_store import keys, schema
from local_store.audit import AuditAction, AuditLog, Watch
from local_store.database import Database
from local_store.session import Session
from local_store.workstation import Workstation
from tests.conftest import PRESCRIBER_PASSWORD
from tests.fixtures.make_store_fixtures import FIXTURE_KEY, fixture_path
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
    if first_bad is not None:
        assert f"DAMAGED at entry #{first_bad}" in out
    else:  # the last three were cut: the sign-in found it and recorded it
        assert f"entries #{last - 2} to #{last} are missing" in out
    assert problem in out


def cut_tail_and_rewrite_head(db: Database) -> None:
    """The hole this closes: cut the last entries, then copy the new last entry's stored MAC
    into the head, as an unkeyed head would have allowed."""
    db.execute("DELETE FROM audit_log WHERE seq > (SELECT max(seq) - 3 FROM audit_log)")
    db.execute(
        "UPDATE audit_head SET (seq, mac) = (SELECT seq, mac FROM audit_log ORDER BY seq DESC "
        "LIMIT 1)"
    )


def wipe(db: Database) -> None:
    db.execute("DELETE FROM audit_log")
    db.execute("DELETE FROM audit_head")


def test_a_cut_tail_with_its_head_rewritten_to_match_is_damage(
    busy_store: Workstation, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    last = tamper(busy_store, cut_tail_and_rewrite_head)
    code, out = verify(busy_store, monkeypatch, capsys)
    assert code == 1
    assert "Audit log DAMAGED" in out
    assert f"does not match its last entry (#{last - 3})" in out
    assert "tell your privacy officer" in out


def test_a_wiped_log_is_damage(
    busy_store: Workstation, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    tamper(busy_store, wipe)
    code, out = verify(busy_store, monkeypatch, capsys)
    assert code == 1
    assert "Audit log DAMAGED" in out
    assert "every entry was removed" in out


def test_signing_in_after_the_head_row_was_deleted_works_and_tells_the_person(
    busy_store: Workstation, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    last = tamper(busy_store, lambda db: db.execute("DELETE FROM audit_head"))
    session = busy_store.sign_in("a.kim@clinic.example", PRESCRIBER_PASSWORD)
    assert len(session.audit_damage) == 1
    assert "head record is gone" in session.audit_damage[0]
    assert f"ends at entry #{last}" in session.audit_damage[0]
    session.roster()  # work goes on, on a chain continued from the finding
    session.sign_out()
    again = busy_store.sign_in("a.kim@clinic.example", PRESCRIBER_PASSWORD)
    assert again.audit_damage == []  # found once, recorded once
    again.sign_out()
    code, out = verify(busy_store, monkeypatch, capsys)
    assert code == 1
    assert f"recorded as entry #{last + 1}" in out
    assert "head record is gone" in out


@pytest.mark.parametrize("edit", [cut_tail_and_rewrite_head, wipe], ids=["rewritten", "wiped"])
def test_the_person_signing_in_is_told_of_the_damage_found(
    busy_store: Workstation, edit: Callable[[Database], None]
) -> None:
    tamper(busy_store, edit)
    session = busy_store.sign_in("a.kim@clinic.example", PRESCRIBER_PASSWORD)
    assert session.audit_damage and "privacy officer" not in session.audit_damage[0]
    finding = session.audit.latest(AuditAction.AUDIT_DAMAGE, 1)[0]
    assert (finding.account_id, finding.detail) == ("dr-kim", session.audit_damage[0])
    report = session.audit.verify()
    assert not report.intact and report.findings == (finding,)
    session.sign_out()


def test_an_older_store_gets_a_keyed_head_at_its_first_write_and_a_rewrite_after_shows(
    tmp_path: Path, store_clock: ManualClock
) -> None:
    """A v5 store's entries and head were written before heads were keyed: its chain is
    checked, then its head is keyed, so copying an entry's MAC into the head no longer passes."""
    path = tmp_path / "store.db"
    shutil.copy(fixture_path(5), path)
    db = Database.open(path, FIXTURE_KEY)
    schema.migrate(db, store_clock.now)
    key = keys.derive(FIXTURE_KEY, "audit")
    log = AuditLog(db, key, Watch("dr-a", store_clock.now))
    assert log.verify().intact  # an older store, as that version left it
    for subject in ("dr-a", "roster", "patient:p1"):
        log.record(store_clock.now(), "dr-a", AuditAction.VIEW, subject)
    assert log.found == []
    assert [e.action for e in log.entries()][2:] == ["audit_head_keyed", "view", "view", "view"]
    assert log.verify().intact
    db.execute("DROP TRIGGER audit_log_no_delete")
    cut_tail_and_rewrite_head(db)
    report = AuditLog(db, key).verify()
    assert not report.intact
    assert "does not match its last entry (#3)" in report.problem
    db.close()
