"""The CSV mapping screen (ui/csv_mapping_dialog.py), used as a person uses it: columns
picked from the file's headers, the first rows previewed as they will be read (a wrong
date format shows as "not a date"), OK only once every required field is chosen, and the
mapping it returns reading the sample export to the right cells/µL."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path

from PySide6.QtCore import QRect
from PySide6.QtWidgets import QComboBox
from pytestqt.qtbot import QtBot

from app.lab_results import Outcome, assess
from lab_import.csv_results import first_rows, headers, read_csv
from tests.test_lab_import_csv import ONE_TEST
from ui.csv_mapping_dialog import NOT_A_DATE, CsvMappingDialog

SAMPLES = Path(__file__).parent / "lab_samples"
US = SAMPLES / "lab-portal-us-dates.csv"
SEMICOLON = SAMPLES / "lab-semicolon-dd-mm-cp1252.csv"
TODAY = date(2026, 12, 3)
SCREEN = QRect(0, 0, 1366, 768)


def dialog_for(qtbot: QtBot, path: Path) -> CsvMappingDialog:
    data = path.read_bytes()
    dialog = CsvMappingDialog(headers(data), first_rows(data), today=TODAY)
    qtbot.addWidget(dialog)
    dialog.move(0, 0)
    dialog.show()
    return dialog


def pick(choice: QComboBox, text: str) -> None:
    index = choice.findText(text)
    assert index > 0, (text, [choice.itemText(i) for i in range(choice.count())])
    choice.setCurrentIndex(index)


def pick_columns(dialog: CsvMappingDialog, columns: Mapping[str, str]) -> None:
    """Each field's column picked from the file's headers, as a person picks them."""
    for key, column in columns.items():
        pick(dialog.columns[key], column)


def pick_format(dialog: CsvMappingDialog, name: str) -> None:
    dialog.date_format.setCurrentIndex(dialog.date_format.findData(name))


def preview(dialog: CsvMappingDialog) -> list[list[str]]:
    table = dialog.preview
    rows, columns = range(table.rowCount()), range(table.columnCount())
    cells = [[table.item(r, c) for c in columns] for r in rows]
    return [[item.text() if item else "" for item in row] for row in cells]


def test_columns_picked_preview_the_rows_and_ok_waits_for_every_required_field(
    qtbot: QtBot,
) -> None:
    dialog = dialog_for(qtbot, US)
    assert not dialog.ok.isEnabled() and preview(dialog) == []
    assert "Name the lab" in dialog.problem.text()
    qtbot.keyClicks(dialog.lab, "Lab portal export")
    for key, column in {
        "patient": "Patient Name",
        "dob": "DOB",
        "test": "Test Code",
        "value": "Result",
        "collected": "Collected",
        "status": "Status",
    }.items():
        pick(dialog.columns[key], column)
    pick_format(dialog, "MM/DD/YYYY")
    assert not dialog.ok.isEnabled() and "unit" in dialog.problem.text()  # no unit yet
    pick(dialog.columns["unit"], "Units")
    assert dialog.ok.isEnabled()
    assert not dialog.unit.isEnabled() and not dialog.test_code.isEnabled()
    assert preview(dialog) == [
        ["Núñez-Ölçer, María José", "Apr 12, 1979", "2600", "/uL", "Nov 30, 2026", "2,600/µL"],
        ["O'Connor, James", "Sep 30, 1990", "1.4", "K/uL", "Nov 30, 2026", "1,400/µL"],
        ["Bello, Aisha", "Jan 22, 1985", "0.9", "x10^9/L", "Dec 1, 2026", "900/µL"],
    ]
    assert dialog.problem.isHidden()
    # the mapping returned reads the whole file as the import will
    mapping = dialog.mapping()
    results = read_csv(US.read_bytes(), US.name, mapping, today=TODAY)
    seen = [assess(r) for r in results]
    assert [s.anc.per_ul if s.anc else None for s in seen] == [
        2600, 1400, 900, None, 1100, 3100, 1900, 1300,
    ]  # fmt: skip
    assert [s.outcome for s in seen][3:5] == [Outcome.REFUSE, Outcome.HOLD]  # % and preliminary
    # "—" again for a required field: not complete any more
    dialog.columns["dob"].setCurrentIndex(0)
    assert not dialog.ok.isEnabled() and "date of birth" in dialog.problem.text()


def test_a_wrong_date_format_shows_not_a_date_before_anything_is_saved(qtbot: QtBot) -> None:
    dialog = dialog_for(qtbot, SEMICOLON)
    qtbot.keyClicks(dialog.lab, "Hospital lab")
    pick_columns(dialog, ONE_TEST.columns)
    assert "test code" in dialog.problem.text()  # the file has no test column
    qtbot.keyClicks(dialog.test_code, "751-8")
    pick_format(dialog, "MM/DD/YYYY")
    rows = preview(dialog)
    assert rows[1][1:5] == ["Dec 4, 1979", "2.6", "10^9/L", NOT_A_DATE]  # 13/11/2026
    assert rows[0][1] == "Mar 6, 1972"  # 03/06/1972 read the US way: the month in words
    assert "not a date in MM/DD/YYYY" in dialog.problem.text()
    pick_format(dialog, "DD/MM/YYYY")
    rows = preview(dialog)
    assert [row[1] for row in rows] == ["Jun 3, 1972", "Apr 12, 1979", "Mar 27, 1941"]
    assert rows[1][4] == "Nov 13, 2026" and dialog.problem.isHidden()
    assert rows[2][5].startswith("'1,8' is not a number")  # a decimal comma is not 18
    assert dialog.ok.isEnabled()
    mapping = dialog.mapping()
    assert (mapping.test_code, mapping.date_format) == ("751-8", "DD/MM/YYYY")


def test_a_fixed_unit_is_chosen_explicitly_never_by_default(qtbot: QtBot) -> None:
    data = (
        b"Patient;DOB;ANC (10^3/uL);Drawn\n"
        b"Kim, Grace;03/27/1941;1.8;12/01/2026\n"
        b"Tran, Linh;11/15/1968;1.9;12/02/2026\n"
    )
    dialog = CsvMappingDialog(headers(data), first_rows(data), today=TODAY)
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.lab, "Clinic spreadsheet")
    for key, column in {"patient": "Patient", "dob": "DOB", "value": "ANC (10^3/uL)",
                        "collected": "Drawn"}.items():  # fmt: skip
        pick(dialog.columns[key], column)
    qtbot.keyClicks(dialog.test_code, "751-8")
    pick_format(dialog, "MM/DD/YYYY")
    assert dialog.unit.isEnabled() and dialog.unit.unit() is None
    assert not dialog.ok.isEnabled() and "one unit" in dialog.problem.text()
    dialog.unit.setCurrentIndex(2)  # K/µL
    assert dialog.ok.isEnabled()
    assert [row[5] for row in preview(dialog)] == ["1,800/µL", "1,900/µL"]
    assert dialog.mapping().unit == "K/uL"


def test_a_saved_mapping_shown_again_keeps_the_columns_the_file_still_has(
    qtbot: QtBot,
) -> None:
    first = dialog_for(qtbot, US)
    qtbot.keyClicks(first.lab, "Lab portal export")
    chosen = {"patient": "Patient Name", "dob": "DOB", "test": "Test Code", "value": "Result",
              "unit": "Units", "collected": "Collected"}  # fmt: skip
    for key, column in chosen.items():
        pick(first.columns[key], column)
    pick_format(first, "MM/DD/YYYY")
    changed = US.read_bytes().replace(b"Units,", b"Unit of measure,")
    again = CsvMappingDialog(headers(changed), first_rows(changed), today=TODAY)
    qtbot.addWidget(again)
    again.show_mapping(first.mapping())
    assert again.columns["dob"].currentText() == "DOB"
    assert again.columns["unit"].currentData() is None  # gone from the file: for a person
    assert not again.ok.isEnabled()
    pick(again.columns["unit"], "Unit of measure")
    assert again.ok.isEnabled() and again.mapping().columns["unit"] == "Unit of measure"


def test_the_screen_fits_1366_by_768(qtbot: QtBot) -> None:
    dialog = dialog_for(qtbot, US)
    dialog.adjustSize()
    assert SCREEN.contains(dialog.frameGeometry()), dialog.frameGeometry()
    assert dialog.sizeHint().height() <= 700 and dialog.sizeHint().width() <= 1366
