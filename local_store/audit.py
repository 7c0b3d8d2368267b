"""The audit log: who viewed, created, changed, signed, printed or exported what, and every
sign-in, sign-out and lockout.

Append-only, and tamper-evident: each entry's MAC is HMAC-SHA256 (a key derived from the
data key) over the previous entry's MAC and the entry's own fields, so editing, removing or
reordering any entry breaks the chain from that point. The head row is keyed too: an HMAC
over (last number, last MAC, store id), written in the same transaction, so a cut tail shows
even when the last remaining entry's MAC is copied into it, and so does a wiped log.

An open store's log (a session's, given a `Watch`) checks its head before each entry. What it
finds is not an error: the person's work goes on, the finding becomes an entry of its own
(in plain words), and the chain continues from it, so `verify()` reports it from then on.
Entries name records by id; they carry no patient names or dates of birth.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from local_store.database import Database

GENESIS = "0" * 64
# Entries written since heads were keyed carry this mark inside their MAC. A chain holding
# one must have a keyed head: an entry's MAC copied into the head cannot pass for the
# unkeyed head of a store from before.
KEYED = "k1"
_COLUMNS = "seq, at, account_id, action, subject, detail, mac"


class AuditAction(StrEnum):
    VIEW = "view"
    CREATE = "create"
    CHANGE = "change"
    SIGN = "sign"
    PRINT = "print"
    EXPORT = "export"
    IMPORT = "import"  # lab results from a file: each ANC, and the file's summary
    SIGN_IN = "sign_in"
    SIGN_IN_FAILED = "sign_in_failed"
    SIGN_OUT = "sign_out"
    LOCKOUT = "lockout"
    SESSION_LOCKED = "session_locked"
    ACCOUNT = "account"
    REGISTRY_ANSWER = "registry_answer"  # an RDA or Dispense Rationale answer, as received
    AUDIT_HEAD_KEYED = "audit_head_keyed"  # an older store's chain checked, its head keyed
    AUDIT_DAMAGE = "audit_damage"  # damage found in this log, in plain words


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
    first_bad: int | None  # the first entry missing, out of place, altered or cut
    problem: str  # plain words; "" when every link and the head check out
    findings: tuple[AuditEntry, ...] = ()  # damage found earlier, recorded in the log

    @property
    def intact(self) -> bool:
        return self.first_bad is None and not self.problem and not self.findings


@dataclass(frozen=True)
class Watch:
    """The log of a store someone signed in to: who would record a finding, and when."""

    account_id: str
    now: Callable[[], datetime]


@dataclass
class _Problem:
    words: str
    first_bad: int
    legacy: bool = False  # an older store's unkeyed head: check the chain, then key it


class AuditLog:
    def __init__(self, db: Database, key: bytes, watch: Watch | None = None) -> None:
        self._db = db
        self._key = key
        self._watch = watch
        self._store_id: str | None = None
        self.found: list[str] = []  # damage this log found and recorded: tell the person

    def record(
        self, at: datetime, account_id: str, action: AuditAction, subject: str, detail: str = ""
    ) -> int:
        """Append one entry (inside the caller's transaction, or its own). An open store's
        log first checks its head, and records what it finds before the entry."""
        with self._db.transaction():
            tail = self._tail()
            if self._watch is not None:
                tail = self._check_head(tail, self._watch)
            entry = self._append(tail, _stamp(at), account_id, action, subject, detail)
        return entry.seq

    def entries(self, limit: int | None = None) -> list[AuditEntry]:
        sql = f"SELECT {_COLUMNS} FROM audit_log ORDER BY seq"
        if limit is not None:
            sql += f" DESC LIMIT {int(limit)}"
        rows = [AuditEntry(*row) for row in self._db.execute(sql)]
        return sorted(rows, key=lambda e: e.seq)

    def latest(self, action: AuditAction, limit: int) -> list[AuditEntry]:
        """The newest entries of one kind, newest first."""
        rows = self._db.execute(
            f"SELECT {_COLUMNS} FROM audit_log WHERE action = ? ORDER BY seq DESC LIMIT ?",
            (action.value, limit),
        )
        return [AuditEntry(*row) for row in rows]

    def verify(self) -> AuditReport:
        """Walk the chain and check the head; report the first entry that is missing, out of
        place, altered or cut from the end, and every finding recorded earlier."""
        findings = tuple(reversed(self.latest(AuditAction.AUDIT_DAMAGE, 1000)))
        previous = GENESIS
        expected = 1
        count = 0
        keyed = False  # once an entry carries the mark, every later one must
        before: AuditEntry | None = None
        last: AuditEntry | None = None
        for row in self._db.execute(f"SELECT {_COLUMNS} FROM audit_log ORDER BY rowid"):
            entry = AuditEntry(*row)
            count += 1
            if entry.seq != expected:
                problem = (
                    f"entry #{expected} is missing"
                    if entry.seq > expected
                    else f"entry #{entry.seq} is out of order"
                )
                return AuditReport(count, expected, problem, findings)
            if hmac.compare_digest(self._entry_mac(previous, entry), entry.mac):
                keyed = True
            elif keyed or not hmac.compare_digest(self._legacy_mac(previous, entry), entry.mac):
                return AuditReport(count, entry.seq, f"entry #{entry.seq} was altered", findings)
            previous = entry.mac
            expected += 1
            before, last = last, entry
        head = self._head_problem(last, before)
        if head is not None and not head.legacy:  # an unkeyed head is a store from before
            return AuditReport(count, head.first_bad, head.words, findings)
        return AuditReport(count, None, "", findings)

    # The chain's end and its head
    def _tail(self) -> tuple[AuditEntry | None, AuditEntry | None]:
        """The last entry and the one before it (None where the log is shorter)."""
        rows = [
            AuditEntry(*row)
            for row in self._db.execute(
                f"SELECT {_COLUMNS} FROM audit_log ORDER BY seq DESC LIMIT 2"
            )
        ]
        return (rows[0] if rows else None, rows[1] if len(rows) > 1 else None)

    def _check_head(
        self, tail: tuple[AuditEntry | None, AuditEntry | None], watch: Watch
    ) -> tuple[AuditEntry | None, AuditEntry | None]:
        """Before an entry is added to an open store's log: record what is wrong with the
        head (or key an older store's head), so the entry goes on a chain that checks out."""
        problem = self._head_problem(*tail)
        if problem is None:
            return tail
        at, who = _stamp(watch.now()), watch.account_id
        if problem.legacy:
            report = self.verify()
            if report.intact:
                last = tail[0].seq if tail[0] else 0
                keyed = self._append(
                    tail, at, who, AuditAction.AUDIT_HEAD_KEYED, "audit_log",
                    f"a store from an older version: entries #1 to #{last} checked, "
                    "its head is keyed from here",
                )  # fmt: skip
                return keyed, tail[0]
            problem = _Problem(
                f"Checked before keying the head of a store from an older version: "
                f"{report.problem}.",
                report.first_bad or 1,
            )
        finding = self._append(tail, at, who, AuditAction.AUDIT_DAMAGE, "audit_log", problem.words)
        self.found.append(problem.words)
        return finding, tail[0]

    def _head_problem(self, last: AuditEntry | None, before: AuditEntry | None) -> _Problem | None:
        head = self._db.one("SELECT seq, mac FROM audit_head WHERE id = 1")
        if last is None:
            if head is None:
                return _Problem("The audit log is empty and its head record is gone: every "
                                "entry was removed.", 1)  # fmt: skip
            return _Problem(
                f"The audit log is empty, but its head record says it reached entry "
                f"#{head[0]}: every entry was removed.",
                1,
            )
        if head is None:
            return _Problem(
                f"The audit log's head record is gone; the log ends at entry #{last.seq}, "
                "and entries after it may have been removed.",
                last.seq + 1,
            )
        seq, mac = int(head[0]), str(head[1])
        if seq == last.seq and hmac.compare_digest(mac, self._head_mac(seq, last.mac)):
            return None
        if seq > last.seq:
            return _Problem(
                f"The audit log ends at entry #{last.seq}, but its head record says it "
                f"reached entry #{seq}: entries #{last.seq + 1} to #{seq} are missing.",
                last.seq + 1,
            )
        if seq == last.seq and mac == last.mac and not self._is_keyed(last, before):
            return _Problem("", 0, legacy=True)
        return _Problem(
            f"The audit log's head record does not match its last entry (#{last.seq}): the "
            f"head was rewritten, and entries after #{last.seq} may have been removed.",
            last.seq + 1,
        )

    def _is_keyed(self, last: AuditEntry, before: AuditEntry | None) -> bool:
        if last.seq == 1:
            previous = GENESIS
        elif before is not None and before.seq == last.seq - 1:
            previous = before.mac
        else:
            return False
        return hmac.compare_digest(self._entry_mac(previous, last), last.mac)

    # Writing and MACs
    def _append(
        self,
        tail: tuple[AuditEntry | None, AuditEntry | None],
        at: str,
        account_id: str,
        action: AuditAction,
        subject: str,
        detail: str,
    ) -> AuditEntry:
        """The next entry after the log's real end (not the head's word for it), and its
        keyed head, in the caller's transaction."""
        last = tail[0]
        seq, previous = (last.seq + 1, last.mac) if last else (1, GENESIS)
        unsigned = AuditEntry(seq, at, account_id, action.value, subject, detail, "")
        mac = self._entry_mac(previous, unsigned)
        self._db.execute(
            f"INSERT INTO audit_log ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (seq, at, account_id, action.value, subject, detail, mac),
        )
        self._db.execute(
            "INSERT INTO audit_head (id, seq, mac) VALUES (1, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, mac = excluded.mac",
            (seq, self._head_mac(seq, mac)),
        )
        return AuditEntry(seq, at, account_id, action.value, subject, detail, mac)

    def _entry_mac(self, previous: str, e: AuditEntry) -> str:
        return self._hmac([KEYED, previous, e.seq, e.at, e.account_id, e.action, e.subject,
                           e.detail])  # fmt: skip

    def _legacy_mac(self, previous: str, e: AuditEntry) -> str:
        """An entry as versions before keyed heads wrote it (kept to check older stores)."""
        return self._hmac([previous, e.seq, e.at, e.account_id, e.action, e.subject, e.detail])

    def _head_mac(self, seq: int, last_mac: str) -> str:
        return self._hmac(["head", seq, last_mac, self._store()])

    def _store(self) -> str:
        if self._store_id is None:
            self._store_id = store_id(self._db)
        return self._store_id

    def _hmac(self, parts: list[object]) -> str:
        message = json.dumps(parts, ensure_ascii=False, separators=(",", ":"))
        return hmac.new(self._key, message.encode("utf-8"), hashlib.sha256).hexdigest()


def chain_end(db: Database) -> tuple[int, str]:
    """The last entry's number and MAC (0 and GENESIS for an empty log): what is shown to
    the registry at each sync. No key needed, and nothing about a patient."""
    row = db.one("SELECT seq, mac FROM audit_log ORDER BY seq DESC LIMIT 1")
    return (int(row[0]), str(row[1])) if row else (0, GENESIS)


def mac_at(db: Database, seq: int) -> str:
    """The MAC of entry `seq`, or "" when there is no such entry."""
    row = db.one("SELECT mac FROM audit_log WHERE seq = ?", (seq,))
    return str(row[0]) if row else ""


def store_id(db: Database) -> str:
    row = db.one("SELECT value FROM store_info WHERE key = 'store_id'")
    return str(row[0]) if row else ""


def _stamp(at: datetime) -> str:
    return at.isoformat(timespec="milliseconds")
