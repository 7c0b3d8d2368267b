"""A child process for the small-screen test: the demo's window, signed in, on a screen of
the size given (Qt's offscreen platform reads it from a config file); prints where the
window and its status bar are, and the screen's free area, as JSON."""

from __future__ import annotations

import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import keyring

from bench.memory_keyring import MemoryKeyring

if TYPE_CHECKING:
    from PySide6.QtWidgets import QTableView


def main(width: int, height: int) -> int:
    folder = Path(tempfile.mkdtemp())
    screen = {"name": "small", "x": 0, "y": 0, "width": width, "height": height}
    screen |= {"logicalDpi": 96, "logicalWidth": width, "logicalHeight": height}
    screens = {"screens": [screen]}
    config = folder / "screen.json"
    config.write_text(json.dumps(screens))
    from PySide6.QtWidgets import QApplication

    app = QApplication([sys.argv[0], "-platform", f"offscreen:configfile={config}"])
    keyring.set_keyring(MemoryKeyring())
    from app.clock import SystemClock
    from desk.demo.accounts import DEMO_ACCOUNTS
    from desk.shell import Desk
    from local_store.keys import FAST_KDF
    from ui.main_window import DeskWindow

    window = DeskWindow(Desk(folder / "demo", SystemClock(), kdf=FAST_KDF), SystemClock().today)
    window.show()
    window.first_run.create_demo()

    def until(done: Callable[[], bool]) -> None:
        deadline = time.monotonic() + 90
        while not done() and time.monotonic() < deadline:
            app.processEvents()
            time.sleep(0.02)

    until(lambda: hasattr(window, "sign_in_page"))
    page = window.sign_in_page
    email, password = DEMO_ACCOUNTS["sam-rivera"]
    page.email.setText(email)
    page.password.setText(password)
    page.button.click()
    from ui.workspace import Workspace

    def roster_shown() -> bool:
        workspace = window.workspace
        return isinstance(workspace, Workspace) and workspace.roster_model.total > 0

    until(roster_shown)
    for _ in range(20):
        app.processEvents()
    roster = window.workspace.roster.table if isinstance(window.workspace, Workspace) else None
    assert roster is not None
    free = window.screen().availableGeometry()
    frame = window.frameGeometry()
    bar = window.statusBar()
    bar_bottom = bar.mapToGlobal(bar.rect().bottomLeft()).y()
    print(json.dumps({
        "free": [free.x(), free.y(), free.width(), free.height()],
        "frame": [frame.x(), frame.y(), frame.width(), frame.height()],
        "status_bar_bottom": bar_bottom, "status_bar_visible": bar.isVisible(),
        "roster_clipped": clipped_cells(roster),
        "roster_wider_than_view": roster.horizontalHeader().length() > roster.viewport().width(),
    }))  # fmt: skip
    window.close()
    return 0


def clipped_cells(table: QTableView) -> list[str]:
    """The roster's cells whose text does not fit its column (Qt would cut it with "…")."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QFont, QFontMetrics

    model, header = table.model(), table.horizontalHeader()
    clipped = []
    for row in range(model.rowCount()):
        for column in range(model.columnCount()):
            index = model.index(row, column)
            text = str(model.data(index) or "")
            font = model.data(index, Qt.ItemDataRole.FontRole)
            metrics = QFontMetrics(font if isinstance(font, QFont) else table.font())
            if metrics.horizontalAdvance(text) + 12 > header.sectionSize(column):  # its margins
                clipped.append(text)
    for column in range(model.columnCount()):  # and the headings, in the header's font
        heading = str(model.headerData(column, Qt.Orientation.Horizontal) or "")
        if QFontMetrics(header.font()).horizontalAdvance(heading) + 24 > header.sectionSize(column):
            clipped.append(heading)  # (24: margins and the sort arrow)
    return clipped


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]), int(sys.argv[2])))
