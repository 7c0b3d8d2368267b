"""Inside a desktop session with a real keyring (GNOME Keyring on a private D-Bus; the
frozen app cannot load the benchmark's in-memory one): a workstation store, then the app
started to its sign-in window from source and frozen, alternately, `rounds` times each.
Prints {"source": [s, ...], "frozen": [s, ...]} on its last line.

    python -m bench.frozen_startup BUNDLE_PROGRAM ROUNDS"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from app.clock import SystemClock
from app.roles import Role
from desk.shell import Desk, DeskConfig
from local_store.keys import DEFAULT_KDF
from local_store.workstation import NewAccount

UNREACHABLE = "https://127.0.0.1:9"


def _until_shown(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    out = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
    if "shown" not in out.stdout:
        raise RuntimeError(f"the window did not start ({command[0]}): {out.stderr[-2000:]}")
    return time.perf_counter() - started


def main(program: str, rounds: int) -> None:
    with tempfile.TemporaryDirectory(prefix="clozapine-frozen-bench-") as scratch:
        print(json.dumps(_times(program, rounds, Path(scratch) / "desk")))


def _times(program: str, rounds: int, folder: Path) -> dict[str, list[float]]:
    desk = Desk(folder, SystemClock(), kdf=DEFAULT_KDF)
    desk.workstation.create(
        NewAccount("bench@clinic.example", "Bench", Role.PRESCRIBER, "dr-0", id="bench-desk"),
        "quiet harbor window seven",
    ).sign_out()
    desk.save_config(DeskConfig(UNREACHABLE))
    env = {**os.environ, "CLOZAPINE_EXIT_WHEN_SHOWN": "1", "QT_QPA_PLATFORM": "offscreen"}
    frozen_env = {k: v for k, v in env.items() if not k.startswith("PYTHON")}
    times: dict[str, list[float]] = {"source": [], "frozen": []}
    app = ["app", "--data-dir", str(folder)]
    for _ in range(rounds):  # alternately, so a busy moment of the machine hits both
        times["source"].append(_until_shown([sys.executable, "-m", "cli.main", *app], env))
        times["frozen"].append(_until_shown([program, *app], frozen_env))
    return times


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
