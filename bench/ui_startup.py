"""A child process for `ui.startup_over_floor`: prints "shown" once its first window is up.
`floor`: an empty QMainWindow. `desk FOLDER`: `clozapine-desk app` to its sign-in window
over that store."""

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
    # The keyring is the parent's, in memory (PYTHON_KEYRING_BACKEND, set by the parent).
    os.environ["CLOZAPINE_EXIT_WHEN_SHOWN"] = "1"
    from cli.main import main

    sys.exit(main(["app", "--data-dir", sys.argv[2]]))
print("shown", flush=True)
