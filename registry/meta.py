"""Registry-wide settings kept in the database (shared by every worker)."""

from __future__ import annotations

from sqlalchemy import Connection, select

from registry import tables as t
from registry.sql import upsert


def get_meta(conn: Connection, key: str) -> str | None:
    row = conn.execute(select(t.registry_meta.c.value).where(t.registry_meta.c.key == key)).first()
    return None if row is None else str(row[0])


def put_meta(conn: Connection, key: str, value: str) -> None:
    upsert(conn, t.registry_meta, {"key": key, "value": value}, ["key"])
