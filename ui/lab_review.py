"""The review of a lab file before anything is recorded: each result's patient, its value in
/µL with its category (colour and words), the draw date, the lab's status, what will happen
and why, and where in the file it came from. A person ticks the rows to record (those the
desk would record are ticked), picks the patient of a row that waits for one, and accepts.
Nothing is recorded until then; closing the review records nothing."""

from __future__ import annotations

from collections import Counter

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QShowEvent, QWheelEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.anc import categorize
from app.lab_results import result_status
from app.records import Patient
from app.use_cases.lab_import import Action, PlannedRow
from desk.lab_files import LabFilePlan
from ui import theme

COLUMNS = ("Record", "Patient", "ANC", "Drawn", "Lab status", "What happens", "From")
_DOING = {
    Action.RECORD: "New ANC",
    Action.CORRECTION: "Correction",
    Action.DUPLICATE: "Already here: skipped",
    Action.HOLD: "Held: preliminary",
    Action.REFUSE: "Refused",
    Action.CHOOSE_PATIENT: "Waiting: choose the patient",
}
WAITING = "Choose the patient…"


def _when(row: PlannedRow) -> str:
    return f"{row.result.collected:%m/%d/%Y}" if row.result.collected else "—"


def _status(row: PlannedRow) -> str:
    """The lab's status in words, with its code as sent ("Final (F)")."""
    sent = row.result.status.strip()
    if not sent:
        return "—"
    words = result_status(sent).value.capitalize()
    return words if words.lower() == sent.lower() else f"{words} ({sent})"


def _who(patient: Patient) -> str:
    return f"{patient.name}, born {patient.dob:%m/%d/%Y}"


class PatientPicker(QComboBox):
    """A row's patient, chosen by a click or the keyboard, never by a mouse wheel passing
    over it while the table scrolls."""

    def wheelEvent(self, event: QWheelEvent) -> None:
        event.ignore()  # the table scrolls instead


