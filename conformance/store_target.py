"""Plays scenarios against the rules engine over the encrypted local store (a real
SQLCipher file per scenario), to show the store adapter answers the rules exactly as the
in-memory ledger does."""

from __future__ import annotations

import contextlib
import secrets
import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from app.ports import ProgramLedger
from conformance.local_target import LocalTarget
from local_store import schema
from local_store.database import Database
from local_store.ledger import StoreLedger


class StoreTarget(LocalTarget):
    name = "store"

    def new_ledger(self) -> ProgramLedger:
        self._folder = Path(tempfile.mkdtemp(prefix="clozapine-scenario-"))
        self.db = Database.open(self._folder / "store.db", secrets.token_bytes(32))
        schema.migrate(self.db, lambda: datetime.now(UTC))
        self.db.actor_id = "scenario-runner"
        return StoreLedger(self.db)

    def step_transaction(self) -> contextlib.AbstractContextManager[object]:
        return self.db.transaction()

    def close(self) -> None:
        self.db.close()
        shutil.rmtree(self._folder, ignore_errors=True)
