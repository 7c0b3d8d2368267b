"""The store's repositories as the rest of the app uses them: ANC results as entered, the
outbox's states, the sync cursor and snapshot age, registry tokens in the keyring, and the
workstation administrator's part."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from app.clock import ManualClock
from app.entered_anc import EnteredAnc
from app.roles import Role
from local_store import device_secret
from local_store.errors import AccountLocked, WrongPassword
from local_store.keys import FAST_KDF
from local_store.outbox import OutboxState
from local_store.session import Session
from local_store.workstation import NewAccount, Workstation
from tests.conftest import PRESCRIBER_PASSWORD
from tests.support.memory_keyring import MemoryKeyring
from tests.support.store_world import certify_office, enroll


def test_an_anc_keeps_the_value_and_unit_as_entered_beside_the_normalized_value(
    prescriber_session: Session, store_clock: ManualClock
) -> None:
    program = certify_office(prescriber_session, store_clock)
    enroll(prescriber_session, store_clock, "p1", "Lee Park", "1970-01-01")
    with prescriber_session.transaction():
        program.report_anc(
            "dr-kim", "p1", EnteredAnc(Decimal("1.55"), str(store_clock.today()), "K/µL")
        )
    row = prescriber_session.db.one(
        "SELECT entered_value, entered_unit, per_ul FROM anc_results WHERE patient_id = 'p1' "
        "ORDER BY seq DESC LIMIT 1"
    )
    assert tuple(row) == ("1.55", "K/µL", 1550)


def test_outbox_items_leave_in_order_and_a_stale_sending_item_is_requeued(
    prescriber_session: Session, store_clock: ManualClock
) -> None:
    outbox = prescriber_session.outbox
    now = store_clock.now()
    for n in range(3):
        outbox.enqueue(f"00000000-0000-4000-8000-00000000000{n}", "report_anc", f"patient:p{n}",
                       {"n": n}, now)  # fmt: skip
    first, second, third = outbox.items()
    assert [first.payload["n"], second.payload["n"], third.payload["n"]] == [0, 1, 2]
    assert all(i.created_by == "dr-kim" for i in (first, second, third))
    outbox.set_state(first.id, OutboxState.SENDING, now)
    outbox.set_state(first.id, OutboxState.ACKED, now)
    outbox.set_state(second.id, OutboxState.SENDING, now)
    outbox.set_state(
        second.id, OutboxState.REJECTED, now, error="INVALID_ANC: The ANC value is not valid."
    )
    outbox.set_state(third.id, OutboxState.SENDING, now)  # the app dies here
    assert outbox.pending_count() == 1
    assert outbox.reset_stale_sending(now) == 1
    states = {i.id: (i.state, i.attempts, i.last_error) for i in outbox.items()}
    assert states[first.id] == (OutboxState.ACKED, 1, None)
    assert states[second.id] == (
        OutboxState.REJECTED, 1, "INVALID_ANC: The ANC value is not valid."
    )  # fmt: skip
    assert states[third.id] == (OutboxState.QUEUED, 1, None)
    assert [i.id for i in outbox.items(OutboxState.QUEUED)] == [third.id]


def test_the_sync_cursor_and_the_snapshot_age_commit_together(
    prescriber_session: Session, store_clock: ManualClock
) -> None:
    state = prescriber_session.sync_state
    assert state.cursor is None and state.snapshot_as_of is None
    with pytest.raises(RuntimeError), prescriber_session.transaction():
        state.advance("41", store_clock.now())
        raise RuntimeError("the page failed to apply")
    assert state.cursor is None  # rolled back with the page
    state.advance("42", store_clock.now())
    assert state.cursor == "42" and state.snapshot_as_of == store_clock.now()


def test_registry_tokens_live_in_the_keyring_not_in_any_file(
    workstation: Workstation, prescriber_session: Session, memory_keyring: MemoryKeyring
) -> None:
    device_secret.save_secret("registry-refresh-token", "rt-SECRET-TOKEN-123")
    assert device_secret.load_secret("registry-refresh-token") == "rt-SECRET-TOKEN-123"
    prescriber_session.sign_out()
    for path in workstation.folder.rglob("*"):
        if path.is_file():
            assert b"SECRET-TOKEN" not in path.read_bytes()
    device_secret.delete_secret("registry-refresh-token")
    assert device_secret.load_secret("registry-refresh-token") is None


def test_the_administrator_resets_a_locked_out_password(
    tmp_path: Path, memory_keyring: MemoryKeyring, store_clock: ManualClock
) -> None:
    workstation = Workstation(tmp_path / "desk", store_clock, kdf=FAST_KDF)
    admin = workstation.create(
        NewAccount("it@clinic.example", "Pat Admin", Role.WORKSTATION_ADMIN),
        "seven green bottles",
    )
    admin.add_account(NewAccount("a.kim@clinic.example", "Ana Kim", Role.PRESCRIBER, id="dr-kim"),
                      PRESCRIBER_PASSWORD)  # fmt: skip
    admin.sign_out()
    for _ in range(4):
        with pytest.raises(WrongPassword):
            workstation.sign_in("a.kim@clinic.example", "forgot it")
    with pytest.raises(AccountLocked):
        workstation.sign_in("a.kim@clinic.example", "forgot it")
    admin = workstation.sign_in("it@clinic.example", "seven green bottles")
    admin.reset_password("dr-kim", "a fresh start today")
    admin.sign_out()
    session = workstation.sign_in("a.kim@clinic.example", "a fresh start today")
    details = [e.detail for e in session.audit.entries()]
    assert "password reset by administrator" in details
    session.sign_out()
