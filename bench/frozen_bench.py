"""The frozen app (installer/): its start to the sign-in window as a ratio to the same from
source, measured side by side in this run, and the bundle's size. Both need a bundle built
by installer/build-linux.sh (`dist/clozapine-desk`, or CLOZAPINE_BUNDLE=folder); the start-up
also needs a real keyring session (dbus-run-session and gnome-keyring-daemon)."""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from bench.harness import Metric

METRICS = ("ui.frozen_startup_over_source", "installer.bundle_mb")
REPO = Path(__file__).resolve().parent.parent
SESSION = REPO / "tests" / "support" / "real_keyring_session.sh"


def bundle_folder() -> Path:
    return Path(os.environ.get("CLOZAPINE_BUNDLE", REPO / "dist" / "clozapine-desk"))


def bundle_mib(folder: Path) -> float:
    """The bytes of every file in the bundle (links counted once), in MiB as `du` gives."""
    files = [p for p in folder.rglob("*") if p.is_file() and not p.is_symlink()]
    return sum(p.stat().st_size for p in files) / 2**20


def run(quick: bool) -> Iterator[Metric]:
    folder = bundle_folder()
    program = folder / ("clozapine-desk.exe" if sys.platform == "win32" else "clozapine-desk")
    if not program.exists():
        print(f"bench: no frozen bundle at {folder} (installer/build-linux.sh makes one)")
        return
    yield Metric(
        "installer.bundle_mb",
        bundle_mib(folder),
        "MiB",
        150.0,
        note=f"every file of {folder.name}/, as installed (the .deb's download is smaller)",
    )
    if not (shutil.which("dbus-run-session") and shutil.which("gnome-keyring-daemon")):
        print("bench: the frozen start-up needs dbus-run-session and gnome-keyring-daemon")
        return
    rounds = 3 if quick else 7
    out = subprocess.run(
        ["dbus-run-session", "--", "bash", str(SESSION), sys.executable, "-m",
         "bench.frozen_startup", str(program), str(rounds)],
        capture_output=True, text=True, cwd=REPO, timeout=900,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )  # fmt: skip
    if out.returncode != 0:
        raise RuntimeError(f"the frozen start-up bench failed: {out.stderr[-2000:]}")
    times = json.loads(out.stdout.strip().splitlines()[-1])
    source, frozen = statistics.median(times["source"]), statistics.median(times["frozen"])
    yield Metric(
        "ui.frozen_startup_over_source",
        frozen / source,
        "ratio",
        1.3,
        note=f"frozen {frozen:.2f} s, from source {source:.2f} s to the sign-in window; "
        f"median of {rounds} each, alternately, real keyring",
    )
