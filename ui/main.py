"""Starting the window: the workstation's folder (or the demo's), Qt's application object,
and the first screen. `--demo` opens the demo clinic, making it on the first start."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

from app.clock import SystemClock
from local_store.paths import data_folder

DEMO_FOLDER = "demo"


def run(
    *, demo: str | None, data_dir: Path | None = None, on_shown: Callable[[], None] | None = None
) -> int:
    """Start the window; `on_shown` (the start-up benchmark) runs once it is up, then quits."""
    headless = not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    if sys.platform.startswith("linux") and headless and not os.environ.get("QT_QPA_PLATFORM"):
        # Qt would abort (exit 134) with no display: say what to do instead.
        print(
            "clozapine-desk: there is no display to open the window on. Run it in a desktop "
            "session, or under Xvfb (xvfb-run -a clozapine-desk app --demo).",
            file=sys.stderr,
        )
        return 2
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from ui.desk import Desk
    from ui.main_window import DeskWindow

    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("Clozapine REMS Desk")
    home = data_dir or data_folder()
    # The demo clinic, or the demo pharmacy or wholesaler beside it on its training registry.
    folder = home / DEMO_FOLDER if demo == "clinic" else home / f"demo-{demo}" if demo else home
    clock = SystemClock()
    desk = Desk(folder, clock)
    window = DeskWindow(desk, clock.today)
    if demo == "clinic" and not desk.is_set_up():
        window.first_run.create_demo()
    elif demo and not desk.is_set_up():
        window.first_run.create_demo_workstation(demo, Desk(home / DEMO_FOLDER, clock))
    window.show()
    if on_shown is not None:
        app.processEvents()
        on_shown()
        return 0
    # After the window is up: no OS keyring means no store; say so and stop (keys are never
    # kept in a file).
    QTimer.singleShot(0, lambda: _check_keyring(app))
    return app.exec()


def _check_keyring(app: object) -> None:
    from PySide6.QtWidgets import QMessageBox

    from local_store.device_secret import check_keyring
    from local_store.errors import StoreError

    try:
        check_keyring()
    except StoreError as error:
        QMessageBox.critical(
            None,
            "Clozapine REMS Desk",
            f"{error}\n\nThis computer has no OS keyring to keep the store's key. Run the app "
            "in a desktop session (GNOME Keyring, KWallet, Windows, macOS).",
        )
        app.quit()  # type: ignore[attr-defined]
