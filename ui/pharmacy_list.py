"""The certified-pharmacy list: for a wholesaler before shipping, and for an office finding a
pharmacy for a patient. It reads this workstation's copy of the registry's list (so it works
offline, with its age shown), searches by name or id as you type, and exports what is shown
as CSV. "Check with the registry" asks the registry itself for one pharmacy: only its answer
clears an order."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desk.pharmacy import ListedPharmacy, PharmacyList, certified_pharmacies
from desk.session import Session
from ui import save_paths, theme
from ui.eligibility import as_of_text
from ui.registry_calls import RegistryCalls
from ui.spreadsheet_cells import spreadsheet_safe
from ui.tasks import StoreWorker

CSV_HEADER = ("pharmacy_id", "name", "setting", "certified_as_of")


def matches(pharmacy: ListedPharmacy, text: str) -> bool:
    wanted = text.strip().casefold()
    return not wanted or wanted in pharmacy.name.casefold() or wanted in pharmacy.pharmacy_id


def to_csv(pharmacies: list[ListedPharmacy], on: date) -> str:
    """The list as CSV, each cell quoted (a carriage return in a name cannot split a row)
    and none a spreadsheet would run as a formula (OWASP's advice on CSV injection)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writerow(CSV_HEADER)
    for p in pharmacies:
        cells = (p.pharmacy_id, p.name, p.setting, on.isoformat())
        writer.writerow(spreadsheet_safe(cell) for cell in cells)
    return out.getvalue()


class PharmacyListView(QWidget):
    def __init__(
        self,
        session: Session,
        worker: StoreWorker,
        calls: RegistryCalls,
        today: Callable[[], date],
        purpose: str,
    ) -> None:
        super().__init__()
        self.session, self.worker, self.calls, self.today = session, worker, calls, today
        self.all: list[ListedPharmacy] = []
        intro = QLabel(purpose)
        intro.setWordWrap(True)
        self.search = QLineEdit()
        self.search.setAccessibleName("Search pharmacies")
        self.search.setPlaceholderText("Search by pharmacy name or id")
        self.search.setClearButtonEnabled(True)
        self.table = QTableWidget(0, 3)
        self.table.setAccessibleName("Certified pharmacies")
        self.table.setHorizontalHeaderLabels(["Pharmacy", "Setting", "Pharmacy id"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.count = QLabel()
        self.count.setAccessibleName("Pharmacies shown")
        self.as_of = QLabel()
        self.as_of.setObjectName("subtitle")
        self.check = QPushButton("Check with the re&gistry")  # Alt+C: the tab
        self.check.setToolTip("Ask the registry whether the selected pharmacy is certified now")
        self.export = QPushButton("&Export CSV…")
        self.verdict = QLabel("Select a pharmacy, then check it with the registry.")
        self.verdict.setWordWrap(True)
        self.verdict.setAccessibleName("Order check")
        row = QHBoxLayout()
        row.addWidget(self.search, 1)
        row.addWidget(self.export)
        buttons = QHBoxLayout()
        buttons.addWidget(self.check)
        buttons.addWidget(self.verdict, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(row)
        layout.addWidget(self.count)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.as_of)
        layout.addLayout(buttons)
        self.search.textChanged.connect(lambda *_: self._fill())
        self.export.clicked.connect(lambda: self.export_csv())
        self.check.clicked.connect(self.check_selected)
        self.table.itemSelectionChanged.connect(
            lambda: self.verdict.setText("Check the selected pharmacy with the registry.")
        )

    def load(self, then: Callable[[], None] | None = None) -> None:
        session, today = self.session, self.today()

        def show(listing: PharmacyList) -> None:
            self._show(listing)
            if then is not None:
                then()

        self.worker.run(lambda: certified_pharmacies(session, today), show)

    def _show(self, listing: PharmacyList) -> None:
        self.all = listing.pharmacies
        self.as_of.setText(
            "Certified on this workstation's copy of the registry's list. "
            + as_of_text(listing.as_of, self.today())
        )
        self._fill()

    def shown(self) -> list[ListedPharmacy]:
        return [p for p in self.all if matches(p, self.search.text())]

    def _fill(self) -> None:
        shown = self.shown()
        self.table.setRowCount(len(shown))
        for r, p in enumerate(shown):
            for c, text in enumerate((p.name, p.setting.capitalize(), p.pharmacy_id)):
                self.table.setItem(r, c, QTableWidgetItem(text))
        self.count.setText(f"{len(shown)} of {len(self.all)} certified pharmacies shown.")

    def export_csv(self, path: str | None = None) -> None:
        """The pharmacies shown, as CSV where the person chooses (no patient in it)."""
        if path is None:
            path, _ = QFileDialog.getSaveFileName(
                self,
                "Export the list",
                save_paths.suggested_path("certified-pharmacies", ".csv"),
                "CSV (*.csv)",
            )
            if path:
                save_paths.remember(path)
        if not path:
            return
        shown, session = self.shown(), self.session
        Path(path).write_text(to_csv(shown, self.today()), encoding="utf-8")
        self.worker.run(lambda: session.record_export("certified_pharmacies", f"{len(shown)} rows"))
        self.count.setText(f"Exported {len(shown)} pharmacies to {Path(path).name}.")

    def selected(self) -> ListedPharmacy | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        shown = self.shown()
        return shown[rows[0].row()] if rows[0].row() < len(shown) else None

    def check_selected(self) -> None:
        pharmacy = self.selected()
        if pharmacy is None:
            self.verdict.setText("Select a pharmacy in the list first.")
            return
        self.verdict.setText(f"Asking the registry about {pharmacy.name}…")
        self.calls.run(
            lambda api: api.pharmacy_certified(pharmacy.pharmacy_id),
            lambda certified: self._checked(pharmacy, certified),
            lambda words, _offline: self._unchecked(pharmacy, words),
        )

    def _checked(self, pharmacy: ListedPharmacy, certified: bool) -> None:
        if certified:
            text = f"✓ {pharmacy.name} is certified now, says the registry: the order may ship."
            color = theme.OK_TEXT
        else:
            text = f"✗ {pharmacy.name} is NOT certified, says the registry: do not ship."
            color = theme.ALERT_TEXT
        self.verdict.setText(text)
        self.verdict.setStyleSheet(f"color: {color}; font-weight: 600;")

    def _unchecked(self, pharmacy: ListedPharmacy, words: str) -> None:
        self.verdict.setText(
            f"{words} The list above is as of the last sync; do not ship to {pharmacy.name} "
            "until the registry confirms."
        )
        self.verdict.setStyleSheet(f"color: {theme.ALERT_TEXT};")
