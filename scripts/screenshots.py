"""Takes the README's screenshots: the demo clinic in a real window (run under Xvfb:
`xvfb-run -s "-screen 0 1600x1000x24" .venv/bin/python scripts/screenshots.py`).
Uses a throwaway folder and an in-memory keyring; the patients are invented."""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import keyring
from PySide6.QtWidgets import QApplication

from app.clock import SystemClock
from bench.memory_keyring import MemoryKeyring
from local_store.keys import FAST_KDF
from ui.demo_accounts import DEMO_ACCOUNTS
from ui.desk import Desk
from ui.main_window import DeskWindow

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
sys.path.insert(0, str(ROOT))  # the pharmacy's snapshot is built by the tests' support code


def wait(app: QApplication, until, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not until():
        if time.monotonic() > deadline:
            raise TimeoutError("the window did not get there")
        app.processEvents()
        time.sleep(0.02)


def shot(app: QApplication, widget, name: str) -> None:
    for _ in range(20):
        app.processEvents()
        time.sleep(0.02)
    widget.grab().save(str(OUT / f"{name}.png"))
    print("wrote", name)


def main() -> int:
    keyring.set_keyring(MemoryKeyring())
    app = QApplication(sys.argv)
    folder = Path(tempfile.mkdtemp()) / "demo"
    desk = Desk(folder, SystemClock(), kdf=FAST_KDF)
    window = DeskWindow(desk, SystemClock().today, sync_interval=2.0)
    window.resize(1500, 900)
    window.show()
    window.first_run.create_demo()
    wait(app, lambda: hasattr(window, "sign_in_page"), 60)
    page = window.sign_in_page
    page.email.setText(DEMO_ACCOUNTS["sam-rivera"][0])
    shot(app, window, "sign-in")
    page.password.setText(DEMO_ACCOUNTS["sam-rivera"][1])
    page.submit()
    wait(app, lambda: window.workspace is not None and window.workspace.roster_model.total > 0)
    wait(app, lambda: window.last_report is not None and window.workspace.roster_model.total >= 9)
    shot(app, window, "roster")
    window.workspace.open_chart("p-bello")
    wait(app, lambda: window.workspace.count() > 4 and window.workspace.widget(4).data is not None)
    shot(app, window, "patient-chart")
    window.workspace.new_psf("p-kowalski")
    wait(
        app,
        lambda: (
            window.workspace.last_dialog is not None and window.workspace.last_dialog.isVisible()
        ),
    )
    editor = window.workspace.last_dialog
    editor.rationale.setPlainText("ANC recovering; benefit outweighs risk. Recheck in 3 days.")
    shot(app, editor, "psf-editor")
    editor._submit()
    wait(app, lambda: not editor.isVisible())
    window.sign_out()
    page = window.sign_in_page
    page.email.setText(DEMO_ACCOUNTS["dr-okafor"][0])
    page.password.setText(DEMO_ACCOUNTS["dr-okafor"][1])
    page.submit()
    wait(app, lambda: window.workspace is not None)
    wait(app, lambda: window.workspace.awaiting.table.rowCount() > 0)
    window.workspace.setCurrentIndex(1)
    shot(app, window, "awaiting-signature")
    # The outbox with something in it: an ANC the registry refuses (drawn before the
    # patient was born), then one made while the registry is down.
    session = window.session
    window.worker.run_now(lambda: session.queue_anc("p-miller", "2100", "/uL", "1990-01-02"))
    window.sync_now()
    wait(app, lambda: window.last_report is not None and window.last_report.pushed.rejected > 0)
    desk.registry_process.kill()
    today = date.today().isoformat()
    window.worker.run_now(lambda: session.queue_anc("p-tran", "1.9", "K/uL", today))
    window.sync_now()
    wait(app, lambda: "Offline" in window.sync_status.label.text())
    window.workspace.refresh_lists()
    window.workspace.setCurrentIndex(2)
    wait(app, lambda: window.workspace.outbox.table.rowCount() == 2)
    shot(app, window, "outbox")
    window.close()
    pharmacy_preview(app)
    return 0


def pharmacy_preview(app: QApplication) -> None:
    """A pharmacy workstation, offline, previewing a patient whose treatment is interrupted."""
    from PySide6.QtCore import QDate

    from tests.support.pharmacy_store import AR, BORN, TODAY, build_pharmacy_desk

    desk = build_pharmacy_desk(Path(tempfile.mkdtemp()) / "rx")
    window = DeskWindow(desk, lambda: TODAY, sync_interval=3600)
    window.resize(1500, 700)
    window.show()
    page = window.sign_in_page
    page.email.setText(AR[0])
    page.password.setText(AR[1])
    page.submit()
    wait(app, lambda: window.workspace is not None and window.workspace.prescriber.count() == 3)
    workspace = window.workspace
    workspace.name.setText("Ivan Ilyin")
    born = date.fromisoformat(BORN)
    workspace.dob.setDate(QDate(born.year, born.month, born.day))
    workspace.look_up()
    wait(app, lambda: workspace.panel.verdict.text().startswith("Ivan Ilyin"))
    wait(app, lambda: "Offline" in window.sync_status.label.text())
    shot(app, window, "pharmacy-preview-denied")
    window.close()


if __name__ == "__main__":
    sys.exit(main())
