"""Dispensing requests waiting for the registry's answer, and the Idempotency-Key of each.

An RDA records a dispense and a Dispense Rationale uses up one of the patient's three a year,
so each must take effect once even when its answer is lost (a timeout, a dropped connection,
a restart of the app). The key is made when the pharmacist first sends the request and kept
here, in the encrypted store; every retry of the same request sends it again, and the
registry replays its first answer instead of acting twice.

"The same request" is the same path and body (pharmacy, patient, prescriber or NPI, the ANC
sent with it), asked by the same person on the same day. Another body (another prescriber,
an ANC typed differently) is another request. A key is settled when its answer is recorded,
so the next request after an answer is a new one. A key from an earlier day is dropped: an
RDA authorizes the day's dispense, so a request never answered yesterday is not today's.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping
from datetime import datetime

from local_store.database import Database


def request_sha256(path: str, body: Mapping[str, object]) -> str:
    canonical = json.dumps([path, body], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


class PendingActions:
    def __init__(self, db: Database) -> None:
        self._db = db

    def key_for(self, path: str, body: Mapping[str, object], now: datetime) -> str:
        """The key of this request today: the one it was first sent with, or a new one (kept
        before the request leaves, so a crash after sending still finds it)."""
        day, digest = now.astimezone().date().isoformat(), request_sha256(path, body)
        person = self._db.actor_id
        with self._db.transaction():
            self._db.execute("DELETE FROM pending_actions WHERE started_on < ?", (day,))
            row = self._db.one(
                "SELECT key FROM pending_actions "
                "WHERE created_by = ? AND request_sha256 = ? AND started_on = ?",
                (person, digest, day),
            )
            if row is not None:
                return str(row[0])
            key = str(uuid.uuid4())
            self._db.execute(
                "INSERT INTO pending_actions (key, request_sha256, started_on, created_by, "
                "created_at) VALUES (?, ?, ?, ?, ?)",
                (key, digest, day, person, now.isoformat()),
            )
        return key

    def settle(self, key: str) -> None:
        """The answer is recorded: the next request gets a key of its own."""
        with self._db.transaction():
            self._db.execute("DELETE FROM pending_actions WHERE key = ?", (key,))

    def pending(self) -> list[str]:
        """The keys of requests not answered yet."""
        return [str(r[0]) for r in self._db.execute("SELECT key FROM pending_actions")]
