"""Pulling the change feed: page by page, each page applied and the cursor moved in one
local transaction. A cursor older than the registry keeps ("resync required") starts over:
the registry's records here are dropped and pulled again; forms and the outbox stay."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from local_store.database import Database
from local_store.mirror import apply_page, forget_everything
from local_store.sync_state import SyncState
from sync.client import RegistryClient, RegistryUnreachable

PAGE = 5000


@dataclass
class PullReport:
    changes: int = 0
    pages: int = 0
    conflicts: int = 0
    resynced: bool = False


class PullFailed(Exception):
    pass


def pull(
    db: Database, client: RegistryClient, now: Callable[[], datetime], *, page: int = PAGE
) -> PullReport:
    report = PullReport()
    while True:
        cursor = int(SyncState(db).cursor or 0)
        answer = client.changes(cursor, page)
        if answer.status == 410:
            if report.resynced:  # a fresh start must be served; never loop on it
                raise PullFailed(answer.message or "the change feed refused a full download")
            forget_everything(db)
            report.resynced = True
            continue
        if not answer.ok:
            if answer.status >= 500:
                raise RegistryUnreachable(f"the change feed answered {answer.status}")
            raise PullFailed(answer.message or f"the change feed answered {answer.status}")
        body = answer.body
        report.conflicts += apply_page(db, body["changes"], int(body["cursor"]), now())
        report.changes += len(body["changes"])
        report.pages += 1
        if not body["more"]:
            return report
