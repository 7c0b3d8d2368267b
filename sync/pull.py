"""Pulling the change feed: page by page, each page applied and the cursor moved in one
local transaction. A cursor older than the registry keeps ("resync required") starts over:
the registry's records here are dropped and pulled again; forms and the outbox stay."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime

from local_store.database import Database
from local_store.mirror import apply_page, forget_everything
from local_store.sync_state import SyncState
from sync.client import Answer, RegistryClient, RegistryUnreachable

PAGE = 10_000


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
    """Pull until the feed has nothing more. While one page is applied, the next is already
    being fetched (a first sync is a thousand pages: network and store work overlap)."""
    report = PullReport()
    # The client is used by one thread at a time: the fetcher while the page is applied here.
    ahead: Future[Answer] | None = None
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="feed-fetch") as fetcher:
        while True:
            cursor = int(SyncState(db).cursor or 0)
            answer = ahead.result() if ahead is not None else client.changes(cursor, page)
            ahead = None
            if answer.ok and answer.body["more"]:
                ahead = fetcher.submit(client.changes, int(answer.body["cursor"]), page)
            if _apply_answer(db, answer, now, report):
                return report


def _apply_answer(
    db: Database, answer: Answer, now: Callable[[], datetime], report: PullReport
) -> bool:
    """Apply one answer; True when the feed has nothing more."""
    if answer.status == 410:
        if report.resynced:  # a fresh start must be served; never loop on it
            raise PullFailed(answer.message or "the change feed refused a full download")
        forget_everything(db)
        report.resynced = True
        return False
    if not answer.ok:
        if answer.status >= 500:
            raise RegistryUnreachable(f"the change feed answered {answer.status}")
        raise PullFailed(answer.message or f"the change feed answered {answer.status}")
    body = answer.body
    report.conflicts += apply_page(db, body["changes"], int(body["cursor"]), now())
    report.changes += len(body["changes"])
    report.pages += 1
    return not body["more"]
