"""The change feed: `GET /v1/changes?since=CURSOR&limit=N`.

One server-wide sequence orders every change; a client keeps the last seq it applied as
its cursor. Each change reaches only its audiences (a prescriber's office, a pharmacy, the
certified-pharmacy list). Records are never deleted from the feed except by compaction:
an older version of a patient, pharmacy or prescriber is dropped once a newer one exists,
and tombstones are dropped after `feed_tombstone_days`. A cursor from before the newest
dropped tombstone could miss a deletion, so it gets "resync required" instead of a page.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Text, and_, cast, delete, func, select

from registry import tables as t
from registry.meta import get_meta, put_meta

MAX_PAGE = 10_000
_FLOOR = "feed_floor"
_REPLACED_KINDS = ("patient", "pharmacy", "prescriber")


class ResyncRequired(Exception):
    """The cursor is older than what the feed keeps: start again from nothing."""


@dataclass(frozen=True)
class Page:
    changes_json: str  # the page's changes as a JSON array, bodies as stored (not re-encoded)
    count: int
    cursor: int
    more: bool

    def as_json(self) -> str:
        more = "true" if self.more else "false"
        return f'{{"changes":{self.changes_json},"cursor":{self.cursor},"more":{more}}}'

    @property
    def changes(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = json.loads(self.changes_json)
        return result


def floor(conn: Connection) -> int:
    return int(get_meta(conn, _FLOOR) or 0)


def page(conn: Connection, audiences: Sequence[str] | None, since: int, limit: int) -> Page:
    """Changes after `since` for these audiences (None: every audience, the operator's)."""
    if 0 < since < floor(conn):  # from 0 is a full download: nothing was missed
        raise ResyncRequired()
    limit = max(1, min(limit, MAX_PAGE))
    c = t.changes.c
    # The body is read as the text stored: a page is spliced together, not decoded and
    # encoded again (a first sync moves a million records).
    body = cast(c.body, Text)
    query = select(c.seq, c.kind, c.key, c.op, body).where(c.seq > since)
    if audiences is not None:
        query = query.where(c.audience.in_(list(audiences)))
    rows = conn.execute(query.order_by(c.seq).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    dumps = json.dumps
    parts = [
        f'{{"seq":{r[0]},"kind":{dumps(r[1])},"key":{dumps(r[2])},"op":{dumps(r[3])},'
        f'"body":{r[4] if r[4] is not None else "null"}}}'
        for r in rows
    ]
    return Page("[" + ",".join(parts) + "]", len(rows), int(rows[-1][0]) if rows else since, more)


def compact(conn: Connection, tombstones_before: datetime) -> int:
    """Drop superseded versions and old tombstones; returns the number of rows dropped."""
    c = t.changes.c
    newest = (
        select(c.audience, c.kind, c.key, func.max(c.seq).label("top"))
        .where(c.kind.in_(_REPLACED_KINDS))
        .group_by(c.audience, c.kind, c.key)
        .subquery()
    )
    superseded = (
        select(c.seq)
        .join(
            newest,
            and_(c.audience == newest.c.audience, c.kind == newest.c.kind, c.key == newest.c.key),
        )
        .where(c.seq < newest.c.top)
    )
    dropped = conn.execute(delete(t.changes).where(c.seq.in_(superseded))).rowcount
    # A patient who left an audience (a tombstone): everything before it there goes too.
    tomb = t.changes.alias("tomb")
    left = (
        select(tomb.c.seq)
        .where(
            tomb.c.op == "delete",
            tomb.c.kind == "patient",
            tomb.c.audience == c.audience,
            tomb.c.key == c.patient_id,
            tomb.c.seq > c.seq,
        )
        .exists()
    )
    dropped += conn.execute(delete(t.changes).where(left)).rowcount
    old = and_(c.op == "delete", c.at < tombstones_before.isoformat())
    top = conn.execute(select(func.max(c.seq)).where(old)).scalar()
    if top is not None:
        dropped += conn.execute(delete(t.changes).where(old)).rowcount
        put_meta(conn, _FLOOR, str(max(int(top), floor(conn))))
    return int(dropped)
