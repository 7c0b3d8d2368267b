"""The workstation file: what must be readable before the database opens.

It holds each account's sign-in details (email, display name, role, the wrapped data key
with its Argon2id salt and cost), failed-attempt counts and lock-outs, and audit events
that happened while no one was signed in (wrong passwords, lock-outs), which the next
sign-in moves into the audit chain. No patient data is ever written here.

The file is written atomically (temporary file, fsync, rename) and carries an HMAC keyed
from the device secret in the OS keyring, so editing it by hand, to clear a lock-out say,
is detected rather than obeyed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from app.roles import Role
from local_store.errors import StoreDamaged
from local_store.keys import KdfParams, WrappedKey

FORMAT = "clozapine-desk-workstation/1"


@dataclass
class WorkstationAccount:
    id: str
    email: str
    name: str
    role: Role
    wrapped: WrappedKey
    prescriber_id: str | None = None
    pharmacy_id: str | None = None
    failed_attempts: int = 0
    locked_until: datetime | None = None
    active: bool = True


@dataclass
class PendingEvent:
    at: datetime
    account_id: str
    action: str
    detail: str = ""


@dataclass
class WorkstationFile:
    store_id: str
    accounts: dict[str, WorkstationAccount] = field(default_factory=dict)
    pending: list[PendingEvent] = field(default_factory=list)

    def by_email(self, email: str) -> WorkstationAccount | None:
        wanted = normalize_email(email)
        return next((a for a in self.accounts.values() if a.email == wanted), None)


def normalize_email(email: str) -> str:
    return email.strip().lower()


def read(path: Path, mac_key: bytes) -> WorkstationFile:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise StoreDamaged(f"The workstation file {path} cannot be read ({exc}).") from exc
    body = {k: v for k, v in raw.items() if k != "mac"}
    if raw.get("format") != FORMAT or not hmac.compare_digest(
        str(raw.get("mac", "")), _mac(body, mac_key)
    ):
        raise StoreDamaged(
            f"The workstation file {path} was changed outside Clozapine REMS Desk, so its "
            "accounts cannot be trusted. Restore it from a backup or ask IT support."
        )
    return WorkstationFile(
        store_id=body["store_id"],
        accounts={a["id"]: _account_from(a) for a in body["accounts"]},
        pending=[
            PendingEvent(datetime.fromisoformat(e["at"]), e["account_id"], e["action"], e["detail"])
            for e in body["pending"]
        ],
    )


def peek_store_id(path: Path) -> str:
    """The store id, needed to find the device secret that checks the file's MAC."""
    try:
        return str(json.loads(path.read_text(encoding="utf-8"))["store_id"])
    except (OSError, ValueError, KeyError) as exc:
        raise StoreDamaged(f"The workstation file {path} cannot be read ({exc}).") from exc


def write(path: Path, data: WorkstationFile, mac_key: bytes) -> None:
    body: dict[str, Any] = {
        "format": FORMAT,
        "store_id": data.store_id,
        "accounts": [_account_to(a) for a in data.accounts.values()],
        "pending": [
            {
                "at": e.at.isoformat(),
                "account_id": e.account_id,
                "action": e.action,
                "detail": e.detail,
            }
            for e in data.pending
        ],
    }
    body["mac"] = _mac(body, mac_key)
    text = json.dumps(body, indent=1, sort_keys=True)
    fd, temp = tempfile.mkstemp(prefix=".workstation-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def _mac(body: dict[str, Any], key: bytes) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"))
    return hmac.new(key, canonical.encode(), hashlib.sha256).hexdigest()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _account_to(a: WorkstationAccount) -> dict[str, Any]:
    return {
        "id": a.id,
        "email": a.email,
        "name": a.name,
        "role": a.role.value,
        "prescriber_id": a.prescriber_id,
        "pharmacy_id": a.pharmacy_id,
        "failed_attempts": a.failed_attempts,
        "locked_until": a.locked_until.isoformat() if a.locked_until else None,
        "active": a.active,
        "key": {
            "salt": _b64(a.wrapped.salt),
            "nonce": _b64(a.wrapped.nonce),
            "sealed": _b64(a.wrapped.sealed),
            "argon2id": a.wrapped.kdf.as_dict(),
        },
    }


def _account_from(d: dict[str, Any]) -> WorkstationAccount:
    key = d["key"]
    return WorkstationAccount(
        id=d["id"],
        email=d["email"],
        name=d["name"],
        role=Role(d["role"]),
        prescriber_id=d["prescriber_id"],
        pharmacy_id=d["pharmacy_id"],
        failed_attempts=d["failed_attempts"],
        locked_until=datetime.fromisoformat(d["locked_until"]) if d["locked_until"] else None,
        active=d["active"],
        wrapped=WrappedKey(
            salt=base64.b64decode(key["salt"]),
            nonce=base64.b64decode(key["nonce"]),
            sealed=base64.b64decode(key["sealed"]),
            kdf=KdfParams.from_dict(key["argon2id"]),
        ),
    )
