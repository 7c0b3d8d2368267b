"""Enroll a patient: who, which population (general; BEN with two baseline ANCs; hospice),
the baseline ANC(s), then review and submit. BEN and hospice are the prescriber's to set
(FAQ; rules.md §6.3), so a designee sees them but cannot tick them. The prescriber signs."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from PySide6.QtCore import QDate, Qt, QTimer, Signal
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
from app.entered_anc import EnteredAnc
from app.errors import RemsError
from app.roles import Role
from app.statuses import MonitoringFrequency
from app.use_cases.enrollment import EnrollmentForm
from app.use_cases.entries import validate_anc_entry
from desk.forms import Form, FormKind
from desk.session import Session
from ui.add_anc import explain
from ui.psf_editor import SAVE_DELAY_MS
from ui.tasks import StoreWorker
from ui.unit_choice import UnitChoice


def _error_label(name: str) -> QLabel:
    """A field's own error, shown under it (hidden while the field is right)."""
    label = QLabel()
    label.setObjectName("problem")
    label.setWordWrap(True)
    label.setAccessibleName(name)
    label.hide()
    return label


def parse_us_date(text: str) -> date | None:
    """MM/DD/YYYY as the clinic types it (M/D/YYYY too); None when it is not a date."""
    try:
        return datetime.strptime(text.strip(), "%m/%d/%Y").date()
    except ValueError:
        return None


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
        # No default: a birth date nobody typed must not pass as one.
        self.dob = QLineEdit()
        self.dob.setAccessibleName("Date of birth")
        self.dob.setPlaceholderText("MM/DD/YYYY")
        self.name_error = _error_label("Full name problem")
        self.dob_error = _error_label("Date of birth problem")
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
        form.addRow("Full n&ame", self.name)  # Alt+N, Alt+B: Next, Back
        form.addRow("", self.name_error)
        form.addRow("Date of b&irth", self.dob)
        form.addRow("", self.dob_error)
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
        self.row_errors: list[QLabel] = []
        grid = QFormLayout(baseline)
        for n in (1, 2):
            value = QLineEdit()
            value.setAccessibleName(f"Baseline ANC {n} value")
            unit = UnitChoice(f"Baseline ANC {n} unit")
            drawn = _date_edit(f"Baseline ANC {n} draw date", today)
            drawn.setMaximumDate(QDate(today.year, today.month, today.day))
            error = _error_label(f"Baseline ANC {n} problem")
            self.rows.append((value, unit, drawn))
            self.row_errors.append(error)
            grid.addRow(f"ANC {n} &value" if n == 1 else f"ANC {n} value", value)
            grid.addRow(f"ANC {n} &unit" if n == 1 else f"ANC {n} unit", unit)
            grid.addRow(f"ANC {n} &drawn" if n == 1 else f"ANC {n} drawn", drawn)
            grid.addRow("", error)
        self.baseline_error = _error_label("Baseline ANC problem")
        grid.addRow(self.baseline_error)

        review = QWizardPage()
        review.setTitle("Review and submit")
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.message = QLabel()
        self.message.setObjectName("problem")
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Enrollment message")
        review_box = QVBoxLayout(review)
        review_box.addWidget(self.summary)
        review_box.addWidget(self.message)
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
            self.dob.textChanged,
            self.ben.toggled,
            self.hospice.toggled,
            self.monitoring.currentIndexChanged,
        ]
        for value, unit, drawn in self.rows:
            edits += [value.textChanged, unit.unitChanged, drawn.dateChanged]
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
                EnteredAnc.typed(
                    value.text(), unit.unit() or "", drawn.date().toString(Qt.DateFormat.ISODate)
                )
            )
        born = parse_us_date(self.dob.text())
        return EnrollmentForm(
            self.patient_id,
            self.name.text().strip(),
            # As typed when it is not a date yet: a draft keeps what was typed.
            born.isoformat() if born else self.dob.text().strip(),
            Population.BEN if ben else Population.GENERAL,
            tuple(entries),
            hospice=self.hospice.isChecked(),
            monitoring=MonitoringFrequency(self.monitoring.currentData()),
        )

    def _fill(self, document: dict[str, object]) -> None:
        form = enrollment_from_document(document)
        self.name.setText(form.name)
        try:
            self.dob.setText(f"{date.fromisoformat(str(form.dob)):%m/%d/%Y}")
        except ValueError:  # a draft saved before the date was complete
            self.dob.setText(str(form.dob))
        self.ben.setChecked(form.population is Population.BEN)
        self.hospice.setChecked(form.hospice)
        self.monitoring.setCurrentIndex(self.monitoring.findData(form.monitoring.value))
        for (value, unit, drawn), entry in zip(self.rows, form.ancs, strict=False):
            value.setText(entry.shown)
            unit.show_unit(entry.unit)
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

    # Checks, page by page: every problem of a page at once, each beside its field
    def patient_problems(self) -> dict[QLabel, str]:
        found: dict[QLabel, str] = {}
        if not self.name.text().strip():
            found[self.name_error] = "Type the patient's full name."
        typed = self.dob.text().strip()
        born = parse_us_date(typed)
        if not typed:
            found[self.dob_error] = "Type the date of birth as MM/DD/YYYY."
        elif born is None:
            found[self.dob_error] = f"{typed} is not a date: type it as MM/DD/YYYY."
        elif born > self.today:
            found[self.dob_error] = (
                f"The date of birth {born:%m/%d/%Y} is after today: check the year."
            )
        elif born.year < 1900:
            found[self.dob_error] = f"The date of birth {born:%m/%d/%Y} is too long ago."
        return found

    def baseline_problems(self) -> dict[QLabel, str]:
        found: dict[QLabel, str] = {}
        born = parse_us_date(self.dob.text())
        ben = self.ben.isChecked()
        valid = []
        for n, ((value, unit, drawn), error) in enumerate(
            zip(self.rows, self.row_errors, strict=True)
        ):
            if n == 1 and not ben and not value.text().strip():
                continue  # the second ANC is for BEN
            words, ready = explain(value.text(), unit.unit())
            if not ready:
                found[error] = words.removeprefix("⚠ ")
                continue
            entry = EnteredAnc.typed(
                value.text(), unit.unit() or "", drawn.date().toString(Qt.DateFormat.ISODate)
            )
            try:
                valid.append(validate_anc_entry(entry, self.today, born))
            except RemsError as problem:
                found[error] = problem.message
        if found:
            return found
        valid.sort(key=lambda v: v.drawn)
        if ben and len(valid) < t.BEN_BASELINE_ANCS:
            found[self.baseline_error] = "A BEN enrollment needs two baseline ANCs."
        elif valid and not meets_initiation(
            valid[-1].anc, Population.BEN if ben else Population.GENERAL
        ):
            found[self.baseline_error] = (
                f"The baseline ANC {valid[-1].anc.per_ul:,}/µL is below what starting clozapine "
                "needs. Check the value and unit, or wait for a new result."
            )
        return found

    def _show_problems(self, labels: list[QLabel], found: dict[QLabel, str]) -> bool:
        for label in labels:
            label.setText(found.get(label, ""))
            label.setVisible(label in found)
        return not found

    def validateCurrentPage(self) -> bool:
        """Next (and Finish) check the page shown: all its problems at once, by their fields."""
        page = self.currentId()
        if page == 0:
            return self._show_problems([self.name_error, self.dob_error], self.patient_problems())
        if page == 1:
            return self._show_problems(
                [*self.row_errors, self.baseline_error], self.baseline_problems()
            )
        return super().validateCurrentPage()

    def problem(self) -> str | None:
        """The first problem left anywhere (the last check before anything is sent)."""
        for page, found in ((1, self.patient_problems()), (2, self.baseline_problems())):
            if found:
                return f"{next(iter(found.values()))} (page {page})"
        return None

    def _review(self, page_id: int) -> None:
        if page_id != 2:
            return
        form = self.form()
        ancs = "; ".join(f"{e.shown} {e.unit} drawn {e.drawn}" for e in form.ancs) or "none"
        self.summary.setText(
            f"<b>{form.name or '(no name)'}</b>, born {self.dob.text().strip()}<br>"
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
