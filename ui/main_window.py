"""The window: first run, sign-in, then the office's workspace, with the sync state always in
the status bar; idle sessions lock and ask for the password again.

Nothing here touches the store or the network: the store thread (`StoreWorker`) and the
registry link thread do, and their results come back through signals. The workspace and
the registry client are imported after sign-in, so the sign-in window opens quickly.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from datetime import date, datetime
from functools import partial
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QWidget,
)

from app.roles import Role
from desk.session import AccountLocked, SessionLocked
from desk.shell import Desk, failure_words
from ui import theme
from ui.sign_in import SignInPage, demo_hint
from ui.tasks import StoreWorker, log_failure, show_failure

if TYPE_CHECKING:
    from desk.session import Session
    from desk.shell import RegistryLink
    from desk.sync_status import SyncReport
    from ui.workspace_base import WorkspaceTabs

IDLE_CHECK_MS = 30_000
PREFERRED_SIZE = (1360, 820)
FRAME_ALLOWANCE = (16, 40)  # a window manager's borders and title bar, not in our size


class _Reports(QObject):
    """Carries sync reports from the registry link's thread to the GUI thread."""

    arrived = Signal(object)


class SyncStatus(QWidget):
    """Online or offline, the last sync, the number queued and refused: always in view, and
    never "Online" when the last call to the registry could not reach it."""

    def __init__(self) -> None:
        super().__init__()
        self.label = QLabel("Registry: connecting…")
        self.label.setAccessibleName("Sync status")
        self.sign_in = QPushButton("Sign in to the registry…")
        self.sign_in.hide()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.sign_in)
        self.report: SyncReport | None = None
        self.refused = 0  # refused or held outbox items (the store's count)
        self.waiting: int | None = None  # the store's count, fresher than the report's
        self.unreachable: tuple[datetime, str] | None = None  # a call that found it down

    def show_report(self, report: SyncReport) -> None:
        self.report, self.waiting = report, None
        if self.unreachable is not None and report.at >= self.unreachable[0]:
            self.unreachable = None  # the sync's answer is newer than the failed call
        self._show()

    def show_outbox(self, waiting: int, refused: int) -> None:
        self.waiting, self.refused = waiting, refused
        self._show()

    def show_unreachable(self, at: datetime, problem: str | None) -> None:
        """A person's call could not reach the registry (None: one just did)."""
        self.unreachable = (at, problem) if problem else None
        self._show()

    @property
    def offline(self) -> bool:
        report = self.report
        return self.unreachable is not None or (
            report is not None and report.connectivity.value == "offline"
        )

    def queued(self) -> int:
        if self.waiting is not None:
            return self.waiting
        return self.report.queued if self.report else 0

    def _show(self) -> None:
        report = self.report
        if report is None and self.unreachable is None:
            return
        queued_count = self.queued()
        queued = f"{queued_count} queued" if queued_count else "nothing queued"
        problem: str | None
        if self.unreachable is not None:
            state, since, problem = "offline", self.unreachable[0], self.unreachable[1]
        else:
            assert report is not None
            state, since, problem = report.connectivity.value, report.at, report.problem
        at = since.astimezone().strftime("%H:%M")
        words = {
            "online": f"● Online · last sync {at} · {queued}",
            "offline": f"○ Offline since {at} · {queued} · work is kept and sent later",
            "sign_in_required": f"○ Registry sign-in needed · {queued}",
            "update_required": f"○ Update needed · {queued}",
        }
        text = words[state]
        if self.refused:
            text += f" · {self.refused} refused — see Outbox"
        if report is not None and report.clock_warning:
            text += f" · {report.clock_warning}"
        if report is not None and report.audit_damage:  # the registry saw the log rewritten
            text += " · ⚠ The registry says this workstation's audit log was changed"
            state = "damaged"
        self.label.setText(text)
        self.label.setToolTip(problem or "")
        good = state == "online" and not self.refused
        color = theme.OK_TEXT if good else theme.ALERT_TEXT
        self.label.setStyleSheet(f"color: {color}; font-weight: 600;")
        self.sign_in.setVisible(state == "sign_in_required")


