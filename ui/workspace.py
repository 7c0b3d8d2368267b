"""The office's workspace after sign-in: the roster, the three work lists (awaiting
signature, outbox, conflicts) and patient charts as tabs, and every action on them. Work on
the store goes through the store thread; what comes back refreshes the tabs it concerns.

What is due today is on the Patients tab, over the roster, where the office looks first: the
first low ANCs to confirm within 24 hours (rules.md §13 R14), each a link to the chart, overdue
ones said so; the roster sorted by "Next ANC due" lists them first. A resume after a severe
ANC (R12) is not a task of its own: a designee's PSF that resumes goes to "Awaiting
signature", whose rows say what needs the prescriber, and the chart and the PSF editor say
who may resume.

Imported only after sign-in, so the sign-in window starts without these modules."""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QUrl
from PySide6.QtGui import QAction, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import QLabel, QMenu, QMessageBox, QVBoxLayout, QWidget

from app.follow_up import CONFIRM_FIRST_LOW_ANC
from app.roles import Role
from app.thresholds import NOTIFICATION_FLAG_DAYS
from desk.chart import load_chart
from desk.office import (
    AncToConfirm,
    Form,
    ancs_to_confirm,
    my_enrollment_drafts,
    patient_name,
    recent_alerts,
)
from desk.psf import PsfFacts, psf_facts
from desk.queues import load_awaiting, load_conflicts, load_outbox, settle_conflict
from desk.shell import failure_words
from ui.add_anc import AddAncDialog
from ui.chart_view import ChartPage
from ui.enrollment_wizard import EnrollmentWizard
from ui.lab_import_flow import LabImportFlow
from ui.office_acts import correct_refused, dismiss_refused, remove_from_list
from ui.people_dialog import ManageDesigneesDialog
from ui.pharmacy_list import PharmacyListView
from ui.print_preview import psf_job
from ui.psf_editor import PsfEditor
from ui.queues import AwaitingPane, ConflictsPane, OutboxPane
from ui.roster_view import RosterModel, RosterPane
from ui.us_dates import us_day
from ui.workspace_base import Surroundings, WorkspaceTabs

if TYPE_CHECKING:
    from desk.sync_status import SyncReport

# roster, awaiting signature, outbox, conflicts, certified pharmacies; charts open after them
FIXED_TABS = 5
FIND_PHARMACY = (
    "Find a certified pharmacy for a patient: only a certified pharmacy can dispense "
    "clozapine. Search by name; export the list to give to a patient."
)


def _dropped_files(urls: list[QUrl]) -> list[Path]:
    """Files on this computer (not folders, not web addresses)."""
    paths = [Path(u.toLocalFile()) for u in urls if u.isLocalFile()]
    return [p for p in paths if p.is_file()]


