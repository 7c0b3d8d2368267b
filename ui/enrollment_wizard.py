"""Enroll a patient: who, which population (general; BEN with two baseline ANCs; hospice),
the baseline ANC(s), then review and submit. BEN and hospice are the prescriber's to set
(FAQ; rules.md §6.3), so a designee sees them but cannot tick them. The prescriber signs."""

from __future__ import annotations

import uuid
from datetime import date

from PySide6.QtCore import QDate, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from app import thresholds as t
from app.anc import Population, meets_initiation
from app.enrollment_document import enrollment_from_document, enrollment_to_document
from app.errors import RemsError
from app.psf import AncEntry
from app.psf_document import typed_number
from app.roles import Role
from app.statuses import MonitoringFrequency
from app.use_cases.enrollment import EnrollmentForm
from app.use_cases.entries import validate_anc_entries
from local_store.forms import Form, FormKind
from local_store.session import Session
from ui.add_anc import unit_combo
from ui.psf_editor import SAVE_DELAY_MS
from ui.tasks import StoreWorker


def _date_edit(name: str, day: date) -> QDateEdit:
    edit = QDateEdit(QDate(day.year, day.month, day.day))
    edit.setAccessibleName(name)
    edit.setDisplayFormat("MM/dd/yyyy")
    edit.setCalendarPopup(True)
    return edit


