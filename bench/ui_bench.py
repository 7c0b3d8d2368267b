"""The window's speed: start-up to the sign-in window (as a ratio to an empty QMainWindow
started the same way, in the same run), sign-in to a painted roster of 10,000 patients, and
one keystroke in the roster's filter. Offscreen Qt; the store is real (SQLCipher, Argon2id)."""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import keyring
from PySide6.QtTest import QTest

from app.clock import SystemClock
from app.roles import Role
from bench.harness import Metric
from bench.memory_keyring import MemoryKeyring
from bench.store_world import fill_store
from local_store.keys import DEFAULT_KDF
from local_store.workstation import NewAccount

METRICS = ("ui.startup_over_floor", "ui.startup_s", "ui.roster_ms", "ui.filter_ms")
PASSWORD = "quiet harbor window seven"
UNREACHABLE = "https://127.0.0.1:9"  # the sync link goes offline at once: not measured here


def _child(*args: str, env: dict[str, str]) -> float:
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "bench.ui_startup", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    if "shown" not in out.stdout:
        raise RuntimeError(f"the window did not start: {out.stderr[-2000:]}")
    return time.perf_counter() - started


def _wait(app: object, until: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.perf_counter() + timeout
    while not until():
        if time.perf_counter() > deadline:
            raise TimeoutError("the window did not get there")
        QTest.qWait(1)  # as pytest-qt waits: events and timers, without spinning


def run(quick: bool) -> Iterator[Metric]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    patients = 1_000 if quick else 10_000
    folder = Path(tempfile.mkdtemp(prefix="clozapine-ui-bench-"))
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        from ui.desk import Desk, DeskConfig

        desk = Desk(folder / "desk", SystemClock(), kdf=DEFAULT_KDF)
        session = desk.workstation.create(
            NewAccount(
                "bench@clinic.example", "Bench Prescriber", Role.PRESCRIBER, "dr-0", id="bench-desk"
            ),
            PASSWORD,
        )
        fill_store(session.db, patients, 20, SystemClock().today())
        session.sign_out()
        desk.save_config(DeskConfig(UNREACHABLE))

        handed = "\x1e".join(f"{s}\t{u}={v}" for (s, u), v in backend.secrets.items())
        env = {**os.environ, "BENCH_KEYRING": handed, "QT_QPA_PLATFORM": "offscreen"}
        rounds = 3 if quick else 5
        floor = statistics.median(_child("floor", env=env) for _ in range(rounds))
        ours = statistics.median(
            _child("desk", str(folder / "desk"), env=env) for _ in range(rounds)
        )
        yield Metric(
            "ui.startup_over_floor",
            ours / floor,
            "ratio",
            2.0,
            note=f"sign-in window {ours:.2f} s, empty window {floor:.2f} s; median of {rounds}",
        )
        yield Metric("ui.startup_s", ours, "s", None, note="process start to the sign-in window")
        yield from _in_window(desk, patients, quick)
    finally:
        keyring.set_keyring(previous)
        shutil.rmtree(folder, ignore_errors=True)


def _in_window(desk: object, patients: int, quick: bool) -> Iterator[Metric]:
    from PySide6.QtWidgets import QApplication

    from ui.main_window import DeskWindow

    app = QApplication.instance() or QApplication([])
    roster_times, filter_times = [], []
    for _ in range(2 if quick else 3):
        window = DeskWindow(desk, SystemClock().today, sync_interval=3600)  # type: ignore[arg-type]
        window.resize(1400, 900)
        window.show()
        page = window.sign_in_page
        page.email.setText("bench@clinic.example")
        page.password.setText(PASSWORD)
        started = time.perf_counter()
        page.submit()
        _wait(app, lambda: window.session is not None and bool(window.roster_model.pages.get(0)))
        window.roster.table.viewport().repaint()  # painted, not just loaded
        roster_times.append((time.perf_counter() - started) * 1000)
        model = window.roster_model
        loaded: list[int] = []
        model.pageLoaded.connect(lambda: loaded.append(1))
        for letter in "bcdfghklm" if not quick else "bcd":
            window.roster.filter.clear()
            _wait(app, lambda: window.worker.busy == 0)
            before = len(loaded)
            started = time.perf_counter()
            window.roster.filter.setText(letter)  # one keystroke
            _wait(app, lambda: len(loaded) > before)
            window.roster.table.viewport().repaint()
            filter_times.append((time.perf_counter() - started) * 1000)
        window.close()
        app.processEvents()
    yield Metric(
        "ui.roster_ms",
        statistics.median(roster_times),
        "ms",
        700.0,
        note=f"sign-in (Argon2id, SQLCipher) to the first page painted; {patients:,} patients",
    )
    yield Metric(
        "ui.filter_ms",
        statistics.median(filter_times),
        "ms",
        50.0,
        note=f"one letter typed to the filtered page painted; median of {len(filter_times)}",
    )
