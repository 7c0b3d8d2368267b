"""One sync: handshake, push the outbox, pull the feed, show the registry the audit log's
head. Knows online from offline, flags a clock more than five minutes off, and never runs on
the GUI thread (`SyncWorker` is a thread with its own store connection)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from app.version import VERSION
from local_store.database import Database
from local_store.outbox import Outbox
from sync import program_contact
from sync.audit_head import show_audit_head
from sync.client import (
    RegistryClient,
    RegistryNotTrusted,
    RegistryUnreachable,
    SignInRequired,
)
from sync.pull import PullFailed, PullReport, pull
from sync.push import PushReport, push

CLIENT_VERSION = VERSION  # the app, as installed or frozen
PROTOCOL = 1
CLOCK_TOLERANCE = timedelta(minutes=5)


class Connectivity(StrEnum):
    ONLINE = "online"
    OFFLINE = "offline"
    SIGN_IN_REQUIRED = "sign_in_required"
    UPDATE_REQUIRED = "update_required"


@dataclass
class SyncReport:
    connectivity: Connectivity
    at: datetime
    pushed: PushReport = field(default_factory=PushReport)
    pulled: PullReport = field(default_factory=PullReport)
    queued: int = 0
    clock_warning: str | None = None
    problem: str | None = None
    audit_damage: str | None = None  # the registry found this workstation's log rewritten


def _version_tuple(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in text.split(".") if p.isdigit())


def sync_once(db: Database, client: RegistryClient, now: Callable[[], datetime]) -> SyncReport:
    report = SyncReport(Connectivity.ONLINE, now())
    try:
        hello = client.handshake()
        if int(hello["protocol"]) != PROTOCOL or _version_tuple(
            hello["min_client_version"]
        ) > _version_tuple(CLIENT_VERSION):
            report.connectivity = Connectivity.UPDATE_REQUIRED
            report.problem = (
                "This version of Clozapine REMS Desk is too old for the registry. Install the "
                "update; your queued work is kept and will be sent after."
            )
            return report
        program_contact.remember(db, hello)
        skew = datetime.fromisoformat(hello["server_time"]) - now()
        if abs(skew) > CLOCK_TOLERANCE:
            minutes = int(abs(skew).total_seconds() // 60)
            report.clock_warning = (
                f"This computer's clock is {minutes} minutes "
                f"{'behind' if skew > timedelta(0) else 'ahead of'} the registry's. Dates on "
                "forms may be wrong: ask your IT contact to correct the clock."
            )
        report.pushed = push(db, client, now)
        if report.pushed.sign_in_required:
            report.connectivity = Connectivity.SIGN_IN_REQUIRED
        elif report.pushed.offline:
            report.connectivity = Connectivity.OFFLINE
        else:
            report.pulled = pull(db, client, now)
            report.audit_damage = show_audit_head(db, client)
            report.problem = report.audit_damage
    except SignInRequired as error:
        report.connectivity = Connectivity.SIGN_IN_REQUIRED
        report.problem = str(error)
    except RegistryNotTrusted as error:
        report.connectivity = Connectivity.OFFLINE
        report.problem = f"{error} Work is kept and queued."
    except RegistryUnreachable as error:
        report.connectivity = Connectivity.OFFLINE
        report.problem = f"The registry cannot be reached; work is kept and queued ({error})."
    except PullFailed as error:
        report.problem = str(error)
    report.queued = Outbox(db).pending_count()
    return report


class SyncWorker(threading.Thread):
    """Syncs every `interval` seconds, and at once when `wake()` is called, on its own
    thread with its own connection to the store. `on_report` is called from this thread."""

    def __init__(
        self,
        open_db: Callable[[], Database],
        client: RegistryClient,
        now: Callable[[], datetime],
        on_report: Callable[[SyncReport], None],
        interval: float = 60.0,
    ) -> None:
        super().__init__(name="registry-sync", daemon=True)
        self._open_db, self.client, self._now = open_db, client, now
        self._on_report, self._interval = on_report, interval
        self._wake, self._stopping = threading.Event(), threading.Event()

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()

    def run(self) -> None:
        db = self._open_db()
        try:
            Outbox(db).reset_stale_sending(self._now())
            while not self._stopping.is_set():
                self._on_report(sync_once(db, self.client, self._now))
                self._wake.wait(self._interval)
                self._wake.clear()
        finally:
            db.close()