class LabReviewDialog(QDialog):
    """`chosen(row, patient)` asks the store thread to plan a row again for a patient;
    the owner calls `update_row` with the answer. `accepted_rows` are the ticked ones."""

    chosen = Signal(int, object)  # row number, Patient (None: none after all)
    record = Signal(list)  # the row numbers to record

    def __init__(self, plan: LabFilePlan, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plan = plan
        self.setWindowTitle(f"Import lab results: {plan.file_name}")
        self.setAccessibleName("Lab results to review")
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("What the file holds")
        self.table = QTableWidget(len(plan.rows), len(COLUMNS))
        self.table.setAccessibleName("Results in the file")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        self.table.verticalHeader().setVisible(False)
        self.pickers: dict[int, QComboBox] = {}
        self.recording = False  # the accepted rows are being recorded: nothing else now
        # Filled with updates off and sized once: a file of thousands of results opens in
        # a moment (sizing each row as it is added made it quadratic).
        self.table.setUpdatesEnabled(False)
        for number, row in enumerate(plan.rows):
            self._show(number, row, fit=False)
        self.table.resizeColumnsToContents()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        self.table.setUpdatesEnabled(True)
        self._refit = QTimer(self)
        self._refit.setSingleShot(True)
        self._refit.setInterval(150)
        self._refit.timeout.connect(self.table.resizeRowsToContents)
        header.sectionResized.connect(lambda *_: self._refit.start())
        self.table.itemChanged.connect(lambda _item: self._count())
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Close, record nothing")
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        note = QLabel(
            "Each ticked row is recorded as Add ANC records an ANC: it goes to the registry "
            "with the next sync. Rows that wait for a patient stay in the file: import it "
            "again once the patient is on this workstation."
        )
        note.setWordWrap(True)
        note.setObjectName("subtitle")
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(note)
        layout.addWidget(self.buttons)
        self._count()
        self.resize(1200, 560)

    # The table
    def _show(self, number: int, row: PlannedRow, *, fit: bool = True) -> None:
        self.table.blockSignals(True)
        tick = QTableWidgetItem()
        if row.action.records:
            tick.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
            tick.setCheckState(Qt.CheckState.Checked)
            tick.setToolTip("Untick to leave this result out")
        else:
            tick.setFlags(Qt.ItemFlag.ItemIsEnabled)
            tick.setText("—")
        self.table.setItem(number, 0, tick)
        self._patient_cell(number, row)
        self.table.setItem(number, 2, self._anc_item(row))
        self.table.setItem(number, 3, QTableWidgetItem(_when(row)))
        self.table.setItem(number, 4, QTableWidgetItem(_status(row)))
        doing = QTableWidgetItem(f"{_DOING[row.action]}: {row.reason}")
        if row.action in (Action.REFUSE, Action.CHOOSE_PATIENT):
            doing.setForeground(QBrush(QColor(theme.ALERT_TEXT)))
        self.table.setItem(number, 5, doing)
        self.table.setItem(number, 6, QTableWidgetItem(row.result.source))
        self.table.blockSignals(False)
        if fit:
            self.table.resizeRowToContents(number)

    def _patient_cell(self, number: int, row: PlannedRow) -> None:
        old = self.pickers.pop(number, None)
        if old is not None:
            self.table.removeCellWidget(number, 1)
        sent = f"{row.result.patient_name or 'no name'}, born "
        sent += f"{row.result.dob:%m/%d/%Y}" if row.result.dob else "(no date of birth)"
        if row.action is Action.CHOOSE_PATIENT or row.chosen_by_person:
            choices = self.plan.choices(number)
            if choices:
                picker = PatientPicker()
                picker.setAccessibleName(f"Patient for {row.result.source}")
                picker.addItem(WAITING, None)
                for patient in choices:
                    picker.addItem(_who(patient), patient)
                if row.chosen_by_person and row.patient in choices:  # changeable
                    picker.setCurrentIndex(choices.index(row.patient) + 1)
                picker.setToolTip(f"The lab sent: {sent}")
                picker.activated.connect(lambda index, n=number: self._picked(n, index))
                self.pickers[number] = picker
                self.table.setItem(number, 1, QTableWidgetItem(""))
                self.table.setCellWidget(number, 1, picker)
                return
        matched = row.patient
        item = QTableWidgetItem(_who(matched) if matched else f"? (the lab sent: {sent})")
        item.setToolTip(f"The lab sent: {sent}")
        self.table.setItem(number, 1, item)

    def _anc_item(self, row: PlannedRow) -> QTableWidgetItem:
        anc = row.assessment.anc
        if anc is None:
            return QTableWidgetItem(f"— (sent: {row.result.value} {row.result.unit})".strip())
        text = f"{anc.per_ul:,}/µL"
        item = QTableWidgetItem(text)
        if row.patient is not None:
            category = categorize(anc, row.patient.population)
            item.setText(f"{text} · {category.label}")
            item.setBackground(QBrush(QColor(theme.CATEGORY_COLORS[category])))
        item.setToolTip(f"As the lab sent it: {row.result.value} {row.result.unit}")
        return item

    def _picked(self, number: int, index: int) -> None:
        picker = self.pickers.get(number)
        patient = picker.itemData(index) if picker is not None else None
        if isinstance(patient, Patient) or (
            patient is None and self.plan.rows[number].chosen_by_person
        ):
            self.chosen.emit(number, patient)  # None: back to waiting for a patient

    def update_row(self, number: int, row: PlannedRow) -> None:
        """The row planned again after a person's choice of patient."""
        self._show(number, row)
        self._count()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._refit.start()  # wrapped reasons fit the columns' widths, once laid out

    # Counting and accepting
    def accepted_rows(self) -> list[int]:
        ticked = []
        for number, row in enumerate(self.plan.rows):
            item = self.table.item(number, 0)
            if row.action.records and item and item.checkState() == Qt.CheckState.Checked:
                ticked.append(number)
        return ticked

    def _count(self) -> None:
        rows = self.plan.rows
        count = Counter(r.action for r in rows)  # each tick recounts: one pass, not six
        ticked = len(self.accepted_rows())
        parts = [f"<b>{len(rows)} results</b> in {self.plan.file_name}:"]
        parts.append(f"{count[Action.RECORD] + count[Action.CORRECTION]} to record")
        for action, words in (
            (Action.DUPLICATE, "already here"),
            (Action.HOLD, "preliminary, held"),
            (Action.REFUSE, "refused"),
            (Action.CHOOSE_PATIENT, "waiting for you to choose the patient"),
        ):
            if count[action]:
                parts.append(f"{count[action]} {words}")
        self.summary.setText(parts[0] + " " + ", ".join(parts[1:]) + ".")
        self.ok.setText(f"Record {ticked} ANC{'s' if ticked != 1 else ''}")
        self.ok.setEnabled(ticked > 0 and not self.recording)

    def _accept(self) -> None:
        ticked = self.accepted_rows()
        if ticked and not self.recording:
            self._recording(True)  # once: a double-click records nothing twice
            self.record.emit(ticked)

    def _recording(self, now: bool) -> None:
        """While the rows are recorded, the review cannot be changed, sent again or closed
        (closing says "record nothing", which would no longer be true)."""
        self.recording = now
        self.table.setEnabled(not now)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setEnabled(not now)
        self._count()

    def recorded(self) -> None:
        self.recording = False
        if self.isVisible():
            self.accept()

    def recording_failed(self) -> None:
        self._recording(False)

    def reject(self) -> None:
        if not self.recording:  # Esc while recording: it finishes first
            super().reject()
