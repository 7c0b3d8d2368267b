"""The registry's plain reads that no rule decides: lists a route shows as they are stored."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select, true

from app.roles import Role
from registry import tables as t


def pharmacy_staff(conn: Connection, pharmacy_id: str, now: str) -> dict[str, Any]:
    """The pharmacy's people, and its invitations not accepted and not expired at `now`."""
    return _people(conn, t.accounts.c.pharmacy_id, t.invitations.c.pharmacy_id, pharmacy_id, now)


def office_designees(conn: Connection, prescriber_id: str, now: str) -> dict[str, Any]:
    """The prescriber's designees, and the designee invitations still open at `now`."""
    return _people(
        conn,
        t.accounts.c.prescriber_id,
        t.invitations.c.prescriber_id,
        prescriber_id,
        now,
        # A listing, not a permission (the route's allowed(Action.SEE_DESIGNEES) is that).
        people_role=t.accounts.c.role == Role.DESIGNEE.value,
        invited_role=t.invitations.c.role == Role.DESIGNEE.value,
    )


def _people(
    conn: Connection,
    account_column: Any,
    invitation_column: Any,
    value: str,
    now: str,
    *,
    people_role: Any = None,
    invited_role: Any = None,
) -> dict[str, Any]:
    a, i = t.accounts.c, t.invitations.c
    people_role = true() if people_role is None else people_role
    invited_role = true() if invited_role is None else invited_role
    people = conn.execute(
        select(a.id, a.name, a.email, a.role, a.active)
        .where(account_column == value, people_role)
        .order_by(a.role, a.name, a.id)
    )
    waiting = conn.execute(
        select(i.email, i.name, i.role, i.expires_at)
        .where(
            invitation_column == value, invited_role, i.accepted_by.is_(None), i.expires_at > now
        )
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