class EnrollmentWizard(QWizard):
    enrolled = Signal(str)

    def __init__(
        self,
        worker: StoreWorker,
        session: Session,
        today: date,
        parent: QWidget | None = None,
        draft: Form | None = None,
    ) -> None:
        super().__init__(parent)
        self.worker, self.session, self.today = worker, session, today
        # A draft picked up again keeps its ids; a new one gets them now. Either way every
        # change is saved under the same form id, so a closed wizard loses nothing.
        self.patient_id = draft.patient_id if draft else f"patient-{uuid.uuid4()}"
        self.form_id = draft.id if draft else str(uuid.uuid4())
        self.setWindowTitle("Enroll a patient")
        prescriber = session.account.role is Role.PRESCRIBER

        who = QWizardPage()
        who.setTitle("The patient")
        self.name = QLineEdit()
        self.name.setAccessibleName("Patient's full name")
        self.dob = _date_edit("Date of birth", date(1980, 1, 1))
        self.general = QRadioButton("General population")
        self.general.setChecked(True)
        self.ben = QRadioButton("Benign ethnic neutropenia (BEN): two baseline ANCs")
        self.hospice = QCheckBox("Hospice (end-of-life care)")
        self.monitoring = QComboBox()
        self.monitoring.setAccessibleName("Monitoring frequency")
        for frequency in MonitoringFrequency:
            self.monitoring.addItem(frequency.label, frequency.value)
        if not prescriber:
            for box in (self.ben, self.hospice):
                box.setEnabled(False)
                box.setToolTip("Only the prescriber can enroll a patient as BEN or hospice.")
        form = QFormLayout(who)
        form.addRow("Full &name", self.name)
        form.addRow("Date of &birth", self.dob)
        form.addRow("Population", self.general)
        form.addRow("", self.ben)
        form.addRow("", self.hospice)
        if not prescriber:
            form.addRow("", QLabel("BEN and hospice: only the prescriber can set these."))
        form.addRow("&Monitoring", self.monitoring)

        baseline = QWizardPage()
        baseline.setTitle("Baseline ANC")
        baseline.setSubTitle(
            f"Initiation needs an ANC of at least {t.GENERAL_NORMAL_MIN:,}/µL "
            f"({t.BEN_NORMAL_MIN:,}/µL for BEN; two baseline ANCs for BEN)."
        )
        self.rows = []
        grid = QFormLayout(baseline)
        for n in (1, 2):
            value = QLineEdit()
            value.setAccessibleName(f"Baseline ANC {n} value")
            unit = unit_combo(f"Baseline ANC {n} unit")
            drawn = _date_edit(f"Baseline ANC {n} draw date", today)
            self.rows.append((value, unit, drawn))
            grid.addRow(f"ANC {n} value", value)
            grid.addRow(f"ANC {n} unit", unit)
            grid.addRow(f"ANC {n} drawn", drawn)

        review = QWizardPage()
        review.setTitle("Review and submit")
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.message = QLabel()
        self.message.setObjectName("problem")
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Enrollment message")
        box = QVBoxLayout(review)
        box.addWidget(self.summary)
        box.addWidget(self.message)
        for page in (who, baseline, review):
            self.addPage(page)
        self.currentIdChanged.connect(self._review)
        if draft is not None:
            self._fill(draft.document)
        self._save_timer = QTimer(self)
        self._save_timer.setSingleShot(True)
        self._save_timer.setInterval(SAVE_DELAY_MS)
        self._save_timer.timeout.connect(self.save_draft)
        edits = [
            self.name.textChanged,
            self.dob.dateChanged,
            self.ben.toggled,
            self.hospice.toggled,
            self.monitoring.currentIndexChanged,
        ]
        for value, unit, drawn in self.rows:
            edits += [value.textChanged, unit.currentIndexChanged, drawn.dateChanged]
        for signal in edits:
            signal.connect(lambda *_: self._save_timer.start())  # fmt: skip
        self.setButtonText(
            QWizard.WizardButton.FinishButton, "Sign and submit" if prescriber else "Submit"
        )

    def form(self) -> EnrollmentForm:
        ben = self.ben.isChecked()
        entries = []
        for n, (value, unit, drawn) in enumerate(self.rows):
            if n == 1 and not ben and not value.text().strip():
                continue
            entries.append(
                AncEntry(  # the value as typed, a number when it is one (as on a PSF)
                    typed_number(value.text().strip()),
                    drawn.date().toPython().isoformat(),
                    unit.currentData() or "",
                )
            )
        return EnrollmentForm(
            self.patient_id,
            self.name.text().strip(),
            self.dob.date().toPython().isoformat(),
            Population.BEN if ben else Population.GENERAL,
            tuple(entries),
            hospice=self.hospice.isChecked(),
            monitoring=MonitoringFrequency(self.monitoring.currentData()),
        )

    def _fill(self, document: dict[str, object]) -> None:
        form = enrollment_from_document(document)
        self.name.setText(form.name)
        born = date.fromisoformat(str(form.dob))
        self.dob.setDate(QDate(born.year, born.month, born.day))
        self.ben.setChecked(form.population is Population.BEN)
        self.hospice.setChecked(form.hospice)
        self.monitoring.setCurrentIndex(self.monitoring.findData(form.monitoring.value))
        for (value, unit, drawn), entry in zip(self.rows, form.ancs, strict=False):
            value.setText(str(entry.value))
            unit.setCurrentIndex(max(0, unit.findData(entry.unit)))
            day = date.fromisoformat(str(entry.drawn))
            drawn.setDate(QDate(day.year, day.month, day.day))

    def save_draft(self) -> None:
        """What is typed so far, kept as a draft (it can be picked up again)."""
        document = enrollment_to_document(self.form())
        session, patient_id, form_id = self.session, self.patient_id, self.form_id
        self.worker.run(
            lambda: session.save_draft(FormKind.ENROLLMENT, patient_id, document, form_id=form_id),
            lambda _id: None,
            lambda e: self.message.setText(str(e)),
        )

    def done(self, result: int) -> None:
        if self._save_timer.isActive():  # closed before the last change was saved
            self._save_timer.stop()
            self.save_draft()
        super().done(result)

    def problem(self) -> str | None:
        form = self.form()
        if not form.name:
            return "Type the patient's full name (page 1)."
        if any(not e.unit for e in form.ancs):
            return "Choose the unit of each baseline ANC, as the lab report prints it (page 2)."
        try:
            valid = validate_anc_entries(form.ancs, self.today, self.dob.date().toPython())
        except RemsError as error:
            return error.message
        if form.population is Population.BEN and len(valid) < t.BEN_BASELINE_ANCS:
            return "A BEN enrollment needs two baseline ANCs (page 2)."
        if valid and not meets_initiation(valid[-1].anc, form.population):
            return (
                f"The baseline ANC {valid[-1].anc.per_ul:,}/µL is below what starting clozapine "
                "needs. Check the value and unit, or wait for a new result."
            )
        return None

    def _review(self, page_id: int) -> None:
        if page_id != 2:
            return
        form = self.form()
        ancs = "; ".join(f"{e.value} {e.unit} drawn {e.drawn}" for e in form.ancs) or "none"
        self.summary.setText(
            f"<b>{form.name or '(no name)'}</b>, born {self.dob.date().toString('MM/dd/yyyy')}<br>"
            f"Population: {'BEN' if form.population is Population.BEN else 'general'}"
            f"{' · hospice' if form.hospice else ''} · monitoring {form.monitoring.value}<br>"
            f"Baseline ANC: {ancs}"
        )
        self.message.setText(self.problem() or "")

    def accept(self) -> None:
        problem = self.problem()
        if problem:
            self.message.setText(problem + " Nothing has been sent.")
            return
        self._save_timer.stop()
        document = enrollment_to_document(self.form())
        session, patient_id, form_id = self.session, self.patient_id, self.form_id
        if session.account.role is Role.PRESCRIBER:
            password, ok = QInputDialog.getText(
                self,
                "Sign the enrollment",
                f"{session.account.name}, type your password to sign.",
                QLineEdit.EchoMode.Password,
            )
            if not ok or not password:
                return

            def job() -> None:
                session.save_draft(
                    FormKind.ENROLLMENT, patient_id, document, form_id=form_id, needs_signature=True
                )
                session.sign_form(form_id, password)
        else:

            def job() -> None:
                session.save_draft(FormKind.ENROLLMENT, patient_id, document, form_id=form_id)
                session.submit_form(form_id)

        self.worker.run(job, lambda _r: self._done(), lambda e: self.message.setText(str(e)))

    def _done(self) -> None:
        self.enrolled.emit(self.patient_id)
        super().accept()
