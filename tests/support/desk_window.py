"""The demo clinic's window driven as a person drives it (pytest-qt): start it on its
embedded registry, sign in, add an ANC, open a chart, and read the roster and the chart."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableWidget
from pytestqt.qtbot import QtBot

from app.clock import SystemClock
from desk.demo.accounts import DEMO_ACCOUNTS
from desk.shell import Desk
from local_store.keys import FAST_KDF
from tests.support.screens import office_of
from ui.add_anc import AddAncDialog
from ui.chart_view import ChartPage
from ui.main_window import DeskWindow
from ui.workspace import Workspace

DESIGNEE = DEMO_ACCOUNTS["sam-rivera"]
PRESCRIBER = DEMO_ACCOUNTS["dr-okafor"]
WAIT = 30_000  # ms


def start_demo(folder: Path, qtbot: QtBot, sync_interval: float = 0.5) -> DeskWindow:
    """The README's demo: a store, an embedded registry with the demo clinic, the window
    (syncing every half second unless told). The caller closes it."""
    desk = Desk(folder, SystemClock(), kdf=FAST_KDF)
    window = DeskWindow(desk, SystemClock().today, sync_interval=sync_interval)
    qtbot.addWidget(window)
    window.show()
    window.first_run.create_demo()
    qtbot.waitUntil(lambda: hasattr(window, "sign_in_page"), timeout=90_000)
    return window


def workspace_of(window: DeskWindow) -> Workspace:
    """The office's workspace; screens.office_of, which says what the window shows instead."""
    return office_of(window)


def sign_in(qtbot: QtBot, window: DeskWindow, who: tuple[str, str]) -> Workspace:
    page = window.sign_in_page
    page.email.clear()
    page.password.clear()
    qtbot.keyClicks(page.email, who[0])
    qtbot.keyClicks(page.password, who[1])
    qtbot.mouseClick(page.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: isinstance(window.workspace, Workspace) and window.workspace.roster_model.total > 0,
        timeout=WAIT,
    )
    return workspace_of(window)


def roster_row(window: DeskWindow, name: str) -> list[str]:
    model = workspace_of(window).roster_model
    for row in range(model.rowCount()):
        cells = [str(model.data(model.index(row, c))) for c in range(model.columnCount())]
        if cells[0].removeprefix("⚠ ") == name:
            return cells
    raise AssertionError(f"{name} is not on the roster")


def synced(window: DeskWindow) -> bool:
    report = window.last_report
    return report is not None and report.connectivity.value == "online" and report.queued == 0


def open_add_anc(qtbot: QtBot, workspace: Workspace, patient_id: str) -> AddAncDialog:
    """Add ANC… for a patient: the dialog, open and empty."""
    workspace.last_dialog = None
    workspace.add_anc(patient_id)
    qtbot.waitUntil(lambda: isinstance(workspace.last_dialog, AddAncDialog), timeout=WAIT)
    dialog = workspace.last_dialog
    assert isinstance(dialog, AddAncDialog)
    return dialog


def add_anc(qtbot: QtBot, workspace: Workspace, patient_id: str, value: str) -> None:
    """Add ANC…: the value in cells/µL, drawn today, OK."""
    dialog = open_add_anc(qtbot, workspace, patient_id)
    qtbot.keyClicks(dialog.value, value)
    dialog.unit.setCurrentIndex(1)  # cells/µL
    qtbot.mouseClick(dialog.buttons.buttons()[0], Qt.MouseButton.LeftButton)


def open_chart(qtbot: QtBot, workspace: Workspace, patient_id: str) -> ChartPage:
    workspace.open_chart(patient_id)
    page = workspace.currentWidget()
    assert isinstance(page, ChartPage) and page.patient_id == patient_id
    qtbot.waitUntil(lambda: page.data is not None, timeout=WAIT)
    return page


def anc_history(page: ChartPage) -> list[list[str]]:
    """The chart's ANC history table as shown: drawn, ANC, as entered, category, how."""
    tables = [page.details.widget(n) for n in range(page.details.count())]
    table = next(t for t in tables if t is not None and t.accessibleName() == "ANC history")
    assert isinstance(table, QTableWidget)
    cells = [
        [table.item(r, c) for c in range(table.columnCount())] for r in range(table.rowCount())
    ]
    return [[cell.text() if cell is not None else "" for cell in row] for row in cells]
