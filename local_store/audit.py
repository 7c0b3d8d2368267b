"""The audit log: who viewed, created, changed, signed, printed or exported what, and every
sign-in, sign-out and lockout.

Append-only, and tamper-evident: each entry's MAC is HMAC-SHA256 (a key derived from the
data key) over the previous entry's MAC and the entry's own fields, so editing, removing or
reordering any entry breaks the chain from that point. The head (last sequence number and
MAC) is kept in its own row, updated in the same transaction, so a removed tail shows too.
Entries name records by id; they carry no patient names or dates of birth.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from local_store.database import Database

GENESIS = "0" * 64


class AuditAction(StrEnum):
    VIEW = "view"
    CREATE = "create"
    CHANGE = "change"
    SIGN = "sign"
    PRINT = "print"
    EXPORT = "export"
    SIGN_IN = "sign_in"
    SIGN_IN_FAILED = "sign_in_failed"
    SIGN_OUT = "sign_out"
    LOCKOUT = "lockout"
    SESSION_LOCKED = "session_locked"
    ACCOUNT = "account"
    REGISTRY_ANSWER = "registry_answer"  # an RDA or Dispense Rationale answer, as received


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    at: str
    account_id: str
    action: str
    subject: str
    detail: str
    mac: str


@dataclass(frozen=True)
class AuditReport:
    entries: int
    first_bad: int | None
    problem: str

    @property
    def intact(self) -> bool:
        return self.first_bad is None and not self.problem


class AuditLog:
    def __init__(self, db: Database, key: bytes) -> None:
        self._db = db
        self._key = key

    def record(
        self, at: datetime, account_id: str, action: AuditAction, subject: str, detail: str = ""
    ) -> int:
        """Append one entry (inside the caller's transaction, or its own)."""
        with self._db.transaction():
            head = self._db.one("SELECT seq, mac FROM audit_head WHERE id = 1")
            seq, previous = (head[0] + 1, head[1]) if head else (1, GENESIS)
            stamp = at.isoformat(timespec="milliseconds")
            mac = self._mac(previous, seq, stamp, account_id, action.value, subject, detail)
            self._db.execute(
                "INSERT INTO audit_log (seq, at, account_id, action, subject, detail, mac) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (seq, stamp, account_id, action.value, subject, detail, mac),
            )
            self._db.execute(
                "INSERT INTO audit_head (id, seq, mac) VALUES (1, ?, ?) "
                "ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, mac = excluded.mac",
                (seq, mac),
            )
        return seq

    def entries(self, limit: int | None = None) -> list[AuditEntry]:
        sql = "SELECT seq, at, account_id, action, subject, detail, mac FROM audit_log ORDER BY seq"
        if limit is not None:
            sql += f" DESC LIMIT {int(limit)}"
        rows = [AuditEntry(*row) for row in self._db.execute(sql)]
        return sorted(rows, key=lambda e: e.seq)

    def latest(self, action: AuditAction, limit: int) -> list[AuditEntry]:
        """The newest entries of one kind, newest first."""
        rows = self._db.execute(
            "SELECT seq, at, account_id, action, subject, detail, mac FROM audit_log "
            "WHERE action = ? ORDER BY seq DESC LIMIT ?",
            (action.value, limit),
        )
        return [AuditEntry(*row) for row in rows]

    def verify(self) -> AuditReport:
        """Walk the chain; report the first entry that is missing, out of place or altered."""
        previous = GENESIS
        expected = 1
        count = 0
        for row in self._db.execute(
            "SELECT seq, at, account_id, action, subject, detail, mac FROM audit_log ORDER BY rowid"
        ):
            entry = AuditEntry(*row)
            count += 1
            if entry.seq != expected:
                problem = (
                    f"entry #{expected} is missing"
                    if entry.seq > expected
                    else f"entry #{entry.seq} is out of order"
                )
                return AuditReport(count, expected, problem)
            mac = self._mac(
                previous,
                entry.seq,
                entry.at,
                entry.account_id,
                entry.action,
                entry.subject,
                entry.detail,
            )
            if not hmac.compare_digest(mac, entry.mac):
                return AuditReport(count, entry.seq, f"entry #{entry.seq} was altered")
            previous = entry.mac
            expected += 1
        head = self._db.one("SELECT seq, mac FROM audit_head WHERE id = 1")
        last = expected - 1
        if head is None:
            if last:
                return AuditReport(count, 1, "the log's head record is missing")
            return AuditReport(0, None, "")
        if head[0] > last:
            return AuditReport(
                count, last + 1, f"entries #{last + 1} to #{head[0]} were removed from the end"
            )
        if head[0] != last or not hmac.compare_digest(head[1], previous):
            return AuditReport(count, head[0], "the log's head record does not match its end")
        return AuditReport(count, None, "")

    def _mac(self, previous: str, seq: int, *fields: str) -> str:
        message = json.dumps([previous, seq, *fields], ensure_ascii=False, separators=(",", ":"))
        return hmac.new(self._key, message.encode("utf-8"), hashlib.sha256).hexdigest()
