"""Choosing, once per lab, which column of its CSV export holds what: the patient, the date
of birth, the test, the value, the unit, the draw date, and the format its dates are in.
Nothing is picked for the person (no column guessed from its name, no unit by default):
the first rows are shown as the desk will read them, dates with the month in words, so a
wrong date format (13/02/2026 read as MM/DD) or a wrong unit is seen before it is saved."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.entered_anc import EnteredAnc
from app.errors import RemsError
from app.lab_results import LabResult, assess
from lab_import.csv_results import (
    DATE_EXAMPLES,
    DATE_FORMATS,
    FIELDS,
    CsvMapping,
    mapping_problems,
    read_csv,
)
from ui.unit_choice import UnitChoice
from ui.whole_text import WholeLabel

PREVIEW_ROWS = 3
PREVIEW_COLUMNS = ("Patient", "Date of birth", "Value", "Unit", "Collected", "Reads as")
NOT_A_DATE = "not a date"
# What "no column" means for each field that may have none.
NONE_WORDS = {
    "patient": "— (first and last name columns)",
    "first_name": "—",
    "last_name": "—",
    "mrn": "— none",
    "test": "— none: one test, typed below",
    "unit": "— none: one unit, chosen below",
    "collected_time": "— none (or in the date column)",
    "status": "— none: every row is a final result",
    "accession": "— none",
}
CHOOSE_COLUMN = "Choose a column…"
LEFT = ("patient", "first_name", "last_name", "dob", "mrn", "accession")
RIGHT = ("test", "value", "unit", "collected", "collected_time", "status")


def shown_day(day: date | None) -> str:
    """The month in words (Mar 4, 2026), so 03/04 read the wrong way round shows."""
    return f"{day:%b} {day.day}, {day:%Y}" if day else NOT_A_DATE


class CsvMappingDialog(QDialog):
    def __init__(
        self,
        headers: list[str],
        first_rows: list[list[str]],
        parent: QWidget | None = None,
        *,
        today: date | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Columns of the lab's CSV file")
        self._headers = headers
        self._rows = first_rows[:PREVIEW_ROWS]
        self._today = today
        self.lab = QLineEdit()
        self.lab.setPlaceholderText("e.g. Quest export")
        self.lab.setAccessibleName("Lab")
        self.columns = {key: self._column_choice(key) for key in FIELDS}
        self.test_code = QLineEdit()
        self.test_code.setPlaceholderText("the one test's code, e.g. 751-8")
        self.test_code.setAccessibleName("Test code of every row")
        self.unit = UnitChoice("Unit of every value")
        self.unit.setMinimumContentsLength(26)
        self.date_format = QComboBox()
        self.date_format.setAccessibleName("Date format")
        self.date_format.addItem("Choose how the lab writes dates…", None)
        for name in DATE_FORMATS:
            self.date_format.addItem(f"{name}   (e.g. {DATE_EXAMPLES[name]})", name)
        self.problem = WholeLabel()
        self.problem.setObjectName("problem")
        self.problem.setAccessibleName("What is still to choose")
        self.preview = QTableWidget(0, len(PREVIEW_COLUMNS))
        self.preview.setAccessibleName("The first rows as they will be read")
        self.preview.setHorizontalHeaderLabels(PREVIEW_COLUMNS)
        widths = self.preview.horizontalHeader()
        widths.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        for wide in (0, len(PREVIEW_COLUMNS) - 1):  # the name, and why a value is refused
            widths.setSectionResizeMode(wide, QHeaderView.ResizeMode.Stretch)
        self.preview.verticalHeader().setVisible(False)
        self.preview.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.preview.setMaximumHeight(150)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Save the columns")
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        self._lay_out()
        self.lab.textChanged.connect(self._update)
        self.test_code.textChanged.connect(self._update)
        self.unit.unitChanged.connect(self._update)
        self.date_format.currentIndexChanged.connect(self._update)
        for choice in self.columns.values():
            choice.currentIndexChanged.connect(self._update)
        self._update()

    def _column_choice(self, key: str) -> QComboBox:
        choice = QComboBox()
        choice.setAccessibleName(f"{FIELDS[key]} column")
        choice.addItem(NONE_WORDS.get(key, CHOOSE_COLUMN), None)
        for name in self._headers:
            if name.strip():  # a column without a name cannot be found again
                choice.addItem(name, name)
        choice.setMinimumContentsLength(26)  # "— none: every row is a final result" whole
        choice.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        return choice

    def _lay_out(self) -> None:
        intro = QLabel(
            "Choose, once for this lab, the column that holds each item. The desk reads "
            "every file of this lab's export with these columns and this date format."
        )
        intro.setWordWrap(True)
        who, what = QFormLayout(), QFormLayout()
        who.addRow("&Lab", self.lab)
        for key in LEFT:
            who.addRow(FIELDS[key], self.columns[key])
        who.addRow("&Date format", self.date_format)
        for key in RIGHT:
            what.addRow(FIELDS[key], self.columns[key])
            if key == "test":
                what.addRow("   or every row's test", self.test_code)
            elif key == "unit":
                what.addRow("   or every value's unit", self.unit)
        sides = QHBoxLayout()
        sides.addLayout(who)
        sides.addSpacing(16)
        sides.addLayout(what)
        heading = QLabel("The first rows, as they will be read")
        heading.setObjectName("subtitle")
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(sides)
        layout.addWidget(self.problem)
        layout.addWidget(heading)
        layout.addWidget(self.preview)
        layout.addWidget(self.buttons)

    def _chosen(self) -> dict[str, str]:
        return {
            key: str(choice.currentData())
            for key, choice in self.columns.items()
            if choice.currentData() is not None
        }

    def problems(self) -> list[str]:
        return mapping_problems(
            self.lab.text(),
            self._chosen(),
            self.date_format.currentData() or "",
            self.test_code.text() if self.columns["test"].currentData() is None else "",
            (self.unit.unit() or "") if self.columns["unit"].currentData() is None else "",
        )

    def mapping(self) -> CsvMapping:
        """The mapping chosen; IncompleteMapping while a required field is not chosen."""
        chosen = self._chosen()
        return CsvMapping(
            lab=self.lab.text().strip(),
            columns=chosen,
            date_format=self.date_format.currentData() or "",
            test_code="" if "test" in chosen else self.test_code.text().strip(),
            unit="" if "unit" in chosen else (self.unit.unit() or ""),
        )

    def show_mapping(self, mapping: CsvMapping) -> None:
        """A saved mapping shown again (its lab's export changed): the columns this file
        still has are chosen, the others are left for the person."""
        self.lab.setText(mapping.lab)
        for key, name in mapping.columns.items():
            choice = self.columns.get(key)
            if choice is None:
                continue
            found = [i for i in range(1, choice.count()) if choice.itemText(i).strip().casefold()
                     == name.strip().casefold()]  # fmt: skip
            choice.setCurrentIndex(found[0] if found else 0)
        self.test_code.setText(mapping.test_code)
        if mapping.unit:
            self.unit.show_unit(mapping.unit)
        self.date_format.setCurrentIndex(max(0, self.date_format.findData(mapping.date_format)))

    def _update(self) -> None:
        self.test_code.setEnabled(self.columns["test"].currentData() is None)
        self.unit.setEnabled(self.columns["unit"].currentData() is None)
        problems = self.problems()
        results: list[LabResult] = []
        if not problems:
            try:
                results = read_csv(
                    self._preview_file(), "preview", self.mapping(), today=self._today
                )
            except ValueError as error:  # a column named twice in the file
                problems = [str(error)]
        self._show(results)
        self.ok.setEnabled(not problems)
        undated = sum(r.dob is None or r.collected is None for r in results)
        if undated:  # not refused here (a blank date may be real); shown before saving
            problems = [
                f"{undated} of the first rows have a date that is not a date in "
                f"{self.date_format.currentData()}: check the date format."
            ]
        self.problem.setText(" ".join(problems))
        self.problem.setVisible(bool(problems))

    def _preview_file(self) -> bytes:
        """The header and first rows as a CSV file in memory, read as the import reads."""
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(self._headers)
        writer.writerows(self._rows)
        return out.getvalue().encode("utf-8")

    def _show(self, results: Sequence[LabResult]) -> None:
        self.preview.setRowCount(len(results))
        for row, result in enumerate(results):
            reads, why = _reads_as(result)
            cells = (
                result.patient_name,
                shown_day(result.dob),
                result.value,
                result.unit,
                shown_day(result.collected),
                reads,
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column == len(cells) - 1:
                    item.setToolTip(why)
                self.preview.setItem(row, column, item)

    def _accept(self) -> None:
        if self.ok.isEnabled():
            self.accept()


def _reads_as(result: LabResult) -> tuple[str, str]:
    """The value and unit in cells/µL, or why not, with the whole reason for the tooltip (a
    wrong date is its own column's): a wrong unit column, or a unit chosen wrong, shows."""
    seen = assess(replace(result, collected=result.collected or date.min))
    if seen.anc is not None:
        return f"{seen.anc.per_ul:,}/µL", seen.reason
    try:
        EnteredAnc.typed(result.value, result.unit, date.min).parse()
    except RemsError as error:
        return error.message, error.message
    return seen.reason, seen.reason  # not an ANC test, or not a result
