"""The ANC's unit: picked from the list or typed as the lab report prints it ("10*3/uL",
"G/L"), never assumed. Any spelling of rules.md §13 R15 is taken; anything else (g/L, %) is
refused by the rules with the accepted spellings listed (app.anc.AncUnit.parse)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox

from app.anc import AncUnit
from app.errors import InvalidEntry

CHOOSE = "Choose or type the unit on the lab report…"
# (the list's words, the unit sent); index 0 is "not chosen yet"
CHOICES = (
    ("", None),
    ("cells/µL (e.g. 1500)", AncUnit.PER_UL.value),
    ("K/µL = ×10³/µL = ×10⁹/L (e.g. 1.5)", AncUnit.K_PER_UL.value),
)


class UnitChoice(QComboBox):
    """`unit()` is the chosen unit's value, the spelling typed, or None for none yet."""

    unitChanged = Signal()

    def __init__(self, name: str) -> None:
        super().__init__()
        self.setAccessibleName(name)
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)  # typing adds no list item
        for words, unit in CHOICES:
            self.addItem(words, unit)
        line = self.lineEdit()
        if line is not None:  # editable, so there is one
            line.setPlaceholderText(CHOOSE)
            line.setAccessibleName(name)
        self.setMinimumContentsLength(18)
        self.currentIndexChanged.connect(lambda *_: self.unitChanged.emit())
        self.editTextChanged.connect(lambda *_: self.unitChanged.emit())

    def unit(self) -> str | None:
        text = self.currentText().strip()
        if not text:
            return None
        index = self.findText(text)
        if index >= 0:
            data = self.itemData(index)
            return str(data) if data is not None else None
        return text  # typed as on the lab report: the rules read it (or refuse it)

    def show_unit(self, unit: str) -> None:
        """Show a unit sent before: its list entry when it is one of R15's spellings, else
        the text as it was typed, for the person to correct (nothing is guessed)."""
        try:
            index = self.findData(AncUnit.parse(unit).value) if unit else 0
        except InvalidEntry:
            index = -1
        self.setCurrentIndex(max(0, index))
        if index < 0:
            self.setEditText(unit)
