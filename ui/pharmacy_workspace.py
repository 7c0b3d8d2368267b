"""The pharmacy's workspace after sign-in.

- Eligibility: look a patient up by name and date of birth, on this workstation at once and
  at the registry when online (a patient found there gains this pharmacy's access, and their
  chart arrives with the next sync). The preview runs `app/`'s RDA rules over the snapshot
  (offline too); "Request authorization" asks the registry, whose answer is the authority
  and is recorded; a PSF-only denial offers the Dispense Rationale; offline, the fallback
  fax prints.
- Pharmacy: certification, setting, reconfirmation reminders, staff (AR).
- Registry answers: what the registry answered here, from the tamper-evident log.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.rda import RdaReason
from app.registry_answers import FoundPatient, RationaleAnswer, RdaAnswer
from app.statuses import PharmacySetting
from desk.eligibility import Preview, load_preview
from desk.pharmacy import PharmacyFacts, load_facts, look_up, prescribers
from desk.registry import RDA_PATH, RegistryApi, rda_request
from ui.dispense_rationale import DispenseRationaleDialog
from ui.dispensing import RdaBox
from ui.dispensing_requests import DispensingRequests
from ui.eligibility import EligibilityPanel
from ui.fallback_fax import fallback_job
from ui.pharmacy_dashboard import PharmacyDashboard
from ui.workspace_base import Surroundings, WorkspaceTabs

if TYPE_CHECKING:
    from desk.registry import SyncReport

Found = FoundPatient  # a patient found here or at the registry


class PharmacyWorkspace(WorkspaceTabs):
    """The pharmacy's: its first paint is the look-up form with the prescriber list."""

    previewShown = Signal()

    def __init__(self, around: Surroundings) -> None:
        super().__init__(around)
        session, today = around.session, around.today
        self.pharmacy_id = session.account.pharmacy_id or ""
        self.setting: PharmacySetting | None = None
        self.local_found: list[Found] = []
        self.registry_found: list[Found] = []
        self.current: Found | None = None
        self.preview_asked = 0  # only the newest preview asked for is shown
        self.name = QLineEdit()
        self.name.setAccessibleName("Patient's name")
        self.name.setPlaceholderText("Name as on the prescription")
        self.dob = QDateEdit(QDate(1980, 1, 1))
        self.dob.setAccessibleName("Patient's date of birth")
        self.dob.setDisplayFormat("MM/dd/yyyy")
        self.dob.setCalendarPopup(True)
        self.look_up_button = QPushButton("&Look up")
        self.results = QListWidget()
        self.results.setAccessibleName("Patients found")
        self.found_note = QLabel()
        self.found_note.setWordWrap(True)
        self.found_note.setAccessibleName("Look-up result")
        self.registry_note = QLabel()
        self.registry_note.setWordWrap(True)
        self.registry_note.setAccessibleName("Registry look-up")
        self.prescriber = QComboBox()
        self.prescriber.setAccessibleName("Prescriber on the prescription")
        self.prescriber.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.panel = EligibilityPanel()
        self.rda = RdaBox(today)
        self.dispensing = DispensingRequests(session, self.worker, self.calls)
        form = QFormLayout()
        form.addRow("Patient's &name", self.name)
        form.addRow("Date of &birth", self.dob)
        form.addRow(self.look_up_button)
        form.addRow(self.found_note)
        form.addRow(self.registry_note)
        form.addRow(self.results)
        form.addRow("Prescriber on the &prescription", self.prescriber)
        left = QWidget()
        left.setLayout(form)
        left.setMaximumWidth(480)
        right = QWidget()
        column = QVBoxLayout(right)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.panel, 1)
        column.addWidget(self.rda)
        page = QWidget()
        row = QHBoxLayout(page)
        row.addWidget(left)
        row.addWidget(right, 1)
        outer = QWidget()
        box = QVBoxLayout(outer)
        role = session.account.role.label
        box.addWidget(QLabel(f"Signed in as <b>{session.account.name}</b> ({role})"))
        box.addWidget(page, 1)
        self.addTab(outer, "&Eligibility and RDA")
        self.dashboard = PharmacyDashboard(session, self.calls, today, self.sync_now)
        self.addTab(self.dashboard, "P&harmacy")
        self.answers = QTableWidget(0, 3)
        self.answers.setAccessibleName("Registry answers recorded here")
        self.answers.setHorizontalHeaderLabels(["When", "Who asked", "The registry's answer"])
        self.answers.verticalHeader().setVisible(False)
        self.answers.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.answers.horizontalHeader().setStretchLastSection(True)
        self.addTab(self.answers, "Registry &answers")
        self.look_up_button.clicked.connect(self.look_up)
        self.name.returnPressed.connect(self.look_up)
        # Enter in the date of birth looks up too (the spin box's own line edit says it).
        dob_text = self.dob.findChild(QLineEdit)
        if dob_text is not None:
            dob_text.returnPressed.connect(self.look_up)
        self.results.currentItemChanged.connect(lambda *_: self._choose())
        self.prescriber.currentIndexChanged.connect(lambda *_: self.preview())
        self.rda.request.clicked.connect(self.request_rda)
        self.rda.rationale.clicked.connect(self.open_dispense_rationale)
        self.rda.fallback.clicked.connect(self.print_fallback)
        self.currentChanged.connect(self._tab_shown)

    # First paint and syncs
    def start(self) -> None:
        self._load(self.firstPaint.emit)

    def _load(self, then: Callable[[], None] | None = None) -> None:
        """The prescribers and the pharmacy's standing from the store (again after a sync)."""
        session, pharmacy, today = self.session, self.pharmacy_id, self.today()

        def load() -> tuple[list[tuple[str, str]], PharmacyFacts]:
            return prescribers(session), load_facts(session, pharmacy, today)

        def show(loaded: tuple[list[tuple[str, str]], PharmacyFacts]) -> None:
            self._show_loaded(*loaded)
            if then is not None:
                then()

        self.worker.run(load, show)
        self.load_answers()

    def _show_loaded(self, found: list[tuple[str, str]], facts: PharmacyFacts) -> None:
        self.prescriber.blockSignals(True)
        chosen = self.prescriber.currentData()
        self.prescriber.clear()
        self.prescriber.addItem("The patient's own prescriber", "")
        for prescriber_id, name in found:
            self.prescriber.addItem(name, prescriber_id)
        self.prescriber.setCurrentIndex(max(0, self.prescriber.findData(chosen)))
        self.prescriber.blockSignals(False)
        self._show_facts(facts)
        if not self.name.text():
            self.name.setFocus()

    def _show_facts(self, facts: PharmacyFacts) -> None:
        self.setting = facts.pharmacy.setting if facts.pharmacy else None
        self.rda.set_inpatient(self.setting is PharmacySetting.INPATIENT)
        self.dashboard.show_facts(facts)
        tab = self.indexOf(self.dashboard)
        self.setTabText(tab, "P&harmacy ⚠" if facts.reminder is not None else "P&harmacy")

    def on_report(self, report: SyncReport) -> None:
        if report.pulled.changes:
            self._load()
            self._look_up_locally()
        if self.currentWidget() is self.dashboard and not self.dashboard.staff_loaded:
            self.dashboard.load_staff()

    def _tab_shown(self, index: int) -> None:
        if self.widget(index) is self.dashboard and not self.dashboard.staff_loaded:
            self.dashboard.load_staff()

    # Look-up
    def look_up(self) -> None:
        name, dob = self.name.text().strip(), self._dob()
        if not name:
            self.found_note.setText("Type the patient's name and date of birth.")
            return
        self.registry_found = []
        self._look_up_locally()
        self.registry_note.setText("Looking at the registry too…")
        self.calls.run(
            lambda api: api.look_up_patient(name, dob),
            self._show_registry_found,
            lambda words, offline: self.registry_note.setText(
                f"Offline: only this workstation's patients are shown. {words}"
                if offline
                else words
            ),
        )

    def _dob(self) -> date:
        day = self.dob.date().toPython()
        assert isinstance(day, date)
        return day

    def _look_up_locally(self) -> None:
        name, dob, session = self.name.text().strip(), self._dob(), self.session
        if name:
            self.worker.run(lambda: look_up(session, name, dob), self._show_local_found)

    def _show_local_found(self, found: list[Found]) -> None:
        self.local_found = found
        self._show_found()

    def _show_registry_found(self, found: list[Found]) -> None:
        self.registry_found = found
        local = {f.patient_id for f in self.local_found}
        new = [f for f in found if f.patient_id not in local]
        self.registry_note.setText(
            f"The registry found {len(found)}."
            + (" Their charts arrive with the next sync." if new else "")
        )
        self._show_found()
        if new:
            self.sync_now()

    def _show_found(self) -> None:
        local = {f.patient_id for f in self.local_found}
        found = self.local_found + [f for f in self.registry_found if f.patient_id not in local]
        chosen = self.current.patient_id if self.current else None
        self.results.blockSignals(True)
        self.results.clear()
        for patient in found:
            where = "" if patient.on_workstation else " · at the registry"
            item = QListWidgetItem(f"{patient.name} · born {patient.dob:%m/%d/%Y}{where}")
            item.setData(256, patient)  # Qt.UserRole
            self.results.addItem(item)
        ids = [f.patient_id for f in found]
        if found:
            self.results.setCurrentRow(ids.index(chosen) if chosen in ids else 0)
        self.results.blockSignals(False)
        if not found:
            self.current = None
            self.found_note.setText(
                "Not on this workstation. " + RdaReason.PATIENT_NOT_ENROLLED.message
            )
            self.panel.hide()
            self.rda.clear()
            return
        self.found_note.setText(f"{len(self.local_found)} found on this workstation.")
        self._choose()

    def _choose(self) -> None:
        item = self.results.currentItem()
        before, self.current = self.current, item.data(256) if item is not None else None
        if before is None or self.current is None or before.patient_id != self.current.patient_id:
            self.rda.clear()  # the registry's answer was for another patient
        self.preview()

    # Preview (the snapshot) and RDA (the registry)
    def preview(self) -> None:
        current = self.current
        if current is None:
            return
        if not current.on_workstation:
            self.panel.hide()
            self.found_note.setText(
                "Found at the registry: the preview shows once the chart arrives with the next "
                "sync. You can ask the registry for authorization now."
            )
            return
        patient_id, session, today = current.patient_id, self.session, self.today()
        prescriber, pharmacy = str(self.prescriber.currentData() or ""), self.pharmacy_id
        self.preview_asked += 1
        asked = self.preview_asked
        self.worker.run(
            lambda: load_preview(session, pharmacy, patient_id, today, prescriber),
            lambda preview: self._show_preview(preview, asked),
            lambda e: self.found_note.setText(str(e)),
        )

    def _show_preview(self, preview: Preview, asked: int) -> None:
        if asked != self.preview_asked:
            return  # a newer preview was asked for (another patient or prescriber)
        self.panel.show()
        self.panel.show_preview(preview, self.today())
        self.previewShown.emit()

    def request_rda(self) -> None:
        current = self.current
        if current is None:
            self.rda.show_problem("Look a patient up first.", offline=False)
            return
        try:
            anc = self.rda.inpatient_anc()
        except ValueError as error:
            self.rda.show_problem(str(error), offline=False)
            return
        prescriber = str(self.prescriber.currentData() or "") or current.prescriber_id or ""
        body = rda_request(self.pharmacy_id, current.patient_id, prescriber, anc)
        self.rda.waiting()
        self.dispensing.send(
            RDA_PATH,
            body,
            RegistryApi.request_rda,
            lambda answer: self._rda_answered(current, answer),
            self.rda.show_problem,
            self.rda.show_still_processing,
        )

    def _rda_answered(self, patient: Found, answer: RdaAnswer) -> None:
        self.record(patient, answer.record, answer.key)
        if self.current is not None and self.current.patient_id == patient.patient_id:
            self.rda.show_answer(answer, patient.name)
        else:
            self.rda.request.setEnabled(True)
        self.sync_now()  # the dispense (and an ANC sent with it) comes back through the feed

    def record(self, patient: Found, line: str, settles: str | None) -> None:
        """Record the answer; its request's key is settled with it (a new request next)."""
        session, subject = self.session, f"patient:{patient.patient_id}"
        self.worker.run(
            lambda: session.record_registry_answer(subject, f"{patient.name}: {line}", settles),
            lambda _: self.load_answers(),
        )

    def open_dispense_rationale(self) -> None:
        patient = self.current
        if patient is None:
            return
        dialog = DispenseRationaleDialog(
            self.dispensing,
            self.pharmacy_id,
            self.setting is not PharmacySetting.INPATIENT,
            patient.patient_id,
            patient.name,
            self.today(),
            self,
        )
        dialog.answered.connect(lambda answer: self._rationale_answered(patient, answer))
        self.last_dialog = dialog
        dialog.open()

    def _rationale_answered(self, patient: Found, answer: RationaleAnswer) -> None:
        self.record(patient, answer.record, answer.key)
        if answer.authorized:
            self.rda.rationale.hide()
            self.rda.answer.setText(
                f"Authorized by Dispense Rationale for {patient.name}. The answer is recorded."
            )
        self.sync_now()

    def print_fallback(self) -> None:
        patient = self.current
        if patient is None or not patient.on_workstation:
            self.rda.show_problem(
                "Look up a patient whose chart is on this workstation first.", offline=False
            )
            return
        session, pharmacy, today = self.session, self.pharmacy_id, self.today()
        self.print_job(lambda: fallback_job(session, pharmacy, patient.patient_id, today))

    # Registry answers, from the audit log
    def load_answers(self) -> None:
        session, workstation = self.session, self.desk.workstation

        def load() -> list[tuple[str, str, str]]:
            names = {a.id: a.name for a in workstation.accounts()}
            return [
                (
                    f"{datetime.fromisoformat(e.at).astimezone():%m/%d/%Y %H:%M}",
                    names.get(e.account_id, e.account_id),
                    e.detail,
                )
                for e in session.registry_answers()
            ]

        self.worker.run(load, self._show_answers)

    def _show_answers(self, rows: list[tuple[str, str, str]]) -> None:
        self.answers.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                self.answers.setItem(r, c, QTableWidgetItem(text))
        self.answers.resizeColumnsToContents()
