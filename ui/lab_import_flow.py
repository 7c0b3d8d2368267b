"""Importing a lab file from the window: File → Import lab results…, a file dropped on the
window, or one arriving in the watched folder. The file is read and planned on the store
thread, a CSV's columns are asked for once per lab, the review screen shows every row, and
the accepted rows are recorded as Add ANC records an ANC; the charts and roster refresh."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox, QWidget

from app.records import Patient
from desk.lab_files import LabFilePlan, choose_patient, plan_lab_file, record_accepted
from desk.lab_inbox import POLL_SECONDS, ArrivedFile, LabInbox
from desk.session import Session
from desk.shell import failure_words
from lab_import.files import NeedsMapping, UnreadableLabFile
from ui.lab_review import LabReviewDialog
from ui.tasks import StoreWorker

FILE_TYPES = "Lab results (*.hl7 *.txt *.dat *.mllp *.json *.csv *.tsv);;All files (*)"


class LabImportFlow:
    """One workspace's imports. `changed(patient_id)` refreshes what shows that patient;
    `say` puts a line in the status bar."""

    def __init__(
        self,
        parent: QWidget,
        worker: StoreWorker,
        session: Session,
        changed: Callable[[str], None],
        say: Callable[[str], None],
    ) -> None:
        self.parent, self.worker, self.session = parent, worker, session
        self.changed, self.say = changed, say
        self.review: LabReviewDialog | None = None
        self.columns: QDialog | None = None  # a CSV's column mapping, being chosen
        self.problem: QMessageBox | None = None
        self._next: list[Path] = []  # files dropped together: reviewed one after another
        self._busy = False
        # The watched folder: looked at while signed in; `arrivals(text)` shows what came.
        self.inbox = LabInbox()
        self.arrived: list[ArrivedFile] = []
        self._from_inbox: dict[Path, str] = {}  # a file being reviewed: its content digest
        self.arrivals: Callable[[str], None] = lambda _text: None
        self.timer = QTimer(parent)
        self.timer.setInterval(POLL_SECONDS * 1000)
        self.timer.timeout.connect(self.look_at_inbox)

    # The watched folder
    def watch_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self.parent, "Folder where lab result files arrive"
        )
        if folder:
            self._set_folder(folder)

    def stop_watching(self) -> None:
        self._set_folder("")

    def _set_folder(self, folder: str) -> None:
        session = self.session

        def done(_result: object) -> None:
            self.say(
                f"Lab result files arriving in {folder} are offered for review."
                if folder
                else "No folder is watched for lab results now."
            )
            self.look_at_inbox()

        self.worker.run(lambda: session.set_lab_inbox_folder(folder), done, self._failed)

    def look_at_inbox(self) -> None:
        if self.worker.busy > 2:  # the store thread is busy with a person's work: next time
            return
        session, inbox = self.session, self.inbox
        self.worker.run(lambda: inbox.arrived(session), self._show_arrived, lambda _e: None)

    def _show_arrived(self, files: list[ArrivedFile]) -> None:
        pending = set(self._from_inbox.values())
        self.arrived = [f for f in files if f.digest not in pending]
        count = len(self.arrived)
        self.arrivals(
            ""
            if not count
            else f"{count} lab result file{'s' if count > 1 else ''} arrived in the watched "
            "folder. <a href='review'>Review</a>"
        )

    def review_arrived(self) -> None:
        files, self.arrived = self.arrived, []
        self.arrivals("")
        for arrived in files:
            self._from_inbox[arrived.path] = arrived.digest
        self.open(*(f.path for f in files))

    def _reviewed(self, path: Path) -> None:
        """A watched-folder file's review closed (recorded or not): not offered again."""
        digest = self._from_inbox.pop(path, None)
        if digest is not None:
            session = self.session
            self.worker.run(lambda: session.mark_lab_file_reviewed(digest, path.name))

    def ask_for_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.parent, "Import lab results", "", FILE_TYPES)
        if path:
            self.open(Path(path))

    def open(self, *paths: Path) -> None:
        """Read and plan each file (store thread), then show its review, one at a time."""
        self._next += paths
        self._open_next()

    def _open_next(self) -> None:
        if self._busy or not self._next:
            return
        path, session = self._next.pop(0), self.session
        self._busy = True
        self.say(f"Reading {path.name}…")
        self.worker.run(
            lambda: plan_lab_file(session, path),
            self._review,
            lambda error: self._failed(error, path),
        )

    def _closed(self, path: Path) -> None:
        self._reviewed(path)
        self._finished()

    def _finished(self) -> None:
        self._busy = False
        self._open_next()

    def _failed(self, error: BaseException, path: Path | None = None) -> None:
        if isinstance(error, NeedsMapping) and path is not None:
            self._ask_columns(error, path)
            return
        words = str(error) if isinstance(error, UnreadableLabFile) else failure_words(error)
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Import lab results",
            f"{words}\n\nNothing was recorded.",
            QMessageBox.StandardButton.Ok,
            self.parent,
        )
        box.setModal(False)
        box.show()
        self.problem = box
        self.say("Nothing was imported.")
        if path is not None:
            self._reviewed(path)  # an unreadable file is not offered again either
        if self.review is None or not self.review.isVisible():
            self._finished()

    def _ask_columns(self, need: NeedsMapping, path: Path) -> None:
        """A CSV from a lab this workstation has not seen: its columns, chosen once."""
        from ui.csv_mapping_dialog import CsvMappingDialog

        dialog = CsvMappingDialog(need.headers, need.rows, self.parent)
        if need.previous is not None:
            dialog.show_mapping(need.previous)
        session = self.session

        def chosen() -> None:
            picked = (need.fingerprint, dialog.mapping())
            self.worker.run(
                lambda: plan_lab_file(session, path, picked),
                self._review,
                lambda error: self._failed(error, path),
            )

        dialog.accepted.connect(chosen)
        dialog.rejected.connect(lambda: self._closed(path))
        self.columns = dialog
        dialog.open()
        self.say(f"{path.name}: choose which column holds what (once for this lab).")

    def _review(self, plan: LabFilePlan) -> None:
        if not plan.rows:
            self._failed(UnreadableLabFile(f"{plan.file_name} holds no lab results."), plan.path)
            return
        dialog = LabReviewDialog(plan, self.parent)
        dialog.chosen.connect(lambda number, patient: self._choose(dialog, number, patient))
        dialog.record.connect(lambda rows: self._record(dialog, rows))
        dialog.finished.connect(lambda _code: self._review_closed(dialog))
        self.review = dialog
        dialog.open()
        self.say(f"{plan.file_name}: review the results, then record them.")

    def _review_closed(self, dialog: LabReviewDialog) -> None:
        """Once per review, however it closes (Qt may say `finished` twice)."""
        if not dialog.property("closed_once"):
            dialog.setProperty("closed_once", True)
            self._closed(dialog.plan.path)

    def _choose(self, dialog: LabReviewDialog, number: int, patient: Patient | None) -> None:
        plan = dialog.plan
        self.worker.run(
            lambda: choose_patient(plan, number, patient),
            lambda row: dialog.update_row(number, row),
            self._failed,
        )

    def _record(self, dialog: LabReviewDialog, rows: list[int]) -> None:
        session, plan = self.session, dialog.plan

        def done(counts: Any) -> None:
            dialog.recorded()
            patients = {plan.rows[n].patient for n in rows}
            for patient_id in sorted(p.id for p in patients if p is not None):
                self.changed(patient_id)  # each starts a sync, which says "Syncing…"
            self.say(f"{plan.file_name}: {counts.words()}.")

        def failed(error: BaseException) -> None:
            dialog.recording_failed()  # nothing was recorded: the person may try again
            self._failed(error)

        self.worker.run(lambda: record_accepted(session, plan, rows), done, failed)
