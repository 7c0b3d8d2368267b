"""The outbox: work done on this workstation that the registry has not acknowledged yet.

An item is written in the same transaction as the change it carries, so a change is never
saved without its item or the reverse. Its id is the UUID made with the draft, which the
sync client sends as the registry's Idempotency-Key: a retried push cannot duplicate.
Items leave in `seq` order. States: queued → sending → acked | retry_wait | rejected; a
rejected item is closed by a person: dismissed, or superseded by a corrected item.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from local_store.database import Database


class OutboxKind(StrEnum):
    """What the workstation queues for the registry (sync/push.py knows each one's path)."""

    REPORT_ANC = "report_anc"
    SUBMIT_PSF = "submit_psf"
    ENROLL_PATIENT = "enroll_patient"
    DEACTIVATE_PATIENT = "deactivate_patient"  # off the prescriber's list; no body


class OutboxState(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    ACKED = "acked"
    RETRY_WAIT = "retry_wait"
    REJECTED = "rejected"
    DISMISSED = "dismissed"  # refused, and a person chose to let it go (the audit keeps it)
    SUPERSEDED = "superseded"  # refused, and corrected: a new item (a new key) replaces it


@dataclass(frozen=True)
class OutboxItem:
    seq: int
    id: str
    kind: str
    subject: str
    payload: dict[str, object]
    state: OutboxState
    attempts: int
    last_error: str | None
    created_by: str
    created_at: str


_COLUMNS = "seq, id, kind, subject, payload, state, attempts, last_error, created_by, created_at"


class Outbox:
    def __init__(self, db: Database) -> None:
        self._db = db

    def enqueue(
        self, item_id: str, kind: str, subject: str, payload: Mapping[str, object], at: datetime
    ) -> None:
        stamp = at.isoformat()
        with self._db.transaction():
            self._db.execute(
                "INSERT INTO outbox (id, kind, subject, payload, created_by, created_at, "
                "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    item_id,
                    kind,
                    subject,
                    json.dumps(payload, sort_keys=True, ensure_ascii=False),
                    self._db.actor_id,
                    stamp,
                    stamp,
                ),
            )

    def items(self, *states: OutboxState) -> list[OutboxItem]:
        """Every item (or those in `states`), oldest first."""
        if states:
            marks = ", ".join("?" for _ in states)
            rows = self._db.execute(
                f"SELECT {_COLUMNS} FROM outbox WHERE state IN ({marks}) ORDER BY seq",
                [s.value for s in states],
            )
        else:
            rows = self._db.execute(f"SELECT {_COLUMNS} FROM outbox ORDER BY seq")
        return [_item(row) for row in rows]

    def sendable(
        self, at: datetime, limit: int, skip: frozenset[str] = frozenset()
    ) -> list[OutboxItem]:
        """Up to `limit` items to send now, oldest first, one per subject: queued, or
        waiting to retry and due. Nothing passes an earlier item of its subject that is not
        being sent (per-patient order). `skip`: items held back (and their subjects)."""
        rows = self._db.execute(
            "SELECT seq, id, subject, state, next_attempt_at FROM outbox WHERE state IN "
            "('queued', 'retry_wait') ORDER BY seq"
        )
        now = at.isoformat()
        seen: set[str] = set()
        chosen: list[str] = []
        for _, item_id, subject, state, next_at in rows:
            if subject in seen:
                continue
            seen.add(subject)  # this item goes, or holds back the rest of its subject
            due = state == OutboxState.QUEUED.value or not next_at or next_at <= now
            if due and item_id not in skip:
                chosen.append(item_id)
                if len(chosen) == limit:
                    break
        if not chosen:
            return []
        marks = ", ".join("?" for _ in chosen)
        found = self._db.execute(
            f"SELECT {_COLUMNS} FROM outbox WHERE id IN ({marks}) ORDER BY seq", chosen
        )
        return [_item(row) for row in found]

    def signed_waiting(self) -> dict[str, str]:
        """Waiting items that carry a signature: item id -> the signer's account id. The
        registry takes a signature only from the signer's own sign-in, so the push holds
        those whose signer is not the one signed in."""
        rows = self._db.execute(
            "SELECT id, payload FROM outbox WHERE state IN ('queued', 'retry_wait') "
            "AND kind IN ('submit_psf', 'enroll_patient')"
        )
        waiting: dict[str, str] = {}
        for item_id, payload in rows:
            signature = json.loads(payload).get("signature")
            if isinstance(signature, dict):
                waiting[str(item_id)] = str(signature.get("signer_id"))
        return waiting

    def mark_sending(self, item_ids: list[str], at: datetime) -> None:
        """Written before the request goes: a crash now leaves them "sending"."""
        with self._db.transaction():
            self._db.executemany(
                "UPDATE outbox SET state = 'sending', updated_at = ?, attempts = attempts + 1 "
                "WHERE id = ?",
                [(at.isoformat(), i) for i in item_ids],
            )

    def acknowledge(self, item_id: str, at: datetime, response: object) -> None:
        """The registry took the item: its answer is kept beside it."""
        with self._db.transaction():
            self._db.execute(
                "UPDATE outbox SET state = 'acked', last_error = NULL, updated_at = ?, "
                "next_attempt_at = NULL, response = ? WHERE id = ?",
                (at.isoformat(), json.dumps(response, ensure_ascii=False), item_id),
            )

    def response(self, item_id: str) -> object:
        row = self._db.one("SELECT response FROM outbox WHERE id = ?", (item_id,))
        return json.loads(row[0]) if row and row[0] else None

    def get(self, item_id: str) -> OutboxItem | None:
        row = self._db.one(f"SELECT {_COLUMNS} FROM outbox WHERE id = ?", (item_id,))
        return _item(row) if row else None

    def pending_count(self) -> int:
        row = self._db.one(
            "SELECT count(*) FROM outbox WHERE state IN ('queued', 'sending', 'retry_wait')"
        )
        return int(row[0])

    def set_state(
        self,
        item_id: str,
        state: OutboxState,
        at: datetime,
        error: str | None = None,
        next_attempt_at: datetime | None = None,
    ) -> None:
        with self._db.transaction():
            self._db.execute(
                "UPDATE outbox SET state = ?, last_error = ?, updated_at = ?, "
                "next_attempt_at = ?, attempts = attempts + (? = 'sending') WHERE id = ?",
                (
                    state.value,
                    error,
                    at.isoformat(),
                    next_attempt_at.isoformat() if next_attempt_at else None,
                    state.value,
                    item_id,
                ),
            )

    def dismiss(self, item_id: str, at: datetime) -> bool:
        """A refused item leaves the outbox; False if it is not (or no longer) refused."""
        with self._db.transaction():
            cursor = self._db.execute(
                "UPDATE outbox SET state = 'dismissed', updated_at = ? "
                "WHERE id = ? AND state = 'rejected'",
                (at.isoformat(), item_id),
            )
        return int(cursor.rowcount) == 1

    def mark_correction(self, item_id: str, correction_id: str, at: datetime) -> None:
        """A correction of this refused item is started (a draft form, not sent yet)."""
        with self._db.transaction():
            self._db.execute(
                "UPDATE outbox SET superseded_by = ?, updated_at = ? "
                "WHERE id = ? AND state = 'rejected'",
                (correction_id, at.isoformat(), item_id),
            )

    def correction_started(self, item_id: str) -> str | None:
        """The id of the correction started for a refused item, if any."""
        row = self._db.one(
            "SELECT superseded_by FROM outbox WHERE id = ? AND state = 'rejected'", (item_id,)
        )
        return str(row[0]) if row and row[0] else None

    def supersede(self, correction_id: str, at: datetime, item_id: str | None = None) -> int:
        """The correction is queued: the refused item it corrects (`item_id`, or the one that
        named this correction) is superseded. Returns how many were."""
        with self._db.transaction():
            if item_id is not None:
                cursor = self._db.execute(
                    "UPDATE outbox SET state = 'superseded', superseded_by = ?, updated_at = ? "
                    "WHERE id = ? AND state = 'rejected'",
                    (correction_id, at.isoformat(), item_id),
                )
            else:
                cursor = self._db.execute(
                    "UPDATE outbox SET state = 'superseded', updated_at = ? "
                    "WHERE superseded_by = ? AND state = 'rejected'",
                    (at.isoformat(), correction_id),
                )
        return int(cursor.rowcount)

    def reset_stale_sending(self, at: datetime) -> int:
        """At start-up, an item left "sending" by a crash goes back to the queue (the
        Idempotency-Key makes re-sending it safe)."""
        with self._db.transaction():
            cursor = self._db.execute(
                "UPDATE outbox SET state = 'queued', updated_at = ? WHERE state = 'sending'",
                (at.isoformat(),),
            )
        return int(cursor.rowcount)


def _item(row: tuple[object, ...]) -> OutboxItem:
    return OutboxItem(
        seq=int(str(row[0])),
        id=str(row[1]),
        kind=str(row[2]),
        subject=str(row[3]),
        payload=json.loads(str(row[4])),
        state=OutboxState(str(row[5])),
        attempts=int(str(row[6])),
        last_error=None if row[7] is None else str(row[7]),
        created_by=str(row[8]),
        created_at=str(row[9]),
    )
