"""ANCs added in the window while the registry is down (pytest-qt, the demo's embedded
registry process, killed and started again): when it is back they go in one batch, are
accepted, and each patient's chart shows its ANC once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableWidget
from pytestqt.qtbot import QtBot

from app.clock import SystemClock
from local_store.keys import FAST_KDF
from tests.support.memory_keyring import MemoryKeyring
from ui.add_anc import AddAncDialog
from ui.chart_view import ChartPage
from ui.demo_accounts import DEMO_ACCOUNTS
from ui.desk import Desk
from ui.main_window import DeskWindow
from ui.workspace import Workspace

DESIGNEE = DEMO_ACCOUNTS["sam-rivera"]
WAIT = 30_000  # ms


@pytest.fixture
def demo(tmp_path: Path, memory_keyring: MemoryKeyring, qtbot: QtBot) -> Iterator[DeskWindow]:
    desk = Desk(tmp_path / "demo", SystemClock(), kdf=FAST_KDF)
    window = DeskWindow(desk, SystemClock().today, sync_interval=0.5)
    qtbot.addWidget(window)
    window.show()
    window.first_run.create_demo()
    qtbot.waitUntil(lambda: hasattr(window, "sign_in_page"), timeout=90_000)
    yield window
    window.close()


def workspace_of(window: DeskWindow) -> Workspace:
    workspace = window.workspace
    assert isinstance(workspace, Workspace)
    return workspace


def sign_in(qtbot: QtBot, window: DeskWindow, who: tuple[str, str]) -> Workspace:
    page = window.sign_in_page
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


def add_anc(qtbot: QtBot, workspace: Workspace, patient_id: str, value: str) -> None:
    """Add ANC…: the value in cells/µL, drawn today, OK."""
    workspace.last_dialog = None
    workspace.add_anc(patient_id)
    qtbot.waitUntil(lambda: isinstance(workspace.last_dialog, AddAncDialog), timeout=WAIT)
    dialog = workspace.last_dialog
    assert isinstance(dialog, AddAncDialog)
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


def test_ancs_added_while_the_registry_is_down_are_accepted_once_when_it_is_back(
    demo: DeskWindow, qtbot: QtBot
) -> None:
    workspace = sign_in(qtbot, demo, DESIGNEE)
    qtbot.waitUntil(lambda: synced(demo), timeout=WAIT)
    registry = demo.desk.registry_process
    assert registry is not None
    registry.kill()
    add_anc(qtbot, workspace, "p-miller", "2150")
    add_anc(qtbot, workspace, "p-tran", "1870")
    qtbot.waitUntil(lambda: "2 queued" in demo.sync_status.label.text(), timeout=WAIT)
    qtbot.waitUntil(lambda: roster_row(demo, "Linh Tran")[9] == "Not sent (1)", timeout=WAIT)
    assert roster_row(demo, "Robert Miller")[9] == "Not sent (1)"

    registry.start()  # the same port and database: the registry is back
    demo.sync_now()
    qtbot.waitUntil(lambda: synced(demo), timeout=60_000)
    qtbot.waitUntil(lambda: roster_row(demo, "Linh Tran")[3] == "1,870/µL", timeout=WAIT)
    assert roster_row(demo, "Robert Miller")[3] == "2,150/µL"
    assert roster_row(demo, "Robert Miller")[9] == roster_row(demo, "Linh Tran")[9] == "Up to date"
    assert "refused" not in workspace.tabText(2)  # the outbox tab: nothing refused
    for patient_id, shown in (("p-miller", "2,150/µL"), ("p-tran", "1,870/µL")):
        page = open_chart(qtbot, workspace, patient_id)
        rows = anc_history(page)
        assert [r[1] for r in rows].count(shown) == 1, rows
        assert next(r for r in rows if r[1] == shown)[4] == "add anc"
