"""A child process for `ui.startup_over_floor`: prints "shown" once its first window is up.
`floor`: an empty QMainWindow. `desk FOLDER`: the app's own start (`ui.main.run`) to its
sign-in window over that store."""

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

    from bench.memory_keyring import MemoryKeyring
    from ui.main import run

    backend = MemoryKeyring()
    handed = os.environ["BENCH_KEYRING"].split("\x1e")  # the parent's keyring, handed over
    pairs = (line.split("=", 1) for line in handed)
    backend.secrets = {tuple(k.split("\t")): v for k, v in pairs}  # type: ignore[misc]
    keyring.set_keyring(backend)
    # The app's own start: keyring check, QApplication, the sign-in window shown.
    run(demo=False, data_dir=Path(sys.argv[2]), on_shown=lambda: print("shown", flush=True))
    sys.exit(0)
print("shown", flush=True)
