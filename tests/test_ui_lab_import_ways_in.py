"""The other ways a lab file comes into the window (pytest-qt, the demo clinic): dropped on
the window, arriving in the watched folder (offered once, and only when the lab interface
has finished writing it), a CSV whose columns are chosen once for its lab and remembered,
and a result whose patient a person picks on the review screen."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from pytestqt.qtbot import QtBot

from desk.lab_inbox import SETTLED_SECONDS
from local_store.outbox import OutboxKind, OutboxState
from tests.support.desk_window import DESIGNEE, WAIT, sign_in, start_demo
from tests.support.memory_keyring import MemoryKeyring
from tests.support.screens import cell_text
from tests.test_lab_import_csv import PORTAL
from tests.test_ui_csv_mapping import pick_columns, pick_format
from tests.test_ui_lab_import import oru_drawn_yesterday
from ui.csv_mapping_dialog import CsvMappingDialog
from ui.lab_review import LabReviewDialog
from ui.main_window import DeskWindow
from ui.workspace import Workspace

SAMPLES = Path(__file__).parent / "lab_samples"


@pytest.fixture
def demo(tmp_path: Path, memory_keyring: MemoryKeyring, qtbot: QtBot) -> Iterator[DeskWindow]:
    window = start_demo(tmp_path / "demo", qtbot)
    yield window
    window.close()


@pytest.fixture
def office(demo: DeskWindow, qtbot: QtBot) -> Workspace:
    return sign_in(qtbot, demo, DESIGNEE)


def queued_ancs(workspace: Workspace) -> int:
    items = workspace.worker.run_now(
        lambda: workspace.session.outbox.items(
            OutboxState.QUEUED, OutboxState.SENDING, OutboxState.RETRY_WAIT, OutboxState.ACKED
        )
    )
    return sum(1 for i in items if i.kind == OutboxKind.REPORT_ANC.value)


def test_a_file_dropped_on_the_window_opens_its_review(
    office: Workspace, qtbot: QtBot, tmp_path: Path
) -> None:
    path, _drawn = oru_drawn_yesterday(tmp_path)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path)), QUrl("https://example.org/not-a-file")])
    office.lab_imports.review = None
    drop = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    office.dropEvent(drop)
    assert drop.isAccepted()
    qtbot.waitUntil(lambda: isinstance(office.lab_imports.review, LabReviewDialog), timeout=WAIT)
    review = office.lab_imports.review
    assert review is not None and review.table.rowCount() == 6
    review.reject()  # closing records nothing
    assert queued_ancs(office) == 0


def test_the_watched_folder_offers_a_file_once_and_only_when_it_is_written(
    office: Workspace, qtbot: QtBot, tmp_path: Path
) -> None:
    inbox = tmp_path / "lab-inbox"
    inbox.mkdir()
    flow = office.lab_imports
    flow._set_folder(str(inbox))
    qtbot.waitUntil(lambda: office.worker.busy == 0, timeout=WAIT)
    banner = office.lab_arrivals
    path, _drawn = oru_drawn_yesterday(inbox)  # written just now: still being written?
    (inbox / "next.hl7.part").write_bytes(b"MSH|")  # an interface's half-copied file
    flow.look_at_inbox()
    qtbot.waitUntil(lambda: office.worker.busy == 0, timeout=WAIT)
    assert banner.isHidden()  # not settled yet
    settled = time.time() - SETTLED_SECONDS - 1
    os.utime(path, (settled, settled))
    os.utime(inbox / "next.hl7.part", (settled, settled))
    flow.look_at_inbox()
    qtbot.waitUntil(lambda: banner.isVisible(), timeout=WAIT)
    assert "1 lab result file arrived in the watched folder" in banner.text()

    flow.review = None
    banner.linkActivated.emit("review")
    qtbot.waitUntil(lambda: isinstance(flow.review, LabReviewDialog), timeout=WAIT)
    assert flow.review is not None
    qtbot.mouseClick(flow.review.ok, Qt.MouseButton.LeftButton)  # record the four
    qtbot.waitUntil(lambda: not flow.review.isVisible(), timeout=WAIT)
    qtbot.waitUntil(lambda: queued_ancs(office) == 4, timeout=WAIT)
    # Looked at again (and renamed by someone): the same content is not offered again.
    path.rename(inbox / "renamed.hl7")
    flow.look_at_inbox()
    qtbot.waitUntil(lambda: office.worker.busy == 0, timeout=WAIT)
    assert banner.isHidden()
    assert sorted(p.name for p in inbox.iterdir()) == ["next.hl7.part", "renamed.hl7"]


def test_a_csv_asks_for_its_columns_once_and_a_person_picks_a_patient(
    office: Workspace, qtbot: QtBot, tmp_path: Path
) -> None:
    yesterday = date.today() - timedelta(days=1)
    text = (SAMPLES / "lab-portal-us-dates.csv").read_text(encoding="utf-8")
    # Draws moved to yesterday; Linh Tran sent under a longer name: a person decides.
    for day in ("11/30/2026", "12/01/2026", "12/02/2026"):
        text = text.replace(day, f"{yesterday:%m/%d/%Y}")
    text = text.replace('"Tran, Linh"', '"Tran-Nguyen, Linh"')
    export = tmp_path / "portal.csv"
    export.write_text(text, encoding="utf-8")
    flow = office.lab_imports
    flow.open(export)
    qtbot.waitUntil(lambda: isinstance(flow.columns, CsvMappingDialog), timeout=WAIT)
    columns = flow.columns
    assert isinstance(columns, CsvMappingDialog)
    qtbot.keyClicks(columns.lab, PORTAL.lab)
    pick_columns(columns, PORTAL.columns)
    pick_format(columns, PORTAL.date_format)
    assert columns.ok.isEnabled()
    flow.review = None
    qtbot.mouseClick(columns.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: isinstance(flow.review, LabReviewDialog), timeout=WAIT)
    review = flow.review
    assert review is not None
    rows = review.plan.rows
    waiting = [n for n, r in enumerate(rows) if n in review.pickers]
    tran = next(n for n in waiting if "TRAN-NGUYEN" in (rows[n].result.patient_name.upper()))
    picker = review.pickers[tran]
    assert picker.itemText(0) == "Choose the patient…"
    assert picker.itemText(1) == "Linh Tran, born 11/15/1968"
    picker.setCurrentIndex(1)
    picker.activated.emit(1)
    qtbot.waitUntil(lambda: cell_text(review.table, tran, 5).startswith("New ANC"), timeout=WAIT)
    # The choice can be changed, or undone: the row waits again.
    kept = review.pickers[tran]
    assert kept.currentText() == "Linh Tran, born 11/15/1968"
    kept.setCurrentIndex(0)
    kept.activated.emit(0)
    qtbot.waitUntil(lambda: cell_text(review.table, tran, 5).startswith("Waiting"), timeout=WAIT)
    review.reject()

    # The next export from the same lab: straight to its review, the columns remembered.
    flow.columns = None
    flow.review = None
    flow.open(export)
    qtbot.waitUntil(lambda: isinstance(flow.review, LabReviewDialog), timeout=WAIT)
    assert flow.columns is None
    saved = (office.desk.folder / "lab-csv-mappings.json").read_text(encoding="utf-8")
    assert "Lab portal export" in saved and "Núñez" not in saved and "A1001" not in saved
