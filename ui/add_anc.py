"""Add ANC: one lab result, with its unit chosen explicitly (no default to guess from) and
what it means in /µL shown as it is typed, so a K/µL value typed as /µL is caught before it
is sent. The value goes to the registry exactly as typed. `AncFields` is that entry, also
used where a pharmacy sends an ANC (with an RDA, or a Dispense Rationale)."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.entered_anc import EnteredAnc
from app.errors import RemsError
from ui.unit_choice import UnitChoice
from ui.whole_text import WholeLabel


def explain(text: str, unit: str | None) -> tuple[str, bool]:
    """What the typed ANC means, and whether it can be sent as it is."""
    if not text.strip():
        return "Type the ANC from the lab report.", False
    if unit is None:
        return "Choose or type the unit printed on the lab report (/µL, K/µL, ×10⁹/L…).", False
    entry = EnteredAnc.typed(text, unit, "")
    try:
        anc = entry.parse()
    except RemsError as error:
        return error.message, False
    warning = entry.warning()
    if warning:
        return f"⚠ {warning}", False
    return f"= {anc.per_ul:,} cells/µL", True


class AncFields(QWidget):
    """An ANC as typed from the lab report: value, unit (chosen, never assumed) and draw
    date, with what it means in /µL shown as it is typed."""

    changed = Signal()

    def __init__(self, today: date, name: str) -> None:
        super().__init__()
        self.value = QLineEdit()
        self.value.setAccessibleName(f"{name}: value")
        self.unit = UnitChoice(f"{name}: unit")
        self.drawn = QDateEdit(QDate(today.year, today.month, today.day))
        self.drawn.setAccessibleName(f"{name}: blood draw date")
        self.drawn.setDisplayFormat("MM/dd/yyyy")
        self.drawn.setCalendarPopup(True)
        self.drawn.setMaximumDate(QDate(today.year, today.month, today.day))
        self.meaning = WholeLabel()
        self.meaning.setAccessibleName(f"{name}: what it means")
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("ANC &value", self.value)
        form.addRow("&Unit", self.unit)
        form.addRow("Blood &draw date", self.drawn)
        form.addRow(self.meaning)
        self.value.textChanged.connect(self._explain)
        self.unit.unitChanged.connect(self._explain)
        self.drawn.dateChanged.connect(lambda *_: self.changed.emit())
        self._explain()

    def _explain(self) -> None:
        text, ok = self.explanation()
        self.meaning.setText(text)
        self.meaning.setObjectName("" if ok else "problem")
        self.meaning.setStyleSheet(self.styleSheet())  # the object name's style, again
        self.changed.emit()

    def explanation(self) -> tuple[str, bool]:
        return explain(self.value.text(), self.unit.unit())

    def ready(self) -> bool:
        return self.explanation()[1]

    def fill(self, as_entered: str, unit: str, drawn: str) -> None:
        """Show an ANC as it was typed before (a refused one, to correct)."""
        self.value.setText(as_entered)
        self.unit.show_unit(unit)
        day = QDate.fromString(drawn, Qt.DateFormat.ISODate)
        if day.isValid():
            self.drawn.setDate(day)

    def entry(self) -> EnteredAnc:
        """The ANC as typed; a number the registry reads once `ready()`."""
        return EnteredAnc.typed(
            self.value.text(),
            self.unit.unit() or "",
            self.drawn.date().toString(Qt.DateFormat.ISODate),
        )


class AddAncDialog(QDialog):
    submitted = Signal(str, str, str, str)  # patient id, value as typed, unit, drawn (ISO)

    def __init__(
        self,
        patient_id: str,
        patient_name: str,
        today: date,
        parent: QWidget | None = None,
        *,
        correcting: str = "",
    ) -> None:
        super().__init__(parent)
        self.patient_id = patient_id
        self.setWindowTitle(f"{'Correct' if correcting else 'Add'} ANC: {patient_name}")
        self.fields = AncFields(today, "ANC")
        self.value, self.unit = self.fields.value, self.fields.unit
        self.drawn, self.meaning = self.fields.drawn, self.fields.meaning
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Add ANC")
        self.buttons.accepted.connect(self._submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"<b>{patient_name}</b>"))
        if correcting:  # what the registry said of the refused one, to correct it by
            refusal = QLabel(f"The registry refused this ANC: {correcting}")
            refusal.setObjectName("problem")
            refusal.setWordWrap(True)
            refusal.setAccessibleName("Why the registry refused it")
            layout.addWidget(refusal)
            self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Send again")
        layout.addWidget(self.fields)
        layout.addWidget(self.buttons)
        self.fields.changed.connect(self._allow)
        self._allow()

    def _allow(self) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(self.fields.ready())

    def _submit(self) -> None:
        if not self.fields.ready():
            return
        entry = self.fields.entry()
        self.submitted.emit(self.patient_id, entry.shown, entry.unit, str(entry.drawn))
        self.accept()
