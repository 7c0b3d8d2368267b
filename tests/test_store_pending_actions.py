"""An RDA's or a Dispense Rationale's Idempotency-Key, kept in the encrypted store: the same
request by the same person today keeps its key (across a sign-out and a new start of the
app) until its answer is recorded; another request, another person, or another day gets a
key of its own."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from app.clock import ManualClock
from app.roles import Role
from local_store.audit import AuditAction
from local_store.keys import FAST_KDF
from local_store.pending_actions import PendingActions
from local_store.workstation import NewAccount, Workstation

AR = ("ari.shah@mainstreet.example", "amber lighthouse ninety")
STAFF = ("sam.lee@mainstreet.example", "copper kettle at dawn")
RDA = "/v1/rda"
ASK = {"pharmacy_id": "rx", "patient_id": "p1", "prescriber_id": "dr_a"}


def pharmacy_workstation(folder: Path, clock: ManualClock) -> Workstation:
    workstation = Workstation(folder, clock, kdf=FAST_KDF)
    session = workstation.create(
        NewAccount(AR[0], "Ari Shah", Role.PHARMACY_AR, pharmacy_id="rx", id="ar_rx"), AR[1]
    )
    staff = NewAccount(STAFF[0], "Sam Lee", Role.PHARMACY_STAFF, pharmacy_id="rx", id="st_rx")
    session.add_account(staff, STAFF[1])
    session.sign_out()
    return workstation


def test_a_retried_request_keeps_its_key_across_a_restart_until_its_answer_is_recorded(
    tmp_path: Path, store_clock: ManualClock, memory_keyring: object
) -> None:
    session = pharmacy_workstation(tmp_path / "rx", store_clock).sign_in(*AR)
    first = session.dispensing_key(RDA, ASK)
    assert session.dispensing_key(RDA, dict(reversed(ASK.items()))) == first  # a second click
    other_prescriber = session.dispensing_key(RDA, {**ASK, "prescriber_id": "dr_b"})
    with_anc = session.dispensing_key(RDA, {**ASK, "anc": {"value": "2000", "unit": "/uL"}})
    rationale = session.dispensing_key("/v1/dispense-rationales", ASK)
    assert len({first, other_prescriber, with_anc, rationale}) == 4
    session.sign_out()

    # The app is closed and started again: a new workstation object on the same folder.
    store_clock.advance(timedelta(hours=3))
    again = Workstation(tmp_path / "rx", store_clock, kdf=FAST_KDF).sign_in(*AR)
    assert again.dispensing_key(RDA, ASK) == first
    # Another person at the same pharmacy asks for themselves (the registry ties a key to
    # the account that sent it).
    again.sign_out()
    staff = Workstation(tmp_path / "rx", store_clock, kdf=FAST_KDF).sign_in(*STAFF)
    assert staff.dispensing_key(RDA, ASK) not in (first, other_prescriber, with_anc, rationale)
    staff.sign_out()

    again = Workstation(tmp_path / "rx", store_clock, kdf=FAST_KDF).sign_in(*AR)
    again.record_registry_answer("patient:p1", "RDA authorized (first dispense)", settles=first)
    [entry] = again.registry_answers()
    assert (entry.action, entry.detail) == (AuditAction.REGISTRY_ANSWER.value,
                                            "RDA authorized (first dispense)")  # fmt: skip
    # Answered and recorded: asking now is a new dispense, with a key of its own.
    new = again.dispensing_key(RDA, ASK)
    assert new != first
    assert first not in PendingActions(again.db).pending()
    again.sign_out()


def test_a_request_never_answered_is_not_the_next_days(
    tmp_path: Path, store_clock: ManualClock, memory_keyring: object
) -> None:
    session = pharmacy_workstation(tmp_path / "rx", store_clock).sign_in(*AR)
    yesterday = session.dispensing_key(RDA, ASK)
    store_clock.advance(timedelta(days=1))
    session.touch()
    today = session.dispensing_key(RDA, ASK)
    assert today != yesterday
    assert PendingActions(session.db).pending() == [today]  # yesterday's is gone
    session.sign_out()


def test_a_pending_key_is_in_no_file_unencrypted(
    tmp_path: Path, store_clock: ManualClock, memory_keyring: object
) -> None:
    session = pharmacy_workstation(tmp_path / "rx", store_clock).sign_in(*AR)
    key = session.dispensing_key(RDA, ASK)
    for path in (tmp_path / "rx").rglob("*"):
        if path.is_file():
            assert key.encode() not in path.read_bytes(), path
    session.sign_out()
