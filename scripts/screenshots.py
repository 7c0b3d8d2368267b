"""Takes the README's screenshots: the demo clinic in a real window (run under Xvfb:
`xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python scripts/screenshots.py`).
Uses a throwaway folder and an in-memory keyring; the patients are invented.

`--screen 1366x768 --out /tmp/shots` instead fills a screen of that size with every window,
to look at each screen as an office workstation shows it (give Xvfb the same size)."""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TypeVar

import keyring
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QInputDialog, QWidget

from app.clock import SystemClock
from bench.memory_keyring import MemoryKeyring
from desk.demo.accounts import DEMO_ACCOUNTS
from desk.shell import Desk
from local_store.keys import FAST_KDF
from ui.dispense_rationale import DispenseRationaleDialog
from ui.main_window import DeskWindow
from ui.pharmacy_workspace import PharmacyWorkspace
from ui.psf_editor import PsfEditor
from ui.wholesaler_workspace import WholesalerWorkspace
from ui.workspace import Workspace

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
SCREEN: tuple[int, int] | None = None  # --screen: every window fills a screen of this size
sys.path.insert(0, str(ROOT))  # the pharmacy's snapshot is built by the tests' support code
Shown = TypeVar("Shown")


def expect(kind: type[Shown], widget: object) -> Shown:
    """What the window shows (its workspace or last dialog), as the kind this script expects."""
    if not isinstance(widget, kind):
        raise TypeError(f"expected a {kind.__name__}, the window shows {widget!r}")
    return widget


