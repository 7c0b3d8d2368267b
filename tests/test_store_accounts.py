"""Workstation accounts: passwords, lock-out, idle lock, password change, who may add whom."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from app.clock import ManualClock
from app.errors import AccessRefused
from app.passwords import password_problem
from app.roles import Role
from local_store.audit import AuditAction
from local_store.errors import (
    AccountLocked,
    AccountProblem,
    SessionLocked,
    UnknownAccount,
    WrongPassword,
)
from local_store.keys import FAST_KDF
from local_store.session import Session
from local_store.workstation import NewAccount, Workstation
from tests.conftest import DESIGNEE_PASSWORD, PRESCRIBER_PASSWORD
from tests.support.memory_keyring import MemoryKeyring

EMAIL = "a.kim@clinic.example"


@pytest.mark.parametrize(
    ("password", "complaint"),
    [
        ("short", "at least 8 characters"),
        ("password", "most common passwords"),
        ("Password1!", "most common passwords"),
        ("qwertyuiop", "most common passwords"),
        ("zzzzzzzzzzzz", "one character repeated"),
        ("3456789012", "simple sequence"),
        ("my clozapine password", "'clozapine'"),
        ("a.kim.at.work", "'a.kim'"),
        ("akim-at-work-2026", "'akim'"),
        ("x" * 257, "at most 256"),
    ],
)
def test_weak_passwords_are_refused_with_a_reason(password: str, complaint: str) -> None:
    problem = password_problem(password, email=EMAIL, name="Ana Kim")
    assert problem is not None and complaint in problem


@pytest.mark.parametrize(
    "password",
    [
        "correct horse battery",
        "tr0ub4dor&3 stays",
        "ñandú en la pampa",
        "🙂🙂 smile twice 🙂🙂",
        "a" * 7 + "b",
        "x1" * 32,
    ],
)
def test_long_or_plain_passwords_need_no_symbols_or_digits(password: str) -> None:
    assert password_problem(password, email=EMAIL, name="Ana Kim") is None


def test_five_wrong_passwords_lock_the_account_for_thirty_minutes(
    workstation: Workstation, prescriber_session: Session, store_clock: ManualClock
) -> None:
    prescriber_session.sign_out()
    for left in (4, 3, 2, 1):
        with pytest.raises(WrongPassword) as wrong:
            workstation.sign_in(EMAIL, "guessing wrongly")
        assert wrong.value.attempts_left == left
    with pytest.raises(AccountLocked) as locked:
        workstation.sign_in(EMAIL, "guessing wrongly")
    assert "Try again in 30 minutes" in str(locked.value)
    # Locked means locked: the right password is refused too, and the time left counts down.
    store_clock.advance(timedelta(minutes=29))
    with pytest.raises(AccountLocked, match="Try again in 1 minute"):
        workstation.sign_in(EMAIL, PRESCRIBER_PASSWORD)
    assert workstation.accounts()[0].locked_until is not None
    store_clock.advance(timedelta(minutes=1, seconds=1))
    session = workstation.sign_in(EMAIL, PRESCRIBER_PASSWORD)
    # The wrong attempts and the lock-out, which no one could write while the store was
    # shut, are in the audit log now, before this sign-in.
    actions = [(e.action, e.account_id) for e in session.audit.entries()]
    assert actions[-7:] == [
        *[(AuditAction.SIGN_IN_FAILED.value, "dr-kim")] * 5,
        (AuditAction.LOCKOUT.value, "dr-kim"),
        (AuditAction.SIGN_IN.value, "dr-kim"),
    ]
    assert session.audit.verify().intact
    session.sign_out()


def test_a_right_password_clears_the_count_of_wrong_ones(
    workstation: Workstation, prescriber_session: Session
) -> None:
    prescriber_session.sign_out()
    for _ in range(4):
        with pytest.raises(WrongPassword):
            workstation.sign_in(EMAIL, "guessing wrongly")
    workstation.sign_in(EMAIL, PRESCRIBER_PASSWORD).sign_out()
    with pytest.raises(WrongPassword) as wrong:
        workstation.sign_in(EMAIL, "guessing wrongly")
    assert wrong.value.attempts_left == 4


def test_an_idle_session_locks_after_fifteen_minutes_and_asks_for_the_password(
    prescriber_session: Session, store_clock: ManualClock
) -> None:
    store_clock.advance(timedelta(minutes=14))
    prescriber_session.roster()  # activity restarts the timer
    store_clock.advance(timedelta(minutes=14))
    assert not prescriber_session.lock_if_idle()
    store_clock.advance(timedelta(minutes=2))
    with pytest.raises(SessionLocked, match="Enter your password"):
        prescriber_session.roster()
    assert prescriber_session.locked
    with pytest.raises(WrongPassword):
        prescriber_session.unlock("guessing wrongly")
    prescriber_session.unlock(PRESCRIBER_PASSWORD)
    assert prescriber_session.roster() == []
    prescriber_session.unlock(PRESCRIBER_PASSWORD)  # unlocking an open session changes nothing
    assert not prescriber_session.locked and prescriber_session.roster() == []
    actions = [e.action for e in prescriber_session.audit.entries()]
    assert AuditAction.SESSION_LOCKED.value in actions


def test_background_reads_do_not_keep_an_idle_session_open(
    prescriber_session: Session, store_clock: ManualClock
) -> None:
    for _ in range(4):  # a sync running every 5 minutes reads the outbox
        store_clock.advance(timedelta(minutes=5))
        if prescriber_session.lock_if_idle():
            break
        prescriber_session.outbox.pending_count()
    assert prescriber_session.locked


def test_the_idle_timeout_is_configurable(
    tmp_path: Path, memory_keyring: MemoryKeyring, store_clock: ManualClock
) -> None:
    workstation = Workstation(
        tmp_path / "desk", store_clock, kdf=FAST_KDF, idle_timeout=timedelta(minutes=5)
    )
    session = workstation.create(NewAccount(EMAIL, "Ana Kim", Role.PRESCRIBER), PRESCRIBER_PASSWORD)
    store_clock.advance(timedelta(minutes=6))
    assert session.lock_if_idle()


def test_a_password_change_rewraps_the_key_and_keeps_the_data(
    workstation: Workstation, prescriber_session: Session
) -> None:
    prescriber_session.change_password(PRESCRIBER_PASSWORD, "a brand new passphrase")
    prescriber_session.sign_out()
    with pytest.raises(WrongPassword):
        workstation.sign_in(EMAIL, PRESCRIBER_PASSWORD)
    session = workstation.sign_in(EMAIL, "a brand new passphrase")
    assert session.audit.verify().intact  # the same data key: the old entries still verify
    session.sign_out()


def test_one_email_one_account_and_a_designee_belongs_to_a_prescriber(
    prescriber_session: Session,
) -> None:
    designee = NewAccount("sam@clinic.example", "Sam Rivera", Role.DESIGNEE, prescriber_id="dr-kim")
    prescriber_session.add_account(designee, DESIGNEE_PASSWORD)
    with pytest.raises(AccountProblem, match="already has an account"):
        prescriber_session.add_account(designee, "another good passphrase")
    with pytest.raises(AccountProblem, match="linked to a prescriber"):
        unlinked = NewAccount("x@clinic.example", "X Y", Role.DESIGNEE)
        prescriber_session.workstation.add_account(b"\0" * 32, unlinked, DESIGNEE_PASSWORD)
    with pytest.raises(AccessRefused, match="workstation administrator"):
        prescriber_session.add_account(
            NewAccount("other@clinic.example", "Other Doc", Role.PRESCRIBER), DESIGNEE_PASSWORD
        )


def test_every_record_carries_the_account_that_made_it(
    workstation: Workstation, prescriber_session: Session, store_clock: ManualClock
) -> None:
    from tests.support.store_world import certify_office, enroll

    designee_id = prescriber_session.add_account(
        NewAccount("sam@clinic.example", "Sam Rivera", Role.DESIGNEE, prescriber_id="dr-kim"),
        DESIGNEE_PASSWORD,
    )
    certify_office(prescriber_session, store_clock)
    prescriber_session.sign_out()
    designee = workstation.sign_in("sam@clinic.example", DESIGNEE_PASSWORD)
    enroll(designee, store_clock, "p1", "Lee Park", "1980-05-06")
    db = designee.db
    assert db.one("SELECT created_by FROM patients WHERE id = 'p1'")[0] == designee_id
    assert db.one("SELECT created_by FROM anc_results WHERE patient_id = 'p1'")[0] == designee_id
    assert db.one("SELECT created_by FROM prescribers")[0] == "dr-kim"
    designee.sign_out()


def test_typing_at_the_sign_in_screen_cannot_grow_the_workstation_file_without_end(
    workstation: Workstation, prescriber_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    from local_store import workstation as ws

    prescriber_session.sign_out()
    monkeypatch.setattr(ws, "MAX_PENDING", 5)
    for n in range(12):
        with pytest.raises(UnknownAccount):
            workstation.sign_in(f"nobody{n}@clinic.example", "whatever it is")
    session = workstation.sign_in(EMAIL, PRESCRIBER_PASSWORD)
    failed = [e.detail for e in session.audit.entries() if e.action == "sign_in_failed"]
    assert len(failed) == 5
    assert failed[0] == "earlier failed sign-ins were not kept (too many to keep)"
    session.sign_out()
