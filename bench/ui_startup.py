"""A child process for `ui.startup_over_floor`: prints "shown" once its first window is up.
`floor`: an empty QMainWindow. `desk FOLDER`: the app's sign-in window over that store."""

from __future__ import annotations

import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

if sys.argv[1] == "floor":
    from PySide6.QtWidgets import QApplication, QMainWindow

    app = QApplication([])
    window = QMainWindow()
    window.show()
    app.processEvents()
else:
    from pathlib import Path

    import keyring
    from PySide6.QtWidgets import QApplication

    from app.clock import SystemClock
    from bench.memory_keyring import MemoryKeyring
    from ui.desk import Desk
    from ui.main_window import DeskWindow

    backend = MemoryKeyring()
    backend.secrets = {
        tuple(k.split("\t")): v
        for k, v in (  # the parent's keyring, handed over
            line.split("\n", 1)[0].split("=", 1)
            for line in os.environ["BENCH_KEYRING"].split("\x1e")
        )
    }
    keyring.set_keyring(backend)
    app = QApplication([])
    window = DeskWindow(Desk(Path(sys.argv[2]), SystemClock()), SystemClock().today)
    window.show()
    app.processEvents()
print("shown", flush=True)