class DeskWindow(QMainWindow):
    def __init__(
        self, desk: Desk, today: Callable[[], date], *, sync_interval: float = 30.0
    ) -> None:
        super().__init__()
        self.desk, self.today, self.sync_interval = desk, today, sync_interval
        self.worker = StoreWorker(on_failure=self.tell_failure)
        self.last_failure: str | None = None  # the words of the last failure told (tests)
        self.session: Session | None = None
        self.workspace: WorkspaceTabs | None = None
        self.last_dialog: QWidget | None = None  # the dialog opened last (tests read it)
        self.link: RegistryLink | None = None
        self.last_report: SyncReport | None = None
        self.audit_damage_box: QMessageBox | None = None
        self._password: str | None = None  # until the registry link takes it
        # "Sync now" at this time: the outcome of the first sync to start after it is said
        # (a sync already under way when the person asked answers something else).
        self._sync_asked_at: datetime | None = None
        self._unlocking = False  # the lock's prompt is up
        # What the status bar's message says of the registry: reached, away, or neither.
        self._saying_online: bool | None = None
        self._covered: list[QWidget] = []  # windows hidden by the lock, shown again after
        self._closed = False
        self.setWindowTitle("Clozapine REMS Desk")
        self._fit_to_screen()
        self.setStyleSheet(theme.STYLE)
        self.pages = QStackedWidget()
        self.setCentralWidget(self.pages)
        self.sync_status = SyncStatus()
        self.statusBar().addPermanentWidget(self.sync_status)
        self.sync_status.hide()
        self.sync_status.sign_in.clicked.connect(self._registry_sign_in)
        self._reports = _Reports()
        self._reports.arrived.connect(self._on_report)
        self.idle_timer = QTimer(self)
        self.idle_timer.setInterval(IDLE_CHECK_MS)
        self.idle_timer.timeout.connect(self.check_idle)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        if desk.is_set_up():
            self.show_sign_in(self._demo_hint())
        else:
            from ui.first_run import FirstRunPage

            self.first_run = FirstRunPage(desk, self.worker, today)
            self.first_run.finished.connect(self.show_sign_in)
            self.pages.addWidget(self.first_run)

    def _fit_to_screen(self) -> None:
        """1360×820 where it fits; on a smaller screen (1366×768 with a panel) the whole
        window, status bar included, within the screen's free area, room left for the title
        bar the window manager adds."""
        screen = self.screen() or QApplication.primaryScreen()
        if screen is None:
            self.resize(*PREFERRED_SIZE)
            return
        free = screen.availableGeometry()
        width = min(PREFERRED_SIZE[0], free.width() - FRAME_ALLOWANCE[0])
        height = min(PREFERRED_SIZE[1], free.height() - FRAME_ALLOWANCE[1])
        self.resize(width, height)
        self.move(
            free.x() + (free.width() - width - FRAME_ALLOWANCE[0]) // 2,
            free.y() + (free.height() - height - FRAME_ALLOWANCE[1]) // 2,
        )

    def _demo_hint(self) -> str:
        if not self.desk.is_demo():
            return ""
        from desk.demo.accounts import demo_people

        return demo_hint(demo_people(self.desk.demo_kind() or "clinic"))

    # Sign-in
    def show_sign_in(self, hint: str = "") -> None:
        # The workspace's modules load just after the sign-in window shows, while the person
        # types (on this thread: Qt's modules are not to be imported from two threads).
        QTimer.singleShot(300, lambda: importlib.import_module("ui.workspace"))
        self.sign_in_page = SignInPage(self.desk, self.worker, hint)
        self.sign_in_page.signedIn.connect(self.start_session)
        self.pages.addWidget(self.sign_in_page)
        self.pages.setCurrentWidget(self.sign_in_page)
        self.sign_in_page.setFocus()

    def start_session(self, session: Session, password: str) -> None:
        self.session, self._password = session, password
        from ui.workspace_base import Surroundings

        around = Surroundings(self, self.desk, self.worker, session, self.today, self.sync_now)
        if session.account.role.is_pharmacy:
            from ui.pharmacy_workspace import PharmacyWorkspace

            self.workspace = PharmacyWorkspace(around)
        elif session.account.role is Role.WHOLESALER:
            from ui.wholesaler_workspace import WholesalerWorkspace

            self.workspace = WholesalerWorkspace(around)
        else:
            from ui.workspace import Workspace

            self.workspace = Workspace(around)
        self._session_menu()
        self.pages.addWidget(self.workspace)
        self.pages.setCurrentWidget(self.workspace)
        self.sync_status.show()
        self.idle_timer.start()
        # The first roster page paints before the registry link starts competing for the CPU.
        self.workspace.firstPaint.connect(self._start_link)
        self.workspace.start()
        if session.audit_damage:
            self._tell_audit_damage(session.audit_damage)

    def _tell_audit_damage(self, found: list[str]) -> None:
        """Damage in the tamper-evident log is said at sign-in, not only to `audit verify`.
        Work goes on (the finding is itself recorded); the box does not block the window."""
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "The audit log is damaged",
            "This workstation's audit log is not as it was written:\n\n"
            + "\n".join(f"• {line}" for line in found)
            + "\n\nYou can keep working; this finding is recorded. Tell the person who looks "
            "after this workstation, and keep this computer as it is until they have seen it.",
            QMessageBox.StandardButton.Ok,
            self,
        )
        box.setObjectName("audit-damage")
        box.setModal(False)
        box.show()
        self.audit_damage_box = box

    def _start_link(self) -> None:
        if self.link is not None or self.session is None or self._password is None:
            return
        from desk.shell import RegistryLink

        password, self._password = self._password, None
        self.link = RegistryLink(
            self.desk, self.session, password, self._reports.arrived.emit, self.sync_interval
        )
        self.link.start()

    def _session_menu(self) -> None:
        menu = self.menuBar().addMenu("&Session")
        entries: list[tuple[str, str, Callable[[], None]]] = [
            ("&Change password…", "", self.change_password),
            ("&Lock now", "Ctrl+L", self.lock_now),
            ("Sign &out", "Ctrl+Shift+Q", self.sign_out),
            # As closing the window: signs out, stops the embedded registry; drafts are kept.
            ("&Quit", "Ctrl+Q", self.quit),
        ]
        if self.session is not None and self.session.account.role.value in (
            "prescriber",
            "pharmacy_ar",
            "workstation_admin",
        ):
            entries.insert(0, ("&Add a person to this workstation…", "", self.add_person))
        for text, keys, slot in entries:
            action = QAction(text, self)
            if keys:
                action.setShortcut(QKeySequence(keys))
            action.triggered.connect(slot)
            menu.addAction(action)

    def quit(self) -> None:
        self.close()

    def add_person(self) -> None:
        from ui.people_dialog import AddPersonDialog

        if self.session is None:
            return
        dialog = AddPersonDialog(self.desk, self.worker, self.session, self)
        dialog.accepted.connect(
            lambda: self.statusBar().showMessage(
                f"{dialog.added_name} can now sign in on this workstation.", 8000
            )
        )
        self.last_dialog = dialog
        dialog.open()

    def change_password(self) -> None:
        from ui.password_dialog import ChangePasswordDialog

        if self.session is None or self.workspace is None:
            return
        # The registry's password too, when the account has one (not the workstation's
        # own administrator).
        has_registry = self.session.account.role is not Role.WORKSTATION_ADMIN
        calls = self.workspace.calls if has_registry else None
        dialog = ChangePasswordDialog(self.worker, self.session, calls, self)

        def finished(_code: int) -> None:
            if dialog.result_text:
                self.statusBar().showMessage(dialog.result_text, 8000)

        dialog.finished.connect(finished)
        self.last_dialog = dialog
        dialog.open()

    # Locking
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if self.session is not None and kind in (
            QEvent.Type.KeyPress,
            QEvent.Type.MouseButtonPress,
        ):
            self.session.touch()  # a timestamp only: safe from this thread
        elif kind == QEvent.Type.Show and self._unlocking and isinstance(watched, QWidget):
            self._keep_covered(watched)
        return False

    def check_idle(self) -> None:
        session = self.session
        if session is not None and not self._unlocking:
            self.worker.run(
                session.lock_if_idle,
                lambda locked: self.ask_unlock() if locked else None,
                self.tell_failure,  # signed out meanwhile: nothing to lock
            )

    def lock_now(self) -> None:
        session = self.session
        if session is not None and not self._unlocking:
            self.worker.run_now(session.lock)
            self.ask_unlock()

    def ask_unlock(self) -> None:
        """Patient information is hidden until the same person types the password again:
        the workspace and every other window (an open PSF, Add ANC, a print preview), each
        given back as it was, half-typed text and all. One prompt, however often the idle
        timer fires meanwhile."""
        session, workspace = self.session, self.workspace
        if session is None or workspace is None or self._unlocking:
            return
        self._unlocking = True
        try:
            self._cover(workspace)
            unlocked = self._ask_password(session)
        finally:
            self._unlocking = False
        if unlocked:
            workspace.show()
            self._uncover()
        else:
            self._drop_covered()
            self.sign_out()

    def _ask_password(self, session: Session) -> bool:
        minutes = session.workstation.idle_timeout.seconds // 60
        while True:
            password, ok = QInputDialog.getText(
                self,
                "Locked",
                f"This session is locked (after {minutes} minutes without activity, or by "
                f"Ctrl+L).\n{session.account.name}: type your password to continue, or Cancel "
                "to sign out.",
                QLineEdit.EchoMode.Password,
            )
            if not ok:
                return False
            try:
                self.worker.run_now(partial(session.unlock, password))
            except AccountLocked as error:
                QMessageBox.warning(self, "Locked", str(error))
                return False
            except Exception as error:  # a wrong password: say so, ask again
                QMessageBox.warning(self, "Locked", str(error))
                continue
            return True

    def _cover(self, workspace: QWidget) -> None:
        workspace.hide()
        self.statusBar().clearMessage()  # a message may name a patient
        for top in QApplication.topLevelWidgets():
            if top is not self and top.isVisible():
                self._keep_covered(top)

    def _keep_covered(self, widget: QWidget) -> None:
        """Hide a window while locked. The lock's own prompts (children of this window) are
        the only windows that show meanwhile: anything else, even one a background answer
        opens now, waits hidden until the unlock."""
        if not widget.isWindow() or widget is self or widget.parentWidget() is self:
            return
        if widget not in self._covered:
            self._covered.append(widget)
        widget.hide()

    def _uncover(self) -> None:
        covered, self._covered = self._covered, []
        for widget in covered:
            if shiboken6.isValid(widget):  # a window closed meanwhile is gone
                widget.show()

    def _drop_covered(self) -> None:
        """Signed out from the lock: the windows of the closed session close unseen."""
        covered, self._covered = self._covered, []
        for widget in covered:
            if shiboken6.isValid(widget):
                widget.close()

    def _end_session(self) -> None:
        """The registry link stops and the store closes (its key leaves memory)."""
        if self.link is not None:
            self.link.stop()
            self.link = None
        if self.workspace is not None:
            self.workspace.calls.shutdown()  # a reply still on its way is dropped
        if self.session is not None:
            session, self.session = self.session, None
            self.worker.run_now(session.sign_out)
        self._password = None

    def sign_out(self) -> None:
        self._end_session()
        self.idle_timer.stop()
        self.sync_status.hide()
        self.menuBar().clear()
        if self.workspace is not None:
            self.pages.removeWidget(self.workspace)
            self.workspace.deleteLater()
            self.workspace = None
        self.show_sign_in(self._demo_hint())

    # Sync
    def _on_report(self, report: SyncReport) -> None:
        self.last_report = report
        self.sync_status.show_report(report)
        online = report.connectivity.value == "online"
        if self._saying_online is not None and self._saying_online != online:
            # "Synced" or "cannot be reached" said before this answer no longer holds.
            self._saying_online = None
            self.statusBar().clearMessage()
        session = self.session
        if session is not None and self.workspace is not None:
            self.workspace.on_report(report)
            self.worker.run(
                session.outbox_standing,
                lambda counts: self._outbox_standing(*counts),
                self.tell_failure,
            )
        elif self._answers_ask(report):
            self._say_sync_outcome()

    def _outbox_standing(self, waiting: int, refused: int) -> None:
        self.sync_status.show_outbox(waiting, refused)
        if self.last_report is not None and self._answers_ask(self.last_report):
            self._say_sync_outcome()

    def _answers_ask(self, report: SyncReport) -> bool:
        return self._sync_asked_at is not None and report.at >= self._sync_asked_at

    def _say_sync_outcome(self) -> None:
        self._sync_asked_at = None
        if self.sync_status.offline:
            self._say_offline(self._offline_words())
        elif self.last_report is not None and self.last_report.connectivity.value == "online":
            refused = self.sync_status.refused
            waiting = "1 refused item waits" if refused == 1 else f"{refused} refused items wait"
            self._saying_online = True
            tail = f" {waiting} in the Outbox for you." if refused else ""
            self.statusBar().showMessage("Synced with the registry." + tail, 8000)

    def _say_offline(self, words: str) -> None:
        self._saying_online = False
        self.statusBar().showMessage(words, 15000)

    def _offline_words(self) -> str:
        queued = self.sync_status.queued()
        items = "1 item stays" if queued == 1 else f"{queued} items stay"
        return f"The registry cannot be reached; {items} queued and will be sent when it is back."

    def registry_reached(self, problem: str | None) -> None:
        """A person's call to the registry answered (None) or found it out of reach."""
        was_offline = self.sync_status.offline
        self.sync_status.show_unreachable(self.desk.clock.now(), problem)
        if problem is None and was_offline and self.link is not None:
            self.link.sync_now()  # it is back: send what waits

    def sync_now(self) -> None:
        """The person asked: try at once, and say what came of it (offline, in words)."""
        session = self.session
        if session is not None and (self.link is None or self.sync_status.offline):

            def say(counts: tuple[int, int]) -> None:
                self.sync_status.show_outbox(*counts)
                self._say_offline(self._offline_words() + " Trying again now…")

            self.worker.run(session.outbox_standing, say, self.tell_failure)
        else:
            self.statusBar().showMessage("Syncing…", 3000)
        if self.link is not None:
            self._sync_asked_at = self.desk.clock.now()
            self.link.sync_now()

    # Failures of background work
    def tell_failure(self, error: BaseException) -> None:
        """A store job with no failure path of its own: said in words, logged without
        patient information. A job that met the lock (or a sign-out) is a background read
        (a person's act restarts the idle timer, and Ctrl+L waits for the jobs before it):
        the lock's own prompt says all there is to say."""
        if isinstance(error, SessionLocked):
            return
        log_failure(error)
        words = failure_words(error)
        self.last_failure = words
        show_failure(words, parent=self)

    def _registry_sign_in(self) -> None:
        link, session = self.link, self.session
        if link is None or session is None:
            return
        password, ok = QInputDialog.getText(
            self,
            "Registry sign-in",
            f"Registry password for {session.account.email}:",
            QLineEdit.EchoMode.Password,
        )
        if ok and password:
            self.worker.run(lambda: link.sign_in_to_registry(password), self._registry_answer)

    def _registry_answer(self, accepted: bool) -> None:
        if not accepted:
            QMessageBox.warning(self, "Registry", "The registry did not accept that password.")

    # Closing
    def closeEvent(self, event: Any) -> None:
        if not self._closed:  # closed once, even when asked twice
            self._closed = True
            self._end_session()
            self.worker.shutdown()
            self.desk.stop()
        super().closeEvent(event)
