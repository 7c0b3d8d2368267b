"""Workstation audit chains, anchored here: at each sync a workstation shows the head of its
tamper-evident audit log (the last entry's number and MAC), and the MAC its log holds now at
the entry the registry saw last. A head whose number went backwards, or a log whose entry at
that number changed, was rewritten on the workstation: refused and flagged, and the head the
registry saw stays the one to compare with.

Nothing here is about a patient: entry numbers and HMAC-SHA256 values of a log kept on the
workstation, under the workstation's own store id, per registry account.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, insert, select, update

from registry import tables as t

REWOUND = "AUDIT_CHAIN_REWOUND"


@dataclass(frozen=True)
class Head:
    seq: int
    mac: str


@dataclass(frozen=True)
class Seen:
    """The head the registry saw last from one workstation store, for one account."""

    seq: int
    mac: str
    seen_at: str
    rewound_at: str | None


@dataclass(frozen=True)
class Verdict:
    kept: bool
    message: str = ""  # why not, in words the workstation shows as damage


def last_seen(conn: Connection, account_id: str, store_id: str) -> Seen | None:
    h = t.workstation_audit_heads
    row = conn.execute(
        select(h.c.seq, h.c.mac, h.c.seen_at, h.c.rewound_at).where(
            h.c.account_id == account_id, h.c.store_id == store_id
        )
    ).first()
    return None if row is None else Seen(int(row.seq), row.mac, row.seen_at, row.rewound_at)


def compare_and_keep(
    conn: Connection,
    account_id: str,
    store_id: str,
    head: Head,
    at_seen: Head | None,
    now: datetime,
) -> Verdict:
    """Keep `head` if it continues the chain the registry saw: `at_seen` is the workstation's
    entry at the number the registry saw last, and must be that entry."""
    h = t.workstation_audit_heads
    key = (h.c.account_id == account_id, h.c.store_id == store_id)
    seen = last_seen(conn, account_id, store_id)
    stamp = now.isoformat()
    if seen is None:
        conn.execute(
            insert(h).values(
                account_id=account_id, store_id=store_id, seq=head.seq, mac=head.mac,
                seen_at=stamp,
            )
        )  # fmt: skip
        return Verdict(True)
    if head == Head(seen.seq, seen.mac):
        return Verdict(True)  # nothing new since (or a retry of the sync that showed it)
    problem = _rewound(seen, head, at_seen)
    if problem:
        if seen.rewound_at is None:  # flagged at the first sync that showed it
            conn.execute(update(h).where(*key).values(rewound_at=stamp))
        return Verdict(False, problem)
    conn.execute(update(h).where(*key).values(seq=head.seq, mac=head.mac, seen_at=stamp))
    return Verdict(True)


def _rewound(seen: Seen, head: Head, at_seen: Head | None) -> str:
    when = seen.seen_at[:10]
    if head.seq < seen.seq:
        return (
            f"This workstation's audit log now ends at entry #{head.seq}, but on {when} the "
            f"registry saw it reach entry #{seen.seq}: entries were removed from it."
        )
    if at_seen is None or at_seen.seq != seen.seq or not hmac.compare_digest(at_seen.mac, seen.mac):
        return (
            f"Entry #{seen.seq} of this workstation's audit log is not the one the registry "
            f"saw on {when}: the log was rewritten."
        )
    return ""
