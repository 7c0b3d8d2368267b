"""The audit log's head, anchored at the registry: each sync shows it, and a log rewritten on
the workstation by someone holding the key (so that the workstation's own check passes) is
refused as AUDIT_CHAIN_REWOUND and shown as damage, whether the log now ends earlier, at
the same entry with other content, or later."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from local_store.audit import AuditAction, AuditLog, chain_end, store_id
from local_store.database import Database
from local_store.session import Session
from registry import tables as t
from sync.audit_head import PATH
from sync.engine import Connectivity, sync_once
from tests.support.registry_server import ServedRegistry
from tests.support.registry_world import World


def _now() -> datetime:
    return datetime.now(UTC)


@pytest.fixture
def desk(prescriber_session: Session) -> Iterator[Database]:
    """The sync thread's connection to a real workstation store, with some work logged."""
    for _ in range(4):
        prescriber_session.roster()
    db = prescriber_session.second_connection()
    yield db
    db.close()


def seen_by_registry(served: ServedRegistry, store: str) -> tuple[int, str, str | None]:
    h = t.workstation_audit_heads
    with served.engine.connect() as conn:
        row = conn.execute(
            select(h.c.seq, h.c.mac, h.c.rewound_at).where(h.c.store_id == store)
        ).one()
    return int(row.seq), row.mac, row.rewound_at


def rewrite_with_the_key(db: Database, key: bytes, keep: int, add: int) -> None:
    """What someone holding the data key can do: cut the log back to entry #keep and write
    `add` new entries with a fresh, valid head, so the workstation's own check passes."""
    db.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
    db.execute("DELETE FROM audit_log WHERE seq > ?", (keep,))
    log = AuditLog(db, key)
    for n in range(add):
        log.record(_now(), "dr-kim", AuditAction.VIEW, "roster", f"made up {n}")
    assert AuditLog(db, key).verify().intact  # nothing to see on the workstation itself


def test_each_sync_shows_the_head_and_the_registry_keeps_the_one_it_saw_last(
    desk: Database, prescriber_session: Session, world: World, served_registry: ServedRegistry
) -> None:
    first = sync_once(desk, world.client("dr_a"), _now)
    assert first.connectivity is Connectivity.ONLINE and first.audit_damage is None
    assert seen_by_registry(served_registry, store_id(desk))[:2] == chain_end(desk)
    prescriber_session.roster()  # the log grows between syncs
    again = sync_once(desk, world.client("dr_a"), _now)
    assert again.audit_damage is None
    assert seen_by_registry(served_registry, store_id(desk)) == (*chain_end(desk), None)


@pytest.mark.parametrize(
    ("cut", "add", "words"),
    [
        (3, 1, "entries were removed"),  # the log now ends two entries earlier
        (3, 3, "the log was rewritten"),  # the same last number, other entries
        (3, 10, "the log was rewritten"),  # rewritten, then grown past what was seen
    ],
    ids=["shorter", "same length", "longer"],
)
def test_a_log_rewritten_with_the_key_is_refused_and_shown_as_damage(
    desk: Database,
    prescriber_session: Session,
    world: World,
    served_registry: ServedRegistry,
    cut: int,
    add: int,
    words: str,
) -> None:
    dr = world.client("dr_a")
    assert sync_once(desk, dr, _now).audit_damage is None
    seen = chain_end(desk)
    rewrite_with_the_key(desk, prescriber_session._audit_key, seen[0] - cut, add)
    report = sync_once(desk, dr, _now)
    assert report.connectivity is Connectivity.ONLINE  # the rest of the sync went through
    assert report.audit_damage is not None and words in report.audit_damage
    assert f"#{seen[0]}" in report.audit_damage
    assert report.problem == report.audit_damage  # the status bar's tooltip shows it
    # The registry keeps the head it saw, flags the store, and says so again next time.
    seq, mac, rewound_at = seen_by_registry(served_registry, store_id(desk))
    assert (seq, mac) == seen and rewound_at is not None
    assert sync_once(desk, dr, _now).audit_damage == report.audit_damage


def test_the_registry_answers_409_audit_chain_rewound_to_a_head_that_goes_backwards(
    desk: Database, world: World
) -> None:
    dr = world.client("dr_a")
    sync_once(desk, dr, _now)
    seq, mac = chain_end(desk)
    path = PATH.format(store=store_id(desk))
    answer = dr.put(path, {"seq": seq - 1, "mac": mac, "at_seen": {"seq": seq, "mac": mac}})
    assert (answer.status, answer.error) == (409, "AUDIT_CHAIN_REWOUND")
    assert f"now ends at entry #{seq - 1}" in answer.message
    # Another registry account's syncs from the same store id are compared on their own.
    other = world.client("dr_b").put(path, {"seq": 1, "mac": mac})
    assert other.ok, other.body