def wait(app: QApplication, until: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not until():
        if time.monotonic() > deadline:
            raise TimeoutError("the window did not get there")
        app.processEvents()
        time.sleep(0.02)


def settle(app: QApplication) -> None:
    for _ in range(20):
        app.processEvents()
        time.sleep(0.02)


def shot(app: QApplication, widget: QWidget, name: str) -> None:
    settle(app)
    widget.grab().save(str(OUT / f"{name}.png"))
    print("wrote", name)


def sized(window: QWidget, width: int, height: int) -> None:
    """The README's size, or with --screen the whole screen, as a maximized window is."""
    if SCREEN is None:
        window.resize(width, height)
        window.show()
    else:
        window.showMaximized()


def lock_screen(app: QApplication, window: DeskWindow, password: str) -> None:
    """Ctrl+L: the window empties and one prompt asks for the password. The prompt is
    modal, so the screen is taken (window and prompt together) from inside it."""
    taken: list[bool] = []

    def take_and_unlock() -> None:
        prompts = [w for w in app.topLevelWidgets() if isinstance(w, QInputDialog)]
        prompt = next((w for w in prompts if w.isVisible()), None)
        if prompt is None:
            QTimer.singleShot(100, take_and_unlock)
            return
        settle(app)
        frame = window.frameGeometry()
        screen = app.primaryScreen().grabWindow(0, frame.x(), frame.y(), frame.width(),
                                                frame.height())  # fmt: skip
        screen.save(str(OUT / "lock-screen.png"))
        print("wrote lock-screen")
        taken.append(True)
        prompt.setTextValue(password)
        prompt.accept()

    QTimer.singleShot(300, take_and_unlock)
    window.lock_now()
    if not taken:
        raise RuntimeError("the lock asked for no password")


def main() -> int:
    keyring.set_keyring(MemoryKeyring())
    app = QApplication(sys.argv[:1])
    folder = Path(tempfile.mkdtemp()) / "demo"
    desk = Desk(folder, SystemClock(), kdf=FAST_KDF)
    window = DeskWindow(desk, SystemClock().today, sync_interval=2.0)
    sized(window, 1500, 900)
    window.first_run.create_demo()
    wait(app, lambda: hasattr(window, "sign_in_page"), 60)
    page = window.sign_in_page
    page.email.setText(DEMO_ACCOUNTS["sam-rivera"][0])
    shot(app, window, "sign-in")
    page.password.setText(DEMO_ACCOUNTS["sam-rivera"][1])
    page.submit()
    wait(
        app,
        lambda: isinstance(window.workspace, Workspace) and window.workspace.roster_model.total > 0,
    )
    office = expect(Workspace, window.workspace)
    wait(app, lambda: window.last_report is not None and office.roster_model.total >= 9)
    shot(app, window, "roster")
    office.open_chart("p-bello")
    wait(app, lambda: bool(office.charts()) and office.charts()[0].data is not None)
    shot(app, window, "patient-chart")
    office.new_psf("p-kowalski")
    wait(app, lambda: office.last_dialog is not None and office.last_dialog.isVisible())
    editor = expect(PsfEditor, office.last_dialog)
    editor.status.setCurrentIndex(editor.status.findData("enrolled"))  # resume treatment
    editor.rationale.setPlainText("ANC recovering; benefit outweighs risk. Recheck in 3 days.")
    shot(app, editor, "psf-editor")
    editor._submit()
    try:
        wait(app, lambda: not editor.isVisible())
    except TimeoutError:
        raise RuntimeError(f"the PSF was not sent: {editor.message.text()}") from None
    window.sign_out()
    page = window.sign_in_page
    page.email.setText(DEMO_ACCOUNTS["dr-okafor"][0])
    page.password.setText(DEMO_ACCOUNTS["dr-okafor"][1])
    page.submit()
    wait(app, lambda: window.workspace is not None)
    office = expect(Workspace, window.workspace)
    wait(app, lambda: office.awaiting.table.rowCount() > 0)
    office.setCurrentIndex(1)
    shot(app, window, "awaiting-signature")
    # The outbox with something in it: an ANC the registry refuses (drawn before the
    # patient was born), then one made while the registry is down.
    session = window.session
    assert session is not None  # Dr. Okafor is signed in
    window.worker.run_now(lambda: session.queue_anc("p-miller", "2100", "/uL", "1990-01-02"))
    window.sync_now()
    wait(app, lambda: window.last_report is not None and window.last_report.pushed.rejected > 0)
    registry = desk.registry_process
    assert registry is not None  # the demo runs its own registry
    registry.kill()
    today = date.today().isoformat()
    window.worker.run_now(lambda: session.queue_anc("p-tran", "1.9", "K/uL", today))
    window.sync_now()
    wait(app, lambda: "Offline" in window.sync_status.label.text())
    office.refresh_lists()
    office.setCurrentIndex(2)
    wait(app, lambda: office.outbox.table.rowCount() == 2)
    shot(app, window, "outbox")
    lock_screen(app, window, DEMO_ACCOUNTS["dr-okafor"][1])
    # The registry comes back: what was queued goes; the refusal stays, with its reason.
    registry.start()
    window.sync_now()
    wait(app, lambda: window.last_report is not None and window.last_report.pushed.acked > 0, 60)
    office.refresh_lists()
    wait(app, lambda: office.outbox.table.rowCount() == 1)
    shot(app, window, "outbox-after-outage")
    window.close()  # which stops the demo's registry
    registry.start()  # up again, for the pharmacy and the wholesaler
    try:
        pharmacy_preview(app)
        pharmacy_at_registry(app, registry.url)
        wholesaler(app, registry.url)
    finally:
        registry.stop()
    return 0


def connected(app: QApplication, url: str, who: str, size: tuple[int, int]) -> DeskWindow:
    """A new workstation for one of the demo registry's accounts, signed in and synced."""
    from desk.demo.seed import demo_credentials
    from desk.shell import DeskConfig

    email, password = demo_credentials(who)
    desk = Desk(Path(tempfile.mkdtemp()) / who, SystemClock(), kdf=FAST_KDF)
    desk.create_connected(DeskConfig(url), [(email, password)])
    window = DeskWindow(desk, SystemClock().today, sync_interval=3600)
    sized(window, *size)
    window.sign_in_page.email.setText(email)
    window.sign_in_page.password.setText(password)
    window.sign_in_page.submit()
    wait(app, lambda: window.last_report is not None, 60)
    return window


def pharmacy_at_registry(app: QApplication, url: str) -> None:
    """Main Street's AR: a PSF-only denial and its Dispense Rationale; the dashboard."""
    from PySide6.QtCore import QDate

    from desk.demo.seed import demo_credentials
    from sync.client import RegistryClient

    ar = RegistryClient(url)
    ar.sign_in(*demo_credentials("ar-main"))
    ar.post("/v1/invitations", {"role": "pharmacy_staff", "email": "nia.tech@mainstreet.example",
                                "name": "Nia Tech"})  # fmt: skip
    window = connected(app, url, "ar-main", (1500, 900))
    workspace = expect(PharmacyWorkspace, window.workspace)
    workspace.name.setText("Linh Tran")
    workspace.dob.setDate(QDate(1968, 11, 15))
    workspace.look_up()
    wait(app, lambda: workspace.panel.verdict.text().startswith("Linh Tran"), 60)
    workspace.request_rda()
    wait(app, lambda: workspace.rda.rationale.isVisible())
    workspace.open_dispense_rationale()
    dialog = expect(DispenseRationaleDialog, workspace.last_dialog)
    wait(app, lambda: "left" in dialog.left.text())
    dialog.npi.setText("1234567893")
    dialog.anc.value.setText("1.9")
    dialog.anc.unit.setCurrentIndex(2)
    shot(app, dialog, "dispense-rationale")
    dialog.close()
    workspace.setCurrentWidget(workspace.dashboard)
    wait(app, lambda: workspace.dashboard.staff.rowCount() >= 2)
    shot(app, window, "pharmacy-dashboard")
    window.close()


def wholesaler(app: QApplication, url: str) -> None:
    window = connected(app, url, "wholesaler-demo", (1200, 700))
    listing = expect(WholesalerWorkspace, window.workspace).pharmacies
    wait(app, lambda: listing.table.rowCount() > 0)
    listing.table.selectRow(0)
    listing.check_selected()
    wait(app, lambda: "says the registry" in listing.verdict.text())
    shot(app, window, "wholesaler-list")
    window.close()


def pharmacy_preview(app: QApplication) -> None:
    """A pharmacy workstation, offline, previewing a patient whose treatment is interrupted."""
    from PySide6.QtCore import QDate

    from tests.support.pharmacy_store import AR, BORN, TODAY, build_pharmacy_desk

    desk = build_pharmacy_desk(Path(tempfile.mkdtemp()) / "rx")
    window = DeskWindow(desk, lambda: TODAY, sync_interval=3600)
    sized(window, 1500, 700)
    page = window.sign_in_page
    page.email.setText(AR[0])
    page.password.setText(AR[1])
    page.submit()
    wait(
        app,
        lambda: (
            isinstance(window.workspace, PharmacyWorkspace)
            and window.workspace.prescriber.count() == 3
        ),
    )
    workspace = expect(PharmacyWorkspace, window.workspace)
    workspace.name.setText("Ivan Ilyin")
    born = date.fromisoformat(BORN)
    workspace.dob.setDate(QDate(born.year, born.month, born.day))
    workspace.look_up()
    wait(app, lambda: workspace.panel.verdict.text().startswith("Ivan Ilyin"))
    wait(app, lambda: "Offline" in window.sync_status.label.text())
    shot(app, window, "pharmacy-preview-denied")
    window.close()


def lab_review() -> int:
    """The review of a lab's ORU file (tests/lab_samples/oru-six-results.hl7, its draws
    moved to yesterday): four to record, one refused for its unit, one waiting."""
    from datetime import timedelta

    from ui.lab_review import LabReviewDialog

    keyring.set_keyring(MemoryKeyring())
    app = QApplication(sys.argv[:1])
    folder = Path(tempfile.mkdtemp())
    desk = Desk(folder / "demo", SystemClock(), kdf=FAST_KDF)
    window = DeskWindow(desk, SystemClock().today, sync_interval=2.0)
    sized(window, 1500, 900)
    window.first_run.create_demo()
    wait(app, lambda: hasattr(window, "sign_in_page"), 60)
    window.sign_in_page.email.setText(DEMO_ACCOUNTS["sam-rivera"][0])
    window.sign_in_page.password.setText(DEMO_ACCOUNTS["sam-rivera"][1])
    window.sign_in_page.submit()
    wait(app, lambda: isinstance(window.workspace, Workspace))
    office = expect(Workspace, window.workspace)
    wait(app, lambda: window.last_report is not None and office.roster_model.total >= 9)
    drawn = (date.today() - timedelta(days=1)).strftime("%Y%m%d").encode()
    sample = ROOT / "tests" / "lab_samples" / "oru-six-results.hl7"
    path = folder / "acme-results.hl7"
    path.write_bytes(sample.read_bytes().replace(b"20261130", drawn))
    office.lab_imports.open(path)
    wait(app, lambda: isinstance(office.lab_imports.review, LabReviewDialog))
    review = expect(LabReviewDialog, office.lab_imports.review)
    review.resize(1280, 420)
    shot(app, review, "lab-review")
    review.reject()
    window.close()
    return 0


def parse_arguments() -> bool:
    """Whether only the lab review is to be taken (--lab-review)."""
    global OUT, SCREEN
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help="folder for the PNG files")
    parser.add_argument("--screen", help="WIDTHxHEIGHT: every window fills this screen")
    parser.add_argument("--lab-review", action="store_true", help="only the lab file review")
    arguments = parser.parse_args()
    OUT = arguments.out
    OUT.mkdir(parents=True, exist_ok=True)
    if arguments.screen:
        width, height = arguments.screen.lower().split("x")
        SCREEN = (int(width), int(height))
    return bool(arguments.lab_review)


if __name__ == "__main__":
    sys.exit(lab_review() if parse_arguments() else main())
