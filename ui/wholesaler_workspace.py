"""A wholesaler's workspace: the certified-pharmacy list (search, CSV export) and the order
check, which asks the registry itself whether a pharmacy is certified now (rules.md §9:
ship only to a certified pharmacy). A wholesaler's workstation holds no patient."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ui.pharmacy_list import PharmacyListView
from ui.workspace_base import Surroundings, WorkspaceTabs

if TYPE_CHECKING:
    from desk.registry import SyncReport

PURPOSE = (
    "Ship clozapine only to a certified pharmacy. Search the list, then check the pharmacy on "
    "the order with the registry: its answer is the one that counts."
)


class WholesalerWorkspace(WorkspaceTabs):
    def __init__(self, around: Surroundings) -> None:
        super().__init__(around)
        session, worker, today = around.session, around.worker, around.today
        self.pharmacies = PharmacyListView(session, worker, self.calls, today, PURPOSE)
        self.addTab(self.pharmacies, "&Certified pharmacies")

    def start(self) -> None:
        self.pharmacies.load(self.firstPaint.emit)

    def on_report(self, report: SyncReport) -> None:
        if report.pulled.changes:
            self.pharmacies.load()
