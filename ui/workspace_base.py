"""What every signed-in workspace (an office's, a pharmacy's, a wholesaler's) is to the window
around it: tabs over one session, the store thread, calls to the registry through the
window's registry link, the window's "sync now", and print preview with its audit; it says
`firstPaint` once its first screen is filled, and the window then starts the registry link."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QMainWindow, QMessageBox, QTabWidget, QWidget

from desk.session import Session
from desk.shell import Desk, failure_words
from ui.registry_calls import RegistryCalls
from ui.tasks import StoreWorker

if TYPE_CHECKING:
    from desk.sync_status import RegistryClient, SyncReport


@dataclass(frozen=True)
class Surroundings:
    """What the window gives the workspace it shows."""

    window: QMainWindow
    desk: Desk
    worker: StoreWorker
    session: Session
    today: Callable[[], date]
    sync_now: Callable[[], None]


class WorkspaceTabs(QTabWidget):
    firstPaint = Signal()

    def __init__(self, around: Surroundings) -> None:
        super().__init__()
        self.window_, self.desk, self.worker = around.window, around.desk, around.worker
        self.session, self.today, self.sync_now = around.session, around.today, around.sync_now
        self.last_dialog: QWidget | None = None  # the dialog opened last (tests read it)
        self.calls = RegistryCalls(self._registry_client, self._registry_reached)

    def _registry_client(self) -> RegistryClient | None:
        link = getattr(self.window_, "link", None)
        return link.client() if link is not None else None

    def _registry_reached(self, problem: str | None) -> None:
        """A person's call reached the registry or not: the status bar says so at once."""
        reached = getattr(self.window_, "registry_reached", None)
        if reached is not None:
            reached(problem)

    def print_job(self, make: Callable[[], Any]) -> None:
        """Make a print job on the store thread, then open Qt's print preview; each print or
        save is audited."""
        from ui.print_preview import PreviewDialog

        session = self.session

        def audit(detail: str, subject: str) -> None:
            self.worker.run(lambda: session.record_print(subject, detail))

        def show(job: Any) -> None:
            dialog = PreviewDialog(job, lambda detail: audit(detail, job.subject), self)
            self.last_dialog = dialog
            dialog.open()

        def failed(error: BaseException) -> None:
            QMessageBox.warning(self, "Print", failure_words(error))

        self.worker.run(make, show, failed)

    def start(self) -> None:
        """Fill the first screen (from the store thread); emit `firstPaint` when it is in."""
        raise NotImplementedError

    def on_report(self, report: SyncReport) -> None:
        """A sync finished: refresh what it may have changed."""
        raise NotImplementedError