class Workspace(WorkspaceTabs):
    """The office's: its first paint is the first roster page."""

    def __init__(self, around: Surroundings) -> None:
        super().__init__(around)
        session, worker, today = around.session, around.worker, around.today
        self.setTabsClosable(True)
        self.tabCloseRequested.connect(self._close_tab)
        self.roster_model = RosterModel(worker, session, today)
        self.roster_model.pageLoaded.connect(self.firstPaint.emit)
        self.roster = RosterPane(self.roster_model)
        self.roster.patientChosen.connect(self.open_chart)
        self.awaiting = AwaitingPane(prescriber=session.account.role is Role.PRESCRIBER)
        self.awaiting.openForm.connect(self.open_form)
        self.outbox = OutboxPane()
        self.outbox.syncNow.connect(self.sync_now)
        self.outbox.dismiss.connect(
            lambda item: dismiss_refused(self, item, self._outbox_name(item))
        )
        self.outbox.correct.connect(
            lambda item: correct_refused(self, item, self._outbox_name(item))
        )
        self.conflicts = ConflictsPane()
        self.conflicts.settle.connect(self._settle)
        self.alerts = QLabel()
        self.alerts.setObjectName("alert")
        self.alerts.setWordWrap(True)
        self.alerts.setAccessibleName("Neutropenia alerts")
        self.alerts.hide()
        self.to_confirm = QLabel()
        self.to_confirm.setObjectName("banner")
        self.to_confirm.setWordWrap(True)
        self.to_confirm.setAccessibleName("ANCs to confirm within 24 hours")
        self.to_confirm.linkActivated.connect(self.open_chart)  # a link's target: the patient
        self.to_confirm.hide()
        roster_tab = QWidget()
        box = QVBoxLayout(roster_tab)
        who = QLabel(
            f"Signed in as <b>{session.account.name}</b> ({session.account.role.value})"
            + ("  ·  <b>Demo clinic: invented patients</b>" if self.desk.is_demo() else "")
        )
        box.addWidget(who)
        box.addWidget(self.alerts)
        box.addWidget(self.to_confirm)
        box.addWidget(self.roster, 1)
        self.addTab(roster_tab, "Pat&ients")  # Alt+P: New PSF on a chart
        self.addTab(self.awaiting, "Awaiting signature")
        self.addTab(self.outbox, "Outbox")
        self.addTab(self.conflicts, "Conflicts")
        self.pharmacies = PharmacyListView(session, worker, self.calls, today, FIND_PHARMACY)
        self.addTab(self.pharmacies, "Certified p&harmacies")
        self.currentChanged.connect(self._tab_shown)
        for n in range(FIXED_TABS):
            self.tabBar().setTabButton(n, self.tabBar().ButtonPosition.RightSide, None)
        self.lab_imports = LabImportFlow(self, worker, session, self._after_change, self.say)
        self.lab_arrivals = QLabel()
        self.lab_arrivals.setObjectName("banner")
        self.lab_arrivals.setAccessibleName("Lab result files arrived")
        self.lab_arrivals.linkActivated.connect(lambda _link: self.lab_imports.review_arrived())
        self.lab_arrivals.hide()
        self.lab_imports.arrivals = self._show_arrivals
        box.insertWidget(box.indexOf(self.roster), self.lab_arrivals)
        self.setAcceptDrops(True)  # a lab file dropped on the window is imported
        self._menus()

    def say(self, text: str, ms: int = 8000) -> None:
        self.window_.statusBar().showMessage(text, ms)

    def start(self) -> None:
        """First paint: the roster, the lists, the alerts."""
        self.roster_model.reload()
        self.refresh_lists()
        self._load_alerts()
        self._load_to_confirm()
        self.roster.setFocus()
        self.lab_imports.timer.start()
        self.lab_imports.look_at_inbox()

    def on_report(self, report: SyncReport) -> None:
        """A sync finished: refresh what it may have changed."""
        if report.pulled.changes or report.pushed.acked or report.pushed.rejected:
            self.roster_model.reload()
            self._load_alerts()
            self._load_to_confirm()
            for page in self.charts():
                self._load_chart(page)
        self.refresh_lists()

    def _tab_shown(self, index: int) -> None:
        if self.widget(index) is self.pharmacies:
            self.pharmacies.load()

    def charts(self) -> list[ChartPage]:
        pages = (self.widget(n) for n in range(FIXED_TABS, self.count()))
        return [p for p in pages if isinstance(p, ChartPage)]

    def _menus(self) -> None:
        bar = self.window_.menuBar()
        files = QMenu("&File", bar)
        first = bar.actions()
        if first:  # File comes first, as in every desktop program
            bar.insertMenu(first[0], files)
        else:
            bar.addMenu(files)
        import_labs = QAction("&Import lab results…", self)
        import_labs.setShortcut(QKeySequence("Ctrl+I"))
        import_labs.triggered.connect(self.lab_imports.ask_for_file)
        files.addAction(import_labs)
        self.addAction(import_labs)
        for text, slot in (
            ("&Watch a folder for lab results…", self.lab_imports.watch_folder),
            ("&Stop watching the lab results folder", self.lab_imports.stop_watching),
        ):
            action = QAction(text, self)
            action.triggered.connect(slot)
            files.addAction(action)
        work = bar.addMenu("&Work")
        actions: list[tuple[str, str, Callable[[], Any]]] = [
            ("&Find a patient", "Ctrl+F", self._find),
            ("&Enroll a patient…", "Ctrl+N", self.enroll),
            ("&Add ANC for the selected patient…", "Ctrl+Shift+A",
             lambda: self._for_selected(self.add_anc)),
            ("New &PSF for the selected patient…", "Ctrl+Shift+P",
             lambda: self._for_selected(self.new_psf)),
            ("P&rint the selected patient's PSF…", "Ctrl+P", self._print_selected),
            ("Print a &blank PSF…", "Ctrl+Shift+B", self.print_blank),
            ("&Sync now", "F5", self.sync_now),
            ("Close &tab", "Ctrl+W", lambda: self._close_tab(self.currentIndex())),
        ]  # fmt: skip
        if self.session.account.role is Role.PRESCRIBER:  # the FAQ's Manage Designees
            actions.append(("Manage &designees…", "", self.manage_designees))
        for text, keys, slot in actions:
            action = QAction(text, self)
            if keys:
                action.setShortcut(QKeySequence(keys))
            action.triggered.connect(slot)
            work.addAction(action)
            self.addAction(action)

    def _show_arrivals(self, text: str) -> None:
        self.lab_arrivals.setText(text)
        self.lab_arrivals.setVisible(bool(text))

    # A lab file dropped on the window
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if _dropped_files(event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        files = _dropped_files(event.mimeData().urls())
        if files:
            event.acceptProposedAction()
            self.lab_imports.open(*files)

    def manage_designees(self) -> None:
        dialog = ManageDesigneesDialog(self.calls, self)
        self.last_dialog = dialog
        dialog.open()

    def _outbox_name(self, item: Any) -> str:
        rows = [r for r in self.outbox.rows if r.item.id == item.id]
        return rows[0].patient if rows else ""

    def _find(self) -> None:
        self.setCurrentIndex(0)
        self.roster.filter.setFocus()
        self.roster.filter.selectAll()

    def _for_selected(self, act: Callable[[str], None]) -> None:
        current = self.currentWidget()
        patient = (
            current.patient_id if isinstance(current, ChartPage) else self.roster.selected_patient()
        )
        if patient:
            act(patient)
        else:
            self.say("Select a patient in the roster first.", 5000)

    def _close_tab(self, index: int) -> None:
        if index >= FIXED_TABS:
            self.removeTab(index)

    def refresh_lists(self) -> None:
        session = self.session

        def load() -> tuple[Any, Any, Any]:
            return load_awaiting(session), load_outbox(session), load_conflicts(session)

        self.worker.run(load, self._show_lists, self.worker.on_failure)

    def _show_lists(self, lists: tuple[Any, Any, Any]) -> None:
        awaiting, outbox, conflicts = lists
        self.awaiting.show_rows(awaiting)
        self.outbox.show_rows(outbox)
        self.conflicts.show_rows(conflicts)
        refused = sum(1 for r in outbox if r.item.state.value == "rejected")
        self.setTabText(1, f"Awaiting signature ({len(awaiting)})")
        self.setTabText(
            2, f"Outbox ({len(outbox)}{', ' + str(refused) + ' refused' if refused else ''})"
        )
        self.setTabText(3, f"Conflicts ({len(conflicts)})")

    # Notifications
    def _load_alerts(self) -> None:
        """Neutropenia lately: on sign-in, and again when the registry sends more."""
        session = self.session
        today = self.today()
        self.worker.run(
            lambda: recent_alerts(session, today), self._show_alerts, self.worker.on_failure
        )

    def _show_alerts(self, alerts: list[str]) -> None:
        if not alerts:
            self.alerts.hide()
            return
        self.alerts.setText(
            f"⚠ Neutropenia in the last {NOTIFICATION_FLAG_DAYS} days:\n"
            + "\n".join(alerts[:6])
            + (f"\n…and {len(alerts) - 6} more" if len(alerts) > 6 else "")
        )
        self.alerts.show()

    def _load_to_confirm(self) -> None:
        """The first low ANCs awaiting their confirming ANC (R14): due today or overdue."""
        session, today = self.session, self.today()
        self.worker.run(
            lambda: ancs_to_confirm(session, today), self._show_to_confirm, self.worker.on_failure
        )

    def _show_to_confirm(self, found: list[AncToConfirm]) -> None:
        if not found:
            self.to_confirm.hide()
            return
        shown = [
            f'<a href="{escape(a.patient_id)}">{escape(a.name, quote=False)}</a>: '
            + escape(a.words.removeprefix(CONFIRM_FIRST_LOW_ANC + ": "), quote=False)
            for a in found[:6]
        ]
        more = f"<br>…and {len(found) - 6} more" if len(found) > 6 else ""
        late = sum(a.overdue for a in found)
        self.to_confirm.setText(
            f"<b>{CONFIRM_FIRST_LOW_ANC} ({len(found)}"
            + (f", {late} overdue" if late else "")
            + "):</b><br>"
            + "<br>".join(shown)
            + more
        )
        self.to_confirm.show()

    # Sync
    def _settle(self, conflict_id: int, keep_local: bool) -> None:
        session = self.session
        self.worker.run(
            lambda: settle_conflict(session, conflict_id, keep_local),
            lambda _r: self._after_sync_change(),
        )

    def _after_sync_change(self) -> None:
        self.refresh_lists()
        self.sync_now()

    # Patients and forms
    def open_chart(self, patient_id: str) -> None:
        for n in range(FIXED_TABS, self.count()):
            page = self.widget(n)
            if isinstance(page, ChartPage) and page.patient_id == patient_id:
                self.setCurrentIndex(n)
                return
        role = self.session.account.role
        page = ChartPage(patient_id, can_remove=role is Role.PRESCRIBER, reader=role)

        def remove(pid: str) -> None:
            if page.data:
                remove_from_list(self, pid, page.data.summary.name, us_day(page.data.summary.dob))

        page.removeFromList.connect(remove)
        page.addAnc.connect(self.add_anc)
        page.newPsf.connect(self.new_psf)
        page.openForm.connect(self.open_form)
        page.printPsf.connect(self.print_psf)
        index = self.addTab(page, "Chart")
        self.setCurrentIndex(index)
        self._load_chart(page)

    def _load_chart(self, page: ChartPage) -> None:
        session, today = self.session, self.today()

        def shown(data: Any) -> None:
            page.show_chart(data)
            index = self.indexOf(page)
            if index >= 0:
                self.setTabText(index, data.summary.name)

        self.worker.run(
            lambda: load_chart(session, page.patient_id, today),
            shown,
            lambda e: page.heading.setText(str(e)),
        )

    def _name_of(self, patient_id: str) -> str:
        for n in range(FIXED_TABS, self.count()):
            page = self.widget(n)
            if isinstance(page, ChartPage) and page.patient_id == patient_id and page.data:
                return page.data.summary.name
        return ""

    def add_anc(self, patient_id: str) -> None:
        session = self.session
        name = self._name_of(patient_id)
        if not name:  # the name comes from the store thread, then the dialog opens
            self.worker.run(
                lambda: patient_name(session, patient_id),
                lambda found: self._add_anc_dialog(patient_id, found) if found else None,
            )
            return
        self._add_anc_dialog(patient_id, name)

    def _add_anc_dialog(self, patient_id: str, name: str) -> None:
        session = self.session
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
        self.worker.run(
            lambda: psf_facts(session, patient_id, form_id, today),
            self._show_editor,
            self._editor_failed,
        )

    def _editor_failed(self, error: BaseException) -> None:
        QMessageBox.warning(self, "Patient Status Form", failure_words(error))

    def _show_editor(self, data: PsfFacts) -> None:
        editor = PsfEditor(self.worker, self.session, data, self.today(), self)
        editor.changed.connect(self.refresh_lists)

        # Saved first (the store thread keeps order), then printed as saved.
        def save_then_print() -> None:
            editor.save_draft()
            self.print_form(editor.form_id)

        editor.print_button.clicked.connect(save_then_print)
        editor.finished.connect(lambda code: self._editor_closed(editor, code))
        self.last_dialog = editor
        editor.open()

    def _editor_closed(self, editor: PsfEditor, code: int) -> None:
        if code == 2 and getattr(editor, "correction_id", None):
            self.open_form(editor.correction_id)
            return
        text = getattr(editor, "result_text", "")
        if text:
            self.say(text, 8000)
            self._after_change(editor.data.patient.id)

    def _after_change(self, patient_id: str) -> None:
        self.refresh_lists()
        self.roster_model.reload()
        self._load_to_confirm()
        for n in range(FIXED_TABS, self.count()):
            page = self.widget(n)
            if isinstance(page, ChartPage) and page.patient_id == patient_id:
                self._load_chart(page)
        self.sync_now()

    def enroll(self) -> None:
        """Enroll a patient: an unfinished enrollment of mine is offered first."""
        session = self.session
        self.worker.run(
            lambda: my_enrollment_drafts(session),
            self._open_enrollment,
        )

    def _open_enrollment(self, drafts: list[Form]) -> None:
        draft = None
        if drafts:
            name = str(drafts[0].document.get("name") or "a patient")
            answer = QMessageBox.question(
                self,
                "Enroll a patient",
                f"You started enrolling {name} ({drafts[0].updated_at[:16].replace('T', ' ')}) "
                "and did not submit it. Continue that enrollment?",
            )
            if answer == QMessageBox.StandardButton.Yes:
                draft = drafts[0]
        wizard = EnrollmentWizard(self.worker, self.session, self.today(), self, draft)

        def enrolled(_pid: str) -> None:
            self.refresh_lists()
            self.sync_now()
            self.say("Enrollment queued for the registry.", 8000)

        wizard.enrolled.connect(enrolled)
        self.last_dialog = wizard
        wizard.open()

    def _print_selected(self) -> None:
        """Ctrl+P: the form selected in "Awaiting signature", else the PSF open last (just
        signed) while that list or no patient is selected, else the selected patient's PSF
        of this period (`print_psf`)."""
        last = self.last_dialog if isinstance(self.last_dialog, PsfEditor) else None
        if self.currentWidget() is self.awaiting:
            row = self.awaiting.table.currentRow()
            if 0 <= row < len(self.awaiting.rows) and self.awaiting.table.selectedItems():
                self.print_form(self.awaiting.rows[row].form_id)
                return
        elif isinstance(self.currentWidget(), ChartPage) or self.roster.selected_patient():
            self._for_selected(self.print_psf)
            return
        if last is not None and last.saved_once:
            self.print_form(last.form_id)
        else:
            self._for_selected(self.print_psf)

    def print_psf(self, patient_id: str) -> None:
        session, today = self.session, self.today()
        self.print_job(lambda: psf_job(session, patient_id=patient_id, today=today))

    def print_form(self, form_id: str) -> None:
        session = self.session
        self.print_job(lambda: psf_job(session, form_id=form_id))

    def print_blank(self) -> None:
        session = self.session
        self.print_job(lambda: psf_job(session, blank=True))
