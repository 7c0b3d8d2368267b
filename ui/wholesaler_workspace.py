"""A wholesaler's workspace: the certified-pharmacy list (search, CSV export) and the order
check, which asks the registry itself whether a pharmacy is certified now (rules.md §9:
ship only to a certified pharmacy). A wholesaler's workstation holds no patient."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMainWindow

from local_store.session import Session
from ui.desk import Desk
from ui.pharmacy_list import PharmacyListView
from ui.tasks import StoreWorker
from ui.workspace_base import WorkspaceTabs

if TYPE_CHECKING:
    from sync.engine import SyncReport

PURPOSE = (
    "Ship clozapine only to a certified pharmacy. Search the list, then check the pharmacy on "
    "the order with the registry: its answer is the one that counts."
)


class WholesalerWorkspace(WorkspaceTabs):
    def __init__(
        self,
        window: QMainWindow,
        desk: Desk,
        worker: StoreWorker,
        session: Session,
        today: Callable[[], date],
        sync_now: Callable[[], None],
    ) -> None:
        super().__init__(window, desk, worker, session, today, sync_now)
        self.pharmacies = PharmacyListView(session, worker, self.calls, today, PURPOSE)
        self.addTab(self.pharmacies, "&Certified pharmacies")

    def start(self) -> None:
        self.pharmacies.load(self.firstPaint.emit)

    def on_report(self, report: SyncReport) -> None:
        if report.pulled.changes:
            self.pharmacies.load()
