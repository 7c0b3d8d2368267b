"""Add ANC: one lab result, with its unit chosen explicitly (no default to guess from) and
what it means in /µL shown as it is typed, so a K/µL value typed as /µL is caught before it
is sent. The value goes to the registry exactly as typed."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.anc import AncUnit, parse_anc_text, unit_mixup_warning
from app.errors import RemsError
from app.psf_document import typed_number

CHOOSE = "Choose the unit on the lab report…"


def unit_combo(name: str) -> QComboBox:
    combo = QComboBox()
    combo.setAccessibleName(name)
    combo.addItem(CHOOSE, None)
    combo.addItem("cells/µL (e.g. 1500)", AncUnit.PER_UL.value)
    combo.addItem("K/µL = ×10³/µL = ×10⁹/L (e.g. 1.5)", AncUnit.K_PER_UL.value)
    return combo


def explain(text: str, unit: str | None) -> tuple[str, bool]:
    """What the typed ANC means, and whether it can be sent as it is."""
    if not text.strip():
        return "Type the ANC from the lab report.", False
    if unit is None:
        return "Choose the unit printed on the lab report: /µL or K/µL.", False
    try:
        anc = parse_anc_text(text, unit)
    except RemsError as error:
        return error.message, False
    warning = unit_mixup_warning(typed_number(text), unit)
    if warning:
        return f"⚠ {warning}", False
    return f"= {anc.per_ul:,} cells/µL", True


class AddAncDialog(QDialog):
    submitted = Signal(str, str, str, str)  # patient id, value as typed, unit, drawn (ISO)

    def __init__(
        self, patient_id: str, patient_name: str, today: date, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.patient_id = patient_id
        self.setWindowTitle(f"Add ANC: {patient_name}")
        self.value = QLineEdit()
        self.value.setAccessibleName("ANC value")
        self.unit = unit_combo("ANC unit")
        self.drawn = QDateEdit(QDate(today.year, today.month, today.day))
        self.drawn.setAccessibleName("Blood draw date")
        self.drawn.setCalendarPopup(True)
        self.drawn.setMaximumDate(QDate(today.year, today.month, today.day))
        self.drawn.setDisplayFormat("MM/dd/yyyy")
        self.meaning = QLabel()
        self.meaning.setWordWrap(True)
        self.meaning.setAccessibleName("What this ANC means")
        self.confirm_low = QLabel()
        form = QFormLayout()
        form.addRow("ANC &value", self.value)
        form.addRow("&Unit", self.unit)
        form.addRow("Blood &draw date", self.drawn)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Add ANC")
        self.buttons.accepted.connect(self._submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"<b>{patient_name}</b>"))
        layout.addLayout(form)
        layout.addWidget(self.meaning)
        layout.addWidget(self.buttons)
        self.value.textChanged.connect(self._explain)
        self.unit.currentIndexChanged.connect(self._explain)
        self._explain()

    def _explain(self) -> None:
        text, ok = explain(self.value.text(), self.unit.currentData())
        self.meaning.setText(text)
        self.meaning.setObjectName("" if ok else "problem")
        self.meaning.setStyleSheet(self.styleSheet())
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ok)

    def _submit(self) -> None:
        _, ok = explain(self.value.text(), self.unit.currentData())
        if not ok:
            return
        drawn = self.drawn.date().toPython().isoformat()
        self.submitted.emit(
            self.patient_id, self.value.text().strip(), self.unit.currentData(), drawn
        )
        self.accept()
