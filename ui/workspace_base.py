"""What every signed-in workspace (an office's, a pharmacy's) is to the window around it:
tabs over one session, the store thread, and the window's "sync now"; it says `firstPaint`
once its first screen is filled, and the window then starts the registry link."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QMainWindow, QTabWidget, QWidget

from local_store.session import Session
from ui.desk import Desk
from ui.tasks import StoreWorker

if TYPE_CHECKING:
    from sync.engine import SyncReport


class WorkspaceTabs(QTabWidget):
    firstPaint = Signal()

    def __init__(
        self,
        window: QMainWindow,
        desk: Desk,
        worker: StoreWorker,
        session: Session,
        today: Callable[[], date],
        sync_now: Callable[[], None],
    ) -> None:
        super().__init__()
        self.window_, self.desk, self.worker, self.session = window, desk, worker, session
        self.today, self.sync_now = today, sync_now
        self.last_dialog: QWidget | None = None  # the dialog opened last (tests read it)

    def start(self) -> None:
        """Fill the first screen (from the store thread); emit `firstPaint` when it is in."""
        raise NotImplementedError

    def on_report(self, report: SyncReport) -> None:
        """A sync finished: refresh what it may have changed."""
        raise NotImplementedError
