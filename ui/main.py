"""Starting the window: the workstation's folder (or the demo's), Qt's application object,
and the first screen. `--demo` opens the demo clinic, making it on the first start."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import sys
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from app.clock import SystemClock
from desk.startup import data_folder

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from desk.shell import Desk

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

    from desk.shell import Desk
    from ui.main_window import DeskWindow

    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("Clozapine REMS Desk")
    QApplication.setDesktopFileName("clozapine-desk")  # the window belongs to its menu entry
    from PySide6.QtGui import QIcon

    QApplication.setWindowIcon(QIcon(str(Path(__file__).parent / "icons" / "clozapine-desk.png")))
    home = data_dir or data_folder()
    # The demo clinic, or the demo pharmacy or wholesaler beside it on its training registry.
    folder = home / DEMO_FOLDER if demo == "clinic" else home / f"demo-{demo}" if demo else home
    clock = SystemClock()
    desk = Desk(folder, clock)
    window = DeskWindow(desk, clock.today)
    making_demo = bool(demo) and not desk.is_set_up()
    if demo == "clinic" and making_demo:
        window.first_run.create_demo()
    elif making_demo:
        window.first_run.create_demo_workstation(demo or "", Desk(home / DEMO_FOLDER, clock))
    window.show()
    if on_shown is not None:
        app.processEvents()
        on_shown()
        desk.stop()
        return 0
    # After the window is up: no OS keyring means no store; say so and stop (keys are never
    # kept in a file). A demo being made checks first and says so on its own page: once.
    if not making_demo:
        QTimer.singleShot(0, lambda: _check_keyring(app, desk))
    closing = SignalsClose(window)
    try:
        return app.exec()
    finally:
        closing.stop()
        window.close()  # signed out, the store closed, the embedded registry stopped
        desk.stop()


class SignalsClose:
    """SIGTERM, SIGINT and SIGHUP close the window as if the person had (the session signs
    out, the embedded registry stops). Python runs a signal handler only between bytecodes,
    which Qt's event loop rarely gives it, so the signal's number is written to a socket
    (`signal.set_wakeup_fd`) and Qt's loop wakes on it: no polling timer, and the widgets
    are only touched from their own thread."""

    NAMES = ("SIGTERM", "SIGINT", "SIGHUP")  # Windows has no SIGHUP: skipped there

    def __init__(self, window: QWidget) -> None:
        from PySide6.QtCore import QSocketNotifier

        self.window = window
        self._reader, self._writer = socket.socketpair()
        for end in (self._reader, self._writer):
            end.setblocking(False)
        self._previous_fd = signal.set_wakeup_fd(self._writer.fileno())
        for name in self.NAMES:
            number = getattr(signal, name, None)
            if number is not None:
                signal.signal(number, _noted)  # the wake-up byte does the work
        self._notifier = QSocketNotifier(self._reader.fileno(), QSocketNotifier.Type.Read)
        self._notifier.activated.connect(self._arrived)

    def _arrived(self) -> None:
        from PySide6.QtWidgets import QApplication

        with contextlib.suppress(BlockingIOError):
            self._reader.recv(64)
        self.window.close()
        QApplication.quit()

    def stop(self) -> None:
        self._notifier.setEnabled(False)
        signal.set_wakeup_fd(self._previous_fd)
        self._reader.close()
        self._writer.close()


def _noted(number: int, frame: FrameType | None) -> None:
    """A signal's Python handler: nothing to do here (Qt's loop reads the wake-up byte)."""


def _check_keyring(app: object, desk: Desk) -> None:
    from PySide6.QtWidgets import QMessageBox

    problem = desk.keyring_problem()
    if problem is not None:
        QMessageBox.critical(None, "Clozapine REMS Desk", problem)
        app.quit()  # type: ignore[attr-defined]
