"""The pharmacy's workspace after sign-in: look a patient up by name and date of birth in this
workstation's snapshot (works offline), then read the eligibility preview, with the
prescriber on the prescription chosen. Loaded after sign-in, like the office's workspace."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.rda import RdaReason
from local_store.session import Session
from ui.desk import Desk
from ui.eligibility import EligibilityPanel, Preview, load_preview
from ui.tasks import StoreWorker
from ui.workspace_base import WorkspaceTabs

if TYPE_CHECKING:
    from sync.engine import SyncReport


@dataclass(frozen=True)
class Found:
    patient_id: str
    name: str
    dob: date
    prescriber_id: str | None


def look_up(session: Session, name: str, dob: date) -> list[Found]:
    """Patients on this workstation whose name starts so (case and accents ignored) and who
    were born on that day."""
    rows = session.roster(name_prefix=name, limit=200)
    return [Found(r.patient_id, r.name, r.dob, r.prescriber_id) for r in rows if r.dob == dob]


def prescribers(session: Session) -> list[tuple[str, str]]:
    return [(p.id, p.name or p.id) for p in session.ledger.prescribers()]


class PharmacyWorkspace(WorkspaceTabs):
    """The pharmacy's: its first paint is the look-up form with the prescriber list."""

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
        self.pharmacy_id = session.account.pharmacy_id or ""
        self.name = QLineEdit()
        self.name.setAccessibleName("Patient's name")
        self.name.setPlaceholderText("Name as on the prescription")
        self.dob = QDateEdit(QDate(1980, 1, 1))
        self.dob.setAccessibleName("Patient's date of birth")
        self.dob.setDisplayFormat("MM/dd/yyyy")
        self.dob.setCalendarPopup(True)
        self.find = QPushButton("&Look up")
        self.results = QListWidget()
        self.results.setAccessibleName("Patients found")
        self.found_note = QLabel()
        self.found_note.setWordWrap(True)
        self.found_note.setAccessibleName("Look-up result")
        self.prescriber = QComboBox()
        self.prescriber.setAccessibleName("Prescriber on the prescription")
        self.prescriber.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.panel = EligibilityPanel()
        form = QFormLayout()
        form.addRow("Patient's &name", self.name)
        form.addRow("Date of &birth", self.dob)
        form.addRow(self.find)
        form.addRow(self.found_note)
        form.addRow(self.results)
        form.addRow("Prescriber on the &prescription", self.prescriber)
        left = QWidget()
        left.setLayout(form)
        left.setMaximumWidth(480)
        page = QWidget()
        row = QHBoxLayout(page)
        row.addWidget(left)
        row.addWidget(self.panel, 1)
        outer = QWidget()
        box = QVBoxLayout(outer)
        who = QLabel(f"Signed in as <b>{session.account.name}</b> ({session.account.role.value})")
        box.addWidget(who)
        box.addWidget(page, 1)
        self.addTab(outer, "&Eligibility preview")
        self.find.clicked.connect(self.look_up)
        self.name.returnPressed.connect(self.look_up)
        self.results.currentItemChanged.connect(lambda *_: self.preview())
        self.prescriber.currentIndexChanged.connect(lambda *_: self.preview())

    def start(self) -> None:
        session = self.session
        self.worker.run(lambda: prescribers(session), self._show_prescribers)

    def _show_prescribers(self, found: list[tuple[str, str]]) -> None:
        self.prescriber.blockSignals(True)
        self.prescriber.clear()
        self.prescriber.addItem("The patient's own prescriber", "")
        for prescriber_id, name in found:
            self.prescriber.addItem(name, prescriber_id)
        self.prescriber.blockSignals(False)
        self.name.setFocus()
        self.firstPaint.emit()

    def on_report(self, report: SyncReport) -> None:
        if report.pulled.changes:
            self.start()
            self.preview()

    def look_up(self) -> None:
        name, dob, session = self.name.text().strip(), self.dob.date().toPython(), self.session
        if not name:
            self.found_note.setText("Type the patient's name and date of birth.")
            return
        self.worker.run(lambda: look_up(session, name, dob), self._show_found)

    def _show_found(self, found: list[Found]) -> None:
        self.results.clear()
        for patient in found:
            item = QListWidgetItem(f"{patient.name} · born {patient.dob:%m/%d/%Y}")
            item.setData(256, patient.patient_id)  # Qt.UserRole
            self.results.addItem(item)
        if not found:
            self.found_note.setText(
                "Not on this workstation. " + RdaReason.PATIENT_NOT_ENROLLED.message
            )
            self.panel.hide()
            return
        self.found_note.setText(f"{len(found)} found on this workstation.")
        self.results.setCurrentRow(0)

    def preview(self) -> None:
        item = self.results.currentItem()
        if item is None:
            return
        patient_id, session, today = str(item.data(256)), self.session, self.today()
        prescriber, pharmacy = str(self.prescriber.currentData() or ""), self.pharmacy_id
        self.worker.run(
            lambda: load_preview(session, pharmacy, patient_id, today, prescriber),
            self._show_preview,
            lambda e: self.found_note.setText(str(e)),
        )

    def _show_preview(self, preview: Preview) -> None:
        self.panel.show()
        self.panel.show_preview(preview, self.today())
