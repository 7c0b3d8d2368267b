"""The frozen app's entry point (installer/clozapine-desk.spec): the same `clozapine-desk`
command as from source. With no command it starts the window."""

import multiprocessing
import os
import sys

from cli.main import main

if __name__ == "__main__":
    # `registry serve --workers N` starts worker processes by re-running this program.
    multiprocessing.freeze_support()
    # The Linux bundle carries Qt's X11 platform only (installer/clozapine-desk.spec): on a
    # Wayland desktop go straight to XWayland rather than warn about a missing plugin.
    if sys.platform.startswith("linux") and os.environ.get("DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "xcb")
    sys.exit(main())
