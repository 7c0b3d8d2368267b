"""The sync cursor and the registry snapshot's age.

The prescriber and pharmacy certification, and each patient's status, in the store are the
registry's as of the last sync; previews say how old that is.
"""

from __future__ import annotations

from datetime import datetime

from local_store.database import Database


class SyncState:
    def __init__(self, db: Database) -> None:
        self._db = db

    def get(self, key: str) -> str | None:
        row = self._db.one("SELECT value FROM sync_state WHERE key = ?", (key,))
        return None if row is None else str(row[0])

    def put(self, key: str, value: str) -> None:
        with self._db.transaction():
            self._db.execute(
                "INSERT INTO sync_state (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    @property
    def cursor(self) -> str | None:
        return self.get("cursor")

    def advance(self, cursor: str, at: datetime) -> None:
        """Move the cursor and stamp the snapshot, in the caller's transaction with the page."""
        with self._db.transaction():
            self.put("cursor", cursor)
            self.put("snapshot_as_of", at.isoformat())

    @property
    def snapshot_as_of(self) -> datetime | None:
        value = self.get("snapshot_as_of")
        return datetime.fromisoformat(value) if value else None
