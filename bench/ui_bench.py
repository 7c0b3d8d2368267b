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
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import keyring

from app.clock import SystemClock
from app.roles import Role
from bench.harness import Metric
from bench.memory_keyring import MemoryKeyring
from bench.store_world import fill_store
from local_store.keys import DEFAULT_KDF
from local_store.workstation import NewAccount

if TYPE_CHECKING:  # the window's modules load inside the measured functions, not here
    from PySide6.QtWidgets import QWidget

    from desk.shell import Desk

METRICS = (
    "ui.startup_over_floor",
    "ui.startup_s",
    "ui.roster_ms",
    "ui.filter_ms",
    "ui.preview_ms",
)
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


def run(quick: bool) -> Iterator[Metric]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    patients = 1_000 if quick else 10_000
    folder = Path(tempfile.mkdtemp(prefix="clozapine-ui-bench-"))
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        from desk.shell import Desk, DeskConfig

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
        env = {
            **os.environ,
            "BENCH_KEYRING": handed,
            "PYTHON_KEYRING_BACKEND": "bench.memory_keyring.MemoryKeyring",
            "QT_QPA_PLATFORM": "offscreen",
        }
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
        yield from _pharmacy_preview(folder / "pharmacy", patients, quick)
    finally:
        keyring.set_keyring(previous)
        shutil.rmtree(folder, ignore_errors=True)


def wait_for(connect: Callable[[Callable[[], None]], object]) -> None:
    """Sit in Qt's event loop until the signal comes, as the app does (a busy wait here
    would hold the GIL and slow the store thread it measures)."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    connect(loop.quit)
    QTimer.singleShot(60_000, loop.quit)
    loop.exec()


def _in_window(desk: Desk, patients: int, quick: bool) -> Iterator[Metric]:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from ui.main_window import DeskWindow
    from ui.workspace import Workspace

    app = QApplication.instance() or QApplication([])

    roster_times: list[float] = []
    filter_times: list[float] = []
    for _ in range(2 if quick else 3):
        window = DeskWindow(desk, SystemClock().today, sync_interval=3600)
        window.resize(1400, 900)
        window.show()
        page = window.sign_in_page
        page.email.setText("bench@clinic.example")
        page.password.setText(PASSWORD)
        app.processEvents()
        started = time.perf_counter()
        page.submit()

        # The window builds the workspace on signedIn; the first page then arrives.
        def first_page(quit_: Callable[[], None]) -> None:
            def signed_in(*_: object) -> None:
                office = window.workspace
                assert isinstance(office, Workspace)  # the bench signs a prescriber in
                office.roster_model.pageLoaded.connect(quit_)

            page.signedIn.connect(signed_in)

        wait_for(first_page)
        workspace = window.workspace
        assert isinstance(workspace, Workspace) and workspace.roster_model.pages.get(0)
        workspace.roster.table.viewport().repaint()  # painted, not just loaded
        roster_times.append((time.perf_counter() - started) * 1000)
        model = workspace.roster_model
        for letter in "bcdfghklm" if not quick else "bcd":
            if workspace.roster.filter.text():  # clearing an empty filter reloads nothing
                workspace.roster.filter.clear()
                wait_for(model.pageLoaded.connect)
            # The full roster is back; the window settles (lays out, paints) before the next
            # keystroke, as it does between a person's keystrokes.
            wait_for(lambda quit_: QTimer.singleShot(200, quit_))
            started = time.perf_counter()
            workspace.roster.filter.setText(letter)  # one keystroke
            wait_for(model.pageLoaded.connect)
            workspace.roster.table.viewport().repaint()
            filter_times.append((time.perf_counter() - started) * 1000)
        _dispose(window)
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


def _pharmacy_preview(folder: Path, patients: int, quick: bool) -> Iterator[Metric]:
    """A pharmacist looks a patient on the workstation up by name and date of birth: from
    the click to the eligibility preview painted (store read, RDA rules, audit write)."""
    from PySide6.QtCore import QDate, QTimer
    from PySide6.QtWidgets import QApplication

    from desk.shell import Desk, DeskConfig
    from ui.main_window import DeskWindow
    from ui.pharmacy_workspace import PharmacyWorkspace

    _app = QApplication.instance() or QApplication([])  # one for the run, kept alive
    today = SystemClock().today()
    desk = Desk(folder, SystemClock(), kdf=DEFAULT_KDF)
    session = desk.workstation.create(
        NewAccount(
            "rx@pharmacy.example",
            "Bench Pharmacist",
            Role.PHARMACY_AR,
            pharmacy_id="rx-0",
            id="bench-rx",
        ),
        PASSWORD,
    )
    ids = fill_store(session.db, patients, 20, today)
    looked_up = ids[:: max(1, len(ids) // (5 if quick else 15))]
    people = [
        session.db.one("SELECT name, dob FROM patients WHERE id = ?", (i,)) for i in looked_up
    ]
    session.sign_out()
    desk.save_config(DeskConfig(UNREACHABLE))
    window = DeskWindow(desk, SystemClock().today, sync_interval=3600)
    window.resize(1400, 900)
    window.show()
    window.sign_in_page.email.setText("rx@pharmacy.example")
    window.sign_in_page.password.setText(PASSWORD)
    window.sign_in_page.submit()

    def first_paint(quit_: Callable[[], None]) -> None:
        def signed_in(*_: object) -> None:
            pharmacy = window.workspace
            assert isinstance(pharmacy, PharmacyWorkspace)  # the bench signs an AR in
            pharmacy.firstPaint.connect(quit_)

        window.sign_in_page.signedIn.connect(signed_in)

    wait_for(first_paint)
    workspace = window.workspace
    assert isinstance(workspace, PharmacyWorkspace)
    times: list[float] = []
    for name, dob in people:
        born = date.fromisoformat(dob)
        workspace.name.setText(name)
        workspace.dob.setDate(QDate(born.year, born.month, born.day))
        wait_for(lambda quit_: QTimer.singleShot(200, quit_))  # typed; the window settles
        started = time.perf_counter()
        workspace.look_up()
        wait_for(workspace.previewShown.connect)
        workspace.panel.repaint()
        times.append((time.perf_counter() - started) * 1000)
        assert workspace.panel.verdict.text().startswith(name)
    _dispose(window)
    yield Metric(
        "ui.preview_ms",
        statistics.median(times),
        "ms",
        100.0,
        note=f"look-up to the preview painted, a patient on the workstation; median of "
        f"{len(times)}; {patients:,} patients",
    )


def _dispose(window: QWidget) -> None:
    """Close a window and delete it now, with its Qt children, while Python still runs
    (left to the interpreter's exit, PySide may free them in an order that crashes)."""
    from PySide6.QtCore import QCoreApplication, QEvent

    window.close()
    window.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QCoreApplication.processEvents()
