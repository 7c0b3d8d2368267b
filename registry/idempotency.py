"""Idempotency-Key: a retried POST takes effect once.

The key is claimed in its own committed transaction ("in flight"); the act and the stored
response then commit together. So a key is either unclaimed, in flight (409), or done with
its response replayed as it was first given (a refusal too). The same key with another body,
or from another account, is a client bug: 422. A worker that died after claiming leaves the
key in flight; once that is older than the takeover time, the next request takes it over
(the act had rolled back with the worker).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, bindparam, delete, select

from registry import tables as t
from registry.sql import insert_ignore

IN_FLIGHT = "in_flight"
DONE = "done"


def request_hash(method: str, path: str, body: Any) -> str:
    """What makes two requests "the same". A password is left out: the stored hash of a
    body that held one would be a fast hash of that password."""
    if isinstance(body, dict) and "password" in body:
        body = {k: v for k, v in body.items() if k != "password"}
    canonical = json.dumps([method, path, body], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class Claimed:
    pass


@dataclass(frozen=True)
class Replay:
    status_code: int
    body: Any


@dataclass(frozen=True)
class Refused:
    status_code: int  # 409 in flight, 422 reused for another request
    message: str


def claim(
    conn: Connection,
    key: str,
    account_id: str,
    digest: str,
    now: datetime,
    takeover_after: timedelta,
) -> Claimed | Replay | Refused:
    stamp = now.isoformat()
    if insert_ignore(
        conn,
        t.idempotency_keys,
        {
            "key": key,
            "account_id": account_id,
            "request_sha256": digest,
            "state": IN_FLIGHT,
            "started_at": stamp,
            "created_at": stamp,
        },
        ["key"],
    ):
        return Claimed()
    k = t.idempotency_keys.c
    row = conn.execute(select(t.idempotency_keys).where(k.key == key)).first()
    if row is None:  # removed between the two statements: a released claim
        return Refused(409, "This request is being processed. Try again in a moment.")
    if row.account_id != account_id or row.request_sha256 != digest:
        return Refused(
            422,
            "This Idempotency-Key was already used for a different request. Each new "
            "request needs its own key.",
        )
    if row.state == DONE:
        return Replay(int(row.status_code), row.response)
    if datetime.fromisoformat(row.started_at) + takeover_after <= now:
        conn.execute(t.idempotency_keys.update().where(k.key == key).values(started_at=stamp))
        return Claimed()
    return Refused(409, "This request is still being processed. Try again in a moment.")


_FINISH = (
    t.idempotency_keys.update()
    .where(t.idempotency_keys.c.key == bindparam("k"))
    .values(state=DONE, status_code=bindparam("status"), response=bindparam("body"))
)


def finish(conn: Connection, key: str, status_code: int, body: Any) -> None:
    """Store the response, in the same transaction as the act."""
    conn.execute(_FINISH, {"k": key, "status": status_code, "body": body})


def release(conn: Connection, key: str) -> None:
    """The act failed unexpectedly (nothing was written): the key is free to try again."""
    k = t.idempotency_keys.c
    conn.execute(delete(t.idempotency_keys).where(k.key == key, k.state == IN_FLIGHT))


def prune(conn: Connection, older_than: datetime) -> int:
    k = t.idempotency_keys.c
    result = conn.execute(
        delete(t.idempotency_keys).where(k.created_at < older_than.isoformat(), k.state == DONE)
    )
    return int(result.rowcount)
