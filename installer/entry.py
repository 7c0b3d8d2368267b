"""The frozen app's entry point (installer/clozapine-desk.spec): the same `clozapine-desk`
command as from source. With no command it starts the window."""

import multiprocessing
import sys

from cli.main import main

if __name__ == "__main__":
    # `registry serve --workers N` starts worker processes by re-running this program.
    multiprocessing.freeze_support()
    sys.exit(main())
