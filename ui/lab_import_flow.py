"""Importing a lab file from the window: File → Import lab results…, a file dropped on the
window, or one arriving in the watched folder. The file is read and planned on the store
thread, a CSV's columns are asked for once per lab, the review screen shows every row, and
the accepted rows are recorded as Add ANC records an ANC; the charts and roster refresh."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from app.records import Patient
from desk.lab_files import LabFilePlan, choose_patient, plan_lab_file, record_accepted
from desk.session import Session
from desk.shell import failure_words
from lab_import.files import UnreadableLabFile
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
        self.problem: QMessageBox | None = None
        self._next: list[Path] = []  # files dropped together: reviewed one after another
        self._busy = False

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
        self.worker.run(lambda: plan_lab_file(session, path), self._review, self._failed)

    def _finished(self) -> None:
        self._busy = False
        self._open_next()

    def _failed(self, error: BaseException) -> None:
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
        if self.review is None or not self.review.isVisible():
            self._finished()

    def _review(self, plan: LabFilePlan) -> None:
        if not plan.rows:
            self._failed(UnreadableLabFile(f"{plan.file_name} holds no lab results."))
            return
        dialog = LabReviewDialog(plan, self.parent)
        dialog.chosen.connect(lambda number, patient: self._choose(dialog, number, patient))
        dialog.record.connect(lambda rows: self._record(dialog, rows))
        dialog.finished.connect(lambda _code: self._finished())
        self.review = dialog
        dialog.open()
        self.say(f"{plan.file_name}: review the results, then record them.")

    def _choose(self, dialog: LabReviewDialog, number: int, patient: Patient) -> None:
        plan = dialog.plan
        self.worker.run(
            lambda: choose_patient(plan, number, patient),
            lambda row: dialog.update_row(number, row),
            self._failed,
        )

    def _record(self, dialog: LabReviewDialog, rows: list[int]) -> None:
        session, plan = self.session, dialog.plan

        def done(counts: Any) -> None:
            dialog.accept()
            patients = {plan.rows[n].patient for n in rows}
            for patient_id in sorted(p.id for p in patients if p is not None):
                self.changed(patient_id)  # each starts a sync, which says "Syncing…"
            self.say(f"{plan.file_name}: {counts.words()}.")

        def failed(error: BaseException) -> None:
            dialog.ok.setEnabled(True)  # nothing was recorded: the person may try again
            self._failed(error)

        self.worker.run(lambda: record_accepted(session, plan, rows), done, failed)
