"""The registry's plain reads that no rule decides: lists a route shows as they are stored."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from registry import tables as t


def pharmacy_staff(conn: Connection, pharmacy_id: str, now: str) -> dict[str, Any]:
    """The pharmacy's people, and its invitations not accepted and not expired at `now`."""
    a, i = t.accounts.c, t.invitations.c
    people = conn.execute(
        select(a.id, a.name, a.email, a.role, a.active)
        .where(a.pharmacy_id == pharmacy_id)
        .order_by(a.role, a.name, a.id)
    )
    waiting = conn.execute(
        select(i.email, i.name, i.role, i.expires_at)
        .where(i.pharmacy_id == pharmacy_id, i.accepted_by.is_(None), i.expires_at > now)
        .order_by(i.expires_at)
    )
    return {
        "people": [
            {
                "account_id": r.id,
                "name": r.name,
                "email": r.email or "",
                "role": r.role,
                "active": bool(r.active),
            }
            for r in people
        ],
        "invitations": [
            {"email": r.email, "name": r.name, "role": r.role, "expires_at": r.expires_at}
            for r in waiting
        ],
    }


def office_notifications(
    conn: Connection, prescriber_id: str, since: int, limit: int
) -> list[dict[str, Any]]:
    """The prescriber's neutropenia notifications after `since` (their seq), oldest first."""
    n = t.notifications.c
    rows = conn.execute(
        select(t.notifications)
        .where(n.prescriber_id == prescriber_id, n.seq > since)
        .order_by(n.seq)
        .limit(limit)
    )
    return [
        {
            "seq": r.seq,
            "patient_id": r.patient_id,
            "code": r.code,
            "per_ul": r.per_ul,
            "drawn": r.drawn,
            "on": r.on_date,
        }
        for r in rows
    ]


def operator_audit(conn: Connection, since: int, limit: int = 1000) -> list[dict[str, Any]]:
    a = t.operator_audit.c
    rows = conn.execute(
        select(t.operator_audit).where(a.seq > since).order_by(a.seq).limit(limit)
    ).all()
    return [dict(r._mapping) for r in rows]
