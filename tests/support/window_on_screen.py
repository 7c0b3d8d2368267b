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

import keyring

from bench.memory_keyring import MemoryKeyring


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
    free = window.screen().availableGeometry()
    frame = window.frameGeometry()
    bar = window.statusBar()
    bar_bottom = bar.mapToGlobal(bar.rect().bottomLeft()).y()
    print(json.dumps({
        "free": [free.x(), free.y(), free.width(), free.height()],
        "frame": [frame.x(), frame.y(), frame.width(), frame.height()],
        "status_bar_bottom": bar_bottom, "status_bar_visible": bar.isVisible(),
    }))  # fmt: skip
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]), int(sys.argv[2])))
