"""The window: first run, sign-in, then the office's workspace (roster, awaiting signature,
outbox, conflicts, patient charts as tabs), with the sync state always in the status bar.

Nothing here touches the store or the network: the store thread (`StoreWorker`) and the
registry link thread do, and their results come back through signals.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QTabWidget,
    QWidget,
)

from local_store.session import Session
from sync.engine import Connectivity, SyncReport
from ui import theme
from ui.add_anc import AddAncDialog
from ui.chart_view import ChartPage, load_chart
from ui.desk import Desk, RegistryLink
from ui.enrollment_wizard import EnrollmentWizard
from ui.first_run import FirstRunPage, demo_hint
from ui.print_preview import PreviewDialog, psf_job
from ui.psf_editor import PsfEditor, load_editor
from ui.queues import (
    AwaitingPane,
    ConflictsPane,
    OutboxPane,
    load_awaiting,
    load_conflicts,
    load_outbox,
    settle_conflict,
)
from ui.roster_data import alert_text
from ui.roster_view import RosterModel, RosterPane
from ui.sign_in import SignInPage
from ui.tasks import StoreWorker

IDLE_CHECK_MS = 30_000


class _Reports(QObject):
    arrived = Signal(object)


class SyncStatus(QWidget):
    """Online or offline, the last sync, the number queued: always in view."""

    def __init__(self) -> None:
        from PySide6.QtWidgets import QHBoxLayout

        super().__init__()
        self.label = QLabel("Registry: connecting…")
        self.label.setAccessibleName("Sync status")
        self.sign_in = QPushButton("Sign in to the registry…")
        self.sign_in.hide()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.sign_in)

    def show_report(self, report: SyncReport) -> None:
        at = report.at.astimezone().strftime("%H:%M")
        queued = f"{report.queued} queued" if report.queued else "nothing queued"
        words = {
            Connectivity.ONLINE: f"● Online · last sync {at} · {queued}",
            Connectivity.OFFLINE: f"○ Offline since {at} · {queued} · work is kept and sent later",
            Connectivity.SIGN_IN_REQUIRED: f"○ Registry sign-in needed · {queued}",
            Connectivity.UPDATE_REQUIRED: f"○ Update needed · {queued}",
        }
        text = words[report.connectivity]
        if report.clock_warning:
            text += f" · {report.clock_warning}"
        self.label.setText(text)
        self.label.setToolTip(report.problem or "")
        color = theme.OK_TEXT if report.connectivity is Connectivity.ONLINE else theme.ALERT_TEXT
        self.label.setStyleSheet(f"color: {color}; font-weight: 600;")
        self.sign_in.setVisible(report.connectivity is Connectivity.SIGN_IN_REQUIRED)


class DeskWindow(QMainWindow):
    def __init__(
        self, desk: Desk, today: Callable[[], date], *, sync_interval: float = 30.0
    ) -> None:
        super().__init__()
        self.desk, self.today, self.sync_interval = desk, today, sync_interval
        self.worker = StoreWorker()
        self.session: Session | None = None
        self.link: RegistryLink | None = None
        self.last_report: SyncReport | None = None
        self.setWindowTitle("Clozapine REMS Desk")
        self.resize(1360, 820)
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
        QApplication.instance().installEventFilter(self)  # type: ignore[union-attr]
        if desk.is_set_up():
            self.show_sign_in(self._demo_hint())
        else:
            self.first_run = FirstRunPage(desk, self.worker, today)
            self.first_run.finished.connect(self.show_sign_in)
            self.pages.addWidget(self.first_run)

    def _demo_hint(self) -> str:
        if not self.desk.is_demo():
            return ""
        from ui.demo_seed import DEMO_PEOPLE

        return demo_hint(DEMO_PEOPLE)

    # Sign-in and locking
    def show_sign_in(self, hint: str = "") -> None:
        self.sign_in_page = SignInPage(self.desk, self.worker, hint)
        self.sign_in_page.signedIn.connect(self.start_session)
        self.pages.addWidget(self.sign_in_page)
        self.pages.setCurrentWidget(self.sign_in_page)
        self.sign_in_page.setFocus()

    def start_session(self, session: Session, password: str) -> None:
        self.session = session
        self._build_workspace(session)
        self.pages.addWidget(self.workspace)
        self.pages.setCurrentWidget(self.workspace)
        self.sync_status.show()
        self.roster_model.reload()
        self.refresh_lists()
        self.idle_timer.start()
        self.link = RegistryLink(
            self.desk, session, password, self._reports.arrived.emit, self.sync_interval
        )
        self.link.start()
        self._load_alerts()

    def _load_alerts(self) -> None:
        """Neutropenia in the last 14 days: on sign-in, and again when the registry sends more."""
        session = self.session
        if session is not None:
            self.worker.run(lambda: self._recent_alerts(session), self._show_alerts, lambda e: None)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self.session is not None and event.type() in (
            QEvent.Type.KeyPress,
            QEvent.Type.MouseButtonPress,
        ):
            self.session.touch()  # a timestamp only: safe from this thread
        return False

    def check_idle(self) -> None:
        session = self.session
        if session is None:
            return
        self.worker.run(session.lock_if_idle, lambda locked: self._ask_unlock() if locked else None)

    def _ask_unlock(self) -> None:
        session = self.session
        if session is None:
            return
        self.workspace.hide()
        while True:
            password, ok = QInputDialog.getText(
                self,
                "Locked",
                f"The session locked after {session.workstation.idle_timeout.seconds // 60} "
                "minutes without activity.\nType your password to continue, or Cancel to sign out.",
                QLineEdit.EchoMode.Password,
            )
            if not ok:
                self.sign_out()
                return
            try:
                self.worker.run_now(lambda typed=password: session.unlock(typed))
            except Exception as error:  # wrong password or locked: say so, ask again
                QMessageBox.warning(self, "Locked", str(error))
                if "locked after" in str(error):
                    self.sign_out()
                    return
                continue
            self.workspace.show()
            return

    def sign_out(self) -> None:
        if self.link is not None:
            self.link.stop()
            self.link = None
        if self.session is not None:
            session = self.session
            self.session = None
            self.worker.run_now(session.sign_out)
        self.idle_timer.stop()
        self.sync_status.hide()
        if hasattr(self, "workspace"):
            self.pages.removeWidget(self.workspace)
            self.workspace.deleteLater()
            del self.workspace
        self.show_sign_in(self._demo_hint())

    # The workspace
    def _build_workspace(self, session: Session) -> None:
        self.tabs = QTabWidget()
        self.tabs.setTabsClosable(True)
        self.tabs.tabCloseRequested.connect(self._close_tab)
        self.workspace = self.tabs
        self.roster_model = RosterModel(self.worker, session, self.today)
        self.roster = RosterPane(self.roster_model)
        self.roster.patientChosen.connect(self.open_chart)
        self.awaiting = AwaitingPane()
        self.awaiting.openForm.connect(self.open_form)
        self.outbox = OutboxPane()
        self.outbox.syncNow.connect(self.sync_now)
        self.conflicts = ConflictsPane()
        self.conflicts.settle.connect(self._settle)
        self.alerts = QLabel()
        self.alerts.setObjectName("alert")
        self.alerts.setWordWrap(True)
        self.alerts.hide()
        from PySide6.QtWidgets import QVBoxLayout

        roster_tab = QWidget()
        box = QVBoxLayout(roster_tab)
        who = QLabel(
            f"Signed in as <b>{session.account.name}</b> ({session.account.role.value})"
            + ("  ·  <b>Demo clinic: invented patients</b>" if self.desk.is_demo() else "")
        )
        box.addWidget(who)
        box.addWidget(self.alerts)
        box.addWidget(self.roster, 1)
        self.tabs.addTab(roster_tab, "&Patients")
        self.tabs.addTab(self.awaiting, "Awaiting signature")
        self.tabs.addTab(self.outbox, "Outbox")
        self.tabs.addTab(self.conflicts, "Conflicts")
        for n in range(4):
            self.tabs.tabBar().setTabButton(n, self.tabs.tabBar().ButtonPosition.RightSide, None)
        self._menus(session)

    def _menus(self, session: Session) -> None:
        self.menuBar().clear()
        work = self.menuBar().addMenu("&Work")
        actions: list[tuple[str, str, Callable[[], Any]]] = [
            ("&Find a patient", "Ctrl+F", self._find),
            ("&Enroll a patient…", "Ctrl+N", self.enroll),
            (
                "&Add ANC for the selected patient…",
                "Ctrl+Shift+A",
                lambda: self._for_selected(self.add_anc),
            ),
            (
                "New &PSF for the selected patient…",
                "Ctrl+Shift+P",
                lambda: self._for_selected(self.new_psf),
            ),
            (
                "P&rint the selected patient's PSF…",
                "Ctrl+P",
                lambda: self._for_selected(self.print_psf),
            ),
            ("Print a &blank PSF…", "Ctrl+Shift+B", self.print_blank),
            ("&Sync now", "F5", self.sync_now),
            ("Close &tab", "Ctrl+W", lambda: self._close_tab(self.tabs.currentIndex())),
            ("&Lock now", "Ctrl+L", self._lock_now),
            ("Sign &out", "Ctrl+Shift+Q", self.sign_out),
        ]
        for text, keys, slot in actions:
            action = QAction(text, self)
            action.setShortcut(QKeySequence(keys))
            action.triggered.connect(slot)
            work.addAction(action)
            self.addAction(action)

    def _find(self) -> None:
        self.tabs.setCurrentIndex(0)
        self.roster.filter.setFocus()
        self.roster.filter.selectAll()

    def _for_selected(self, act: Callable[[str], None]) -> None:
        current = self.tabs.currentWidget()
        patient = (
            current.patient_id if isinstance(current, ChartPage) else self.roster.selected_patient()
        )
        if patient:
            act(patient)
        else:
            self.statusBar().showMessage("Select a patient in the roster first.", 5000)

    def _close_tab(self, index: int) -> None:
        if index >= 4:
            self.tabs.removeTab(index)

    def refresh_lists(self) -> None:
        session = self.session
        if session is None:
            return

        def load() -> tuple[Any, Any, Any]:
            return load_awaiting(session), load_outbox(session), load_conflicts(session)

        self.worker.run(load, self._show_lists, lambda e: None)

    def _show_lists(self, lists: tuple[Any, Any, Any]) -> None:
        if not hasattr(self, "workspace"):
            return
        awaiting, outbox, conflicts = lists
        self.awaiting.show_rows(awaiting)
        self.outbox.show_rows(outbox)
        self.conflicts.show_rows(conflicts)
        refused = sum(1 for r in outbox if r.item.state.value == "rejected")
        self.tabs.setTabText(1, f"Awaiting signature ({len(awaiting)})")
        self.tabs.setTabText(
            2, f"Outbox ({len(outbox)}{', ' + str(refused) + ' refused' if refused else ''})"
        )
        self.tabs.setTabText(3, f"Conflicts ({len(conflicts)})")

    # Notifications
    def _recent_alerts(self, session: Session) -> list[str]:
        since = self.today().toordinal() - 14
        rows = session.db.execute(
            "SELECT n.code, n.per_ul, n.drawn, p.name FROM notifications n "
            "JOIN patients p ON p.id = n.patient_id "
            "WHERE n.on_date >= ? AND (? IS NULL OR n.prescriber_id = ?) ORDER BY n.seq DESC",
            (
                date.fromordinal(since).isoformat(),
                session.account.prescriber_id,
                session.account.prescriber_id,
            ),
        ).fetchall()
        return [f"{name}: {alert_text(code, per_ul, drawn)}" for code, per_ul, drawn, name in rows]

    def _show_alerts(self, alerts: list[str]) -> None:
        if not alerts or not hasattr(self, "workspace"):
            self.alerts.hide()
            return
        self.alerts.setText(
            "⚠ Neutropenia in the last 14 days:\n"
            + "\n".join(alerts[:6])
            + (f"\n…and {len(alerts) - 6} more" if len(alerts) > 6 else "")
        )
        self.alerts.show()

    # Sync
    def _on_report(self, report: SyncReport) -> None:
        self.last_report = report
        self.sync_status.show_report(report)
        if self.session is not None and hasattr(self, "workspace"):
            if report.pulled.changes or report.pushed.acked or report.pushed.rejected:
                self.roster_model.reload()
                self._load_alerts()
                for n in range(4, self.tabs.count()):
                    page = self.tabs.widget(n)
                    if isinstance(page, ChartPage):
                        self._load_chart(page)
            self.refresh_lists()

    def sync_now(self) -> None:
        if self.link is not None:
            self.link.sync_now()
            self.statusBar().showMessage("Syncing…", 3000)

    def _registry_sign_in(self) -> None:
        if self.link is None or self.session is None:
            return
        password, ok = QInputDialog.getText(
            self,
            "Registry sign-in",
            f"Registry password for {self.session.account.email}:",
            QLineEdit.EchoMode.Password,
        )
        if ok and password:
            link = self.link
            self.worker.run(
                lambda: link.sign_in_to_registry(password),
                lambda good: (
                    None
                    if good
                    else QMessageBox.warning(
                        self, "Registry", "The registry did not accept that password."
                    )
                ),
            )

    def _lock_now(self) -> None:
        session = self.session
        if session is not None:
            self.worker.run_now(session.lock)
            self._ask_unlock()

    def _settle(self, conflict_id: int, keep_local: bool) -> None:
        session = self.session
        if session is not None:
            self.worker.run(
                lambda: settle_conflict(session, conflict_id, keep_local),
                lambda _r: (self.refresh_lists(), self.sync_now()),
            )

    # Patients and forms
    def open_chart(self, patient_id: str) -> None:
        for n in range(4, self.tabs.count()):
            page = self.tabs.widget(n)
            if isinstance(page, ChartPage) and page.patient_id == patient_id:
                self.tabs.setCurrentIndex(n)
                return
        page = ChartPage(patient_id)
        page.addAnc.connect(self.add_anc)
        page.newPsf.connect(self.new_psf)
        page.openForm.connect(self.open_form)
        page.printPsf.connect(self.print_psf)
        index = self.tabs.addTab(page, "Chart")
        self.tabs.setCurrentIndex(index)
        self._load_chart(page)

    def _load_chart(self, page: ChartPage) -> None:
        session, today = self.session, self.today()
        if session is None:
            return

        def shown(data: Any) -> None:
            page.show_chart(data)
            index = self.tabs.indexOf(page)
            if index >= 0:
                self.tabs.setTabText(index, data.summary.name)

        self.worker.run(
            lambda: load_chart(session, page.patient_id, today),
            shown,
            lambda e: page.heading.setText(str(e)),
        )

    def _name_of(self, patient_id: str) -> str:
        for n in range(4, self.tabs.count()):
            page = self.tabs.widget(n)
            if isinstance(page, ChartPage) and page.patient_id == patient_id and page.data:
                return page.data.summary.name
        return ""

    def add_anc(self, patient_id: str) -> None:
        session = self.session
        if session is None:
            return
        name = self._name_of(patient_id) or self.worker.run_now(
            lambda: session.ledger.patient(patient_id).name
        )  # type: ignore[union-attr]
        dialog = AddAncDialog(patient_id, name, self.today(), self)
        dialog.submitted.connect(
            lambda pid, value, unit, drawn: self.worker.run(
                lambda: session.queue_anc(pid, value, unit, drawn),
                lambda _r: self._after_change(pid),
            )
        )
        self.last_dialog = dialog
        dialog.open()

    def new_psf(self, patient_id: str) -> None:
        self._open_editor(patient_id, None)

    def open_form(self, form_id: str) -> None:
        self._open_editor(None, form_id)

    def _open_editor(self, patient_id: str | None, form_id: str | None) -> None:
        session, today = self.session, self.today()
        if session is None:
            return
        self.worker.run(
            lambda: load_editor(session, patient_id, form_id, today),
            self._show_editor,
            lambda e: QMessageBox.warning(self, "Patient Status Form", str(e)),
        )

    def _show_editor(self, data: Any) -> None:
        assert self.session is not None
        editor = PsfEditor(self.worker, self.session, data, self.today(), self)
        editor.changed.connect(self.refresh_lists)
        # Saved first (the store thread keeps order), then printed as saved.
        editor.print_button.clicked.connect(
            lambda: (editor.save_draft(), self.print_form(editor.form_id))
        )
        editor.finished.connect(lambda code: self._editor_closed(editor, code))
        self.last_dialog = editor
        editor.open()

    def _editor_closed(self, editor: PsfEditor, code: int) -> None:
        if code == 2 and getattr(editor, "correction_id", None):
            self.open_form(editor.correction_id)
            return
        text = getattr(editor, "result_text", "")
        if text:
            self.statusBar().showMessage(text, 8000)
            self._after_change(editor.data.patient.id)

    def _after_change(self, patient_id: str) -> None:
        self.refresh_lists()
        self.roster_model.reload()
        for n in range(4, self.tabs.count()):
            page = self.tabs.widget(n)
            if isinstance(page, ChartPage) and page.patient_id == patient_id:
                self._load_chart(page)
        self.sync_now()

    def enroll(self) -> None:
        if self.session is None:
            return
        wizard = EnrollmentWizard(self.worker, self.session, self.today(), self)
        wizard.enrolled.connect(
            lambda pid: (
                self.refresh_lists(),
                self.sync_now(),
                self.statusBar().showMessage("Enrollment queued for the registry.", 8000),
            )
        )
        self.last_dialog = wizard
        wizard.open()

    def print_psf(self, patient_id: str) -> None:
        session, today = self.session, self.today()
        if session is not None:
            self._print(lambda: psf_job(session, patient_id=patient_id, today=today))

    def print_form(self, form_id: str) -> None:
        session = self.session
        if session is not None:
            self._print(lambda: psf_job(session, form_id=form_id))

    def print_blank(self) -> None:
        session = self.session
        if session is not None:
            self._print(lambda: psf_job(session, blank=True))

    def _print(self, make: Callable[[], Any]) -> None:
        session = self.session
        assert session is not None

        def audit(detail: str, subject: str) -> None:
            self.worker.run(lambda: session.record_print(subject, detail))

        def show(job: Any) -> None:
            dialog = PreviewDialog(job, lambda detail: audit(detail, job.subject), self)
            self.last_dialog = dialog
            dialog.open()

        self.worker.run(make, show, lambda e: QMessageBox.warning(self, "Print", str(e)))

    # Closing
    def closeEvent(self, event: Any) -> None:
        if not getattr(self, "_closed", False):  # closed once, even when asked twice
            self._closed = True
            if self.link is not None:
                self.link.stop()
                self.link = None
            if self.session is not None:
                session, self.session = self.session, None
                self.worker.run_now(session.sign_out)
            self.worker.shutdown()
            self.desk.stop()
        super().closeEvent(event)

    def keyPressEvent(self, event: Any) -> None:
        if event.key() == Qt.Key.Key_Escape and self.tabs_ready():
            self._find()
        super().keyPressEvent(event)

    def tabs_ready(self) -> bool:
        return hasattr(self, "workspace")
