"""The Patient Status Form editor. A new PSF opens prefilled (the reporting period's ANCs as
entered, the monitoring frequency, whether labs are missing so far). Every change is saved as
a draft half a second after typing stops, so nothing typed is lost.

A designee's form that asks for something only the prescriber may do (a Treatment Rationale,
authorizing missing labs, setting BEN or hospice) goes to the prescriber's "Awaiting
signature" queue; the prescriber signs by typing the password again. A signed form opens
read-only; a correction is a new draft that supersedes it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from app.anc import Population
from app.dates import parse_date
from app.entered_anc import EnteredAnc
from app.errors import InvalidEntry, RemsError
from app.psf import (
    PsfSubmission,
    acts_needing_prescriber,
    treatment_status_choices,
    treatment_status_problem,
)
from app.psf_document import psf_from_document, psf_to_document
from app.roles import Action, Role
from app.statuses import MonitoringFrequency, TreatmentStatus
from app.use_cases.entries import validate_anc_entries
from app.use_cases.psf_draft import PsfDraft
from desk.forms import FormKind, FormState
from desk.psf import PsfFacts
from desk.session import Session
from ui.add_anc import explain
from ui.tasks import StoreWorker
from ui.unit_choice import UnitChoice
from ui.us_dates import date_entry, entered_day, us_day

SAVE_DELAY_MS = 500
ACT_WORDS = {
    Action.GIVE_TREATMENT_RATIONALE: "gives a Treatment Rationale",
    Action.AUTHORIZE_MISSING_LABS: "authorizes missing labs",
    Action.SET_BEN_OR_HOSPICE: "sets BEN or hospice",
    Action.RESUME_AFTER_SEVERE_ANC: "resumes treatment after a severe ANC (a rechallenge)",
}


def period_words(draft: PsfDraft | None) -> str:
    """The reporting period as the office reads it (rules.md §6.2): from the day after the
    latest PSF through today, or none when a PSF was already dated today; "" for a signed
    form, which has no period to draft."""
    if draft is None:
        return ""
    if draft.covers_no_days:
        return (
            f"none: the latest PSF, dated {us_day(draft.previous_psf)}, "
            "already covers every day through that date"
        )
    return f"{us_day(draft.period_start)} to {us_day(draft.period_end)}"


class AncRow:
    """One ANC on the form: the value as on the lab report, its unit chosen (never assumed),
    the draw date, and what it means in cells/µL, with Add ANC's unit mix-up warning."""

    def __init__(self, table: QTableWidget, number: int, entry: EnteredAnc, today: date) -> None:
        self.value = QLineEdit(entry.shown)
        self.value.setAccessibleName(f"ANC {number}: value")
        self.unit = UnitChoice(f"ANC {number}: unit")
        self.unit.show_unit(entry.unit)  # an unknown unit is shown to correct, not guessed
        try:
            drawn = min(parse_date(entry.drawn), today)
        except InvalidEntry:
            drawn = today
        self.drawn = date_entry(f"ANC {number}: blood draw date", drawn, latest=today)
        self.meaning = QLabel()
        self.meaning.setWordWrap(True)
        self.meaning.setAccessibleName(f"ANC {number}: what it means")
        row = number - 1
        for column, widget in enumerate((self.value, self.unit, self.drawn, self.meaning)):
            table.setCellWidget(row, column, widget)
        self.value.textChanged.connect(self.explain)
        self.unit.unitChanged.connect(self.explain)
        self.explain()

    def explain(self) -> None:
        text, ok = self.explanation()
        self.meaning.setText(text if self.value.text().strip() else "")
        self.meaning.setObjectName("" if ok else "problem")
        self.meaning.setStyleSheet(self.meaning.styleSheet())  # the object name's style, again

    def explanation(self) -> tuple[str, bool]:
        return explain(self.value.text(), self.unit.unit())

    def filled(self) -> bool:
        return bool(self.value.text().strip())

    def entry(self) -> EnteredAnc:
        return EnteredAnc.typed(
            self.value.text(), self.unit.unit() or "", entered_day(self.drawn).isoformat()
        )


def _keep_place(label: QLabel, lines: int) -> None:
    """A label that comes and goes keeps its room, so nothing under it moves while typing."""
    policy = label.sizePolicy()
    policy.setRetainSizeWhenHidden(True)
    policy.setVerticalPolicy(QSizePolicy.Policy.Fixed)
    label.setSizePolicy(policy)
    label.setFixedHeight(label.fontMetrics().lineSpacing() * lines + 16)


class PsfEditor(QDialog):
    changed = Signal()  # saved, signed or submitted: the lists refresh

    def __init__(
        self,
        worker: StoreWorker,
        session: Session,
        data: PsfFacts,
        today: date,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.worker, self.session, self.data, self.today = worker, session, data, today
        self.form_id = data.form_id
        self.saved_once = data.form is not None
        self.read_only = data.form is not None and data.form.state is not FormState.DRAFT
        self.is_prescriber = session.account.role is Role.PRESCRIBER
        self.setWindowTitle(f"Patient Status Form: {data.patient.name}")
        self.resize(760, 640)
        self._save_timer = QTimer(self)
        self._save_timer.setSingleShot(True)
        self._save_timer.setInterval(SAVE_DELAY_MS)
        self._save_timer.timeout.connect(self.save_draft)

        period = period_words(data.draft)
        self.heading = heading = QLabel(
            f"<b>{data.patient.name}</b> · born {data.patient.dob.strftime('%m/%d/%Y')}"
            + (f" · reporting period {period}" if period else "")
        )
        heading.setWordWrap(True)
        self.mark = QLabel()
        self.mark.setWordWrap(True)
        self.mark.setAccessibleName("Form state")
        self.monitoring = QComboBox()
        self.monitoring.setAccessibleName("Monitoring frequency")
        for frequency in MonitoringFrequency:
            self.monitoring.addItem(frequency.label, frequency.value)
        self.ancs = QTableWidget(0, 4)
        self.ancs.setAccessibleName("ANC results in this period")
        self.ancs.setHorizontalHeaderLabels(
            ["ANC, as on the lab report", "Unit", "Blood draw date", "What it means"]
        )
        self.ancs.horizontalHeader().setStretchLastSection(True)
        self.ancs.setColumnWidth(0, 175)
        self.ancs.setColumnWidth(1, 210)
        self.ancs.setColumnWidth(2, 120)
        self.ancs.setMinimumHeight(150)
        self.anc_rows: list[AncRow] = []
        self.add_row = QPushButton("Add an A&NC row")
        labs_missing = data.draft is not None and data.draft.labs_missing
        self.labs_note = QLabel(
            ("Labs are missing in this period so far." if labs_missing
             else "No labs missing so far.")
            + f" The label recommends ANC monitoring: {data.recommended.lower()}."
        )  # fmt: skip
        self.labs_note.setAccessibleName("Missing labs and recommended monitoring")
        # What the monitoring asks beyond the routine, and who may resume (R14, R12).
        self.monitoring_hint = QLabel("\n".join(data.follow_up))
        self.monitoring_hint.setObjectName("banner")
        self.monitoring_hint.setWordWrap(True)
        self.monitoring_hint.setAccessibleName("What the monitoring asks now")
        self.monitoring_hint.setVisible(bool(data.follow_up))
        self.authorize_missing = QCheckBox("The prescriber authorizes the missing labs")
        self.status = QComboBox()
        self.status.setAccessibleName("Treatment status")
        # The printed form's choices; "enrolled" reads as a resume for an interrupted patient.
        for words, status in treatment_status_choices(data.patient.treatment_status):
            self.status.addItem(words, status.value if status else None)
        self.rationale = QPlainTextEdit()
        self.rationale.setAccessibleName("Treatment Rationale")
        self.rationale.setPlaceholderText(
            "Only to continue or resume treatment despite a low ANC: the prescriber's reasons."
        )
        self.rationale.setMaximumHeight(80)
        self.ben = QCheckBox("Benign ethnic neutropenia (BEN)")
        self.hospice = QCheckBox("Hospice")
        self.adverse = QLineEdit()
        self.adverse.setAccessibleName("Adverse event")
        self.needs = QLabel()
        self.needs.setObjectName("banner")
        self.needs.setWordWrap(True)
        self.needs.setAccessibleName("Signature needed")
        self.message = QLabel()
        self.message.setObjectName("problem")
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Form message")
        _keep_place(self.needs, 2)
        _keep_place(self.message, 3)

        form = QFormLayout()
        form.addRow("&Monitoring frequency", self.monitoring)
        form.addRow(self.ancs)
        form.addRow(self.add_row)
        form.addRow(self.labs_note)
        form.addRow(self.monitoring_hint)
        form.addRow(self.authorize_missing)
        form.addRow("Treatment s&tatus", self.status)  # Alt+S: submit
        form.addRow("Treatment &Rationale", self.rationale)
        flags = QHBoxLayout()
        flags.addWidget(self.ben)
        flags.addWidget(self.hospice)
        form.addRow("Patient", flags)
        form.addRow("&Adverse event (optional)", self.adverse)

        self.submit = QPushButton()
        self.submit.setDefault(True)
        self.print_button = QPushButton("&Print…")
        self.correct = QPushButton("Start a &correction")
        self.close_button = QPushButton("Close (draft kept)")
        buttons = QHBoxLayout()
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.correct)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.submit)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.mark)
        layout.addLayout(form)
        layout.addWidget(self.needs)
        layout.addWidget(self.message)
        layout.addLayout(buttons)

        self._fill(data.document)
        for signal in (
            self.monitoring.currentIndexChanged,
            self.status.currentIndexChanged,
            self.authorize_missing.toggled,
            self.ben.toggled,
            self.hospice.toggled,
            self.rationale.textChanged,
            self.adverse.textChanged,
        ):
            signal.connect(self._edited)
        self.add_row.clicked.connect(lambda: self._add_anc_row(EnteredAnc.typed("", "", today)))
        self.close_button.clicked.connect(self.close)
        self.submit.clicked.connect(self._submit)
        self.correct.clicked.connect(self._start_correction)
        self._show_state()

    # Reading and writing the widgets
    def _fill(self, document: dict[str, Any]) -> None:
        form = psf_from_document(document)
        self.monitoring.setCurrentIndex(self.monitoring.findData(form.monitoring.value))
        for entry in form.ancs:
            self._add_anc_row(entry)
        status = form.treatment_status.value if form.treatment_status else None
        self.status.setCurrentIndex(max(0, self.status.findData(status)))
        self.rationale.setPlainText(form.treatment_rationale or "")
        self.authorize_missing.setChecked(form.authorize_missing_labs)
        patient = self.data.patient
        self.ben.setChecked(
            form.ben if form.ben is not None else patient.population is Population.BEN
        )
        self.hospice.setChecked(form.hospice if form.hospice is not None else patient.hospice)
        self.adverse.setText(form.adverse_event or "")

    def _add_anc_row(self, entry: EnteredAnc) -> None:
        self.ancs.insertRow(self.ancs.rowCount())
        row = AncRow(self.ancs, self.ancs.rowCount(), entry, self.today)
        for signal in (
            row.value.textChanged,
            row.unit.unitChanged,
            row.drawn.dateChanged,
        ):
            signal.connect(self._edited)
        self.anc_rows.append(row)

    def document(self) -> dict[str, Any]:
        entries = tuple(row.entry() for row in self.anc_rows if row.filled())
        patient = self.data.patient
        ben, hospice = self.ben.isChecked(), self.hospice.isChecked()
        status = self.status.currentData()
        form = PsfSubmission(
            patient.id,
            MonitoringFrequency(self.monitoring.currentData()),
            entries,
            TreatmentStatus(status) if status else None,
            self.rationale.toPlainText().strip() or None,
            self.authorize_missing.isChecked(),
            ben if ben != (patient.population is Population.BEN) else None,
            hospice if hospice != patient.hospice else None,
            self.adverse.text().strip() or None,
        )
        return psf_to_document(form)

    def needed_acts(self) -> list[Action]:
        return acts_needing_prescriber(psf_from_document(self.document()), self.data.patient)

    # Saving as you type
    def _edited(self, *_: object) -> None:
        if self.read_only:
            return
        self._show_needs()
        self._save_timer.start()

    def save_draft(self) -> None:
        if self.read_only:
            return
        self.worker.run(self._save_job(), self._saved, self._problem)

    def _save_job(self) -> Any:
        """Saving the form as it stands, on the store thread; returns the draft's id (the
        patient's open draft's, if another editor made it meanwhile)."""
        document, patient_id, session = self.document(), self.data.patient.id, self.session
        form_id = self.form_id
        supersedes = self.data.form.supersedes if self.data.form else None
        return lambda: session.save_draft(
            FormKind.PSF, patient_id, document, form_id=form_id, supersedes=supersedes
        )

    def _saved(self, form_id: str) -> None:
        self.saved_once = True
        self.form_id = form_id
        self.changed.emit()

    def closeEvent(self, event: Any) -> None:
        if self._save_timer.isActive():
            self._save_timer.stop()
            self.save_draft()
        super().closeEvent(event)

    # Showing the state
    def _show_needs(self) -> None:
        acts = self.needed_acts()
        if self.read_only or not acts:
            self.needs.hide()
        else:
            words = ", ".join(ACT_WORDS[a] for a in acts)
            self.needs.setText(f"This form needs the prescriber's signature: it {words}.")
            self.needs.show()
        if not self.read_only:
            if self.is_prescriber:
                self.submit.setText("&Sign and submit…")
            elif acts:
                self.submit.setText("&Send for the prescriber's signature")
            else:
                self.submit.setText("&Submit to the registry")

    def _show_state(self) -> None:
        form = self.data.form
        self.correct.setVisible(bool(self.read_only and form and form.state is FormState.SIGNED))
        if self.read_only and form is not None:
            for widget in (
                self.monitoring,
                self.status,
                self.rationale,
                self.authorize_missing,
                self.ben,
                self.hospice,
                self.adverse,
                self.add_row,
                *(w for row in self.anc_rows for w in (row.value, row.unit, row.drawn)),
            ):
                widget.setEnabled(False)
            self.submit.hide()
            self.close_button.setText("Close")
            self.mark.setObjectName("signedMark")
            if form.signature is not None:
                valid = "valid" if form.signature_valid else "NOT VALID: the content changed"
                self.mark.setText(
                    f"SIGNED by {form.signature.printed_name} on "
                    f"{form.signature.signed_at.strftime('%m/%d/%Y %H:%M %Z')} "
                    f"(signature {valid}). "
                    "Read-only: a correction is a new form that replaces this one."
                )
            else:
                self.mark.setText("SUBMITTED without a signature (none was needed). Read-only.")
        else:
            self.mark.setObjectName("draftMark")
            notes = ["DRAFT: saved as you type. Nothing is sent until it is submitted."]
            if form and form.supersedes:
                notes.append("This is a correction: it replaces a signed form.")
            if form and form.needs_signature:
                notes.append("Sent for the prescriber's signature; not signed yet.")
            elif form:
                notes.append(f"This patient's open draft, last changed {form.updated_at[:10]}.")
            self.mark.setText(" ".join(notes))
        self._show_needs()

    def _problem(self, error: BaseException) -> None:
        self.message.setText(str(error))

    # Submitting
    def check(self) -> str | None:
        """A plain message for what must change before this form can go, or None."""
        for number, row in enumerate(self.anc_rows, start=1):
            text, ok = row.explanation()
            if row.filled() and not ok:
                return f"ANC {number}: {text.removeprefix('⚠ ')} The draft is kept."
        try:
            form = psf_from_document(self.document())
            validate_anc_entries(form.ancs, self.today, self.data.patient.dob)
        except RemsError as error:
            return error.message + " The draft is kept."
        except ValueError as error:
            return f"{error} The draft is kept."
        problem = treatment_status_problem(form, self.data.patient.treatment_status)
        return f"{problem} The draft is kept." if problem else None

    def _submit(self) -> None:
        problem = self.check()
        if problem:
            self.message.setText(problem)
            self.save_draft()
            return
        self._save_timer.stop()
        session, save = self.session, self._save_job()
        if self.is_prescriber:
            password, ok = QInputDialog.getText(
                self,
                "Sign the Patient Status Form",
                f"{session.account.name}, type your password to sign.\n"
                "Signing means: I approve this form and its content.",
                QLineEdit.EchoMode.Password,
            )
            if not ok or not password:
                return
            self.worker.run(
                self._then(save, lambda form_id: session.sign_form(form_id, password)),
                lambda form_id: self._done(form_id, "Signed and queued for the registry."),
                self._problem,
            )
        elif self.needed_acts():
            self.worker.run(
                self._then(save, session.send_for_signature),
                lambda form_id: self._done(
                    form_id, "Sent to the prescriber's Awaiting signature queue."
                ),
                self._problem,
            )
        else:
            self.worker.run(
                self._then(save, session.submit_form),
                lambda form_id: self._done(form_id, "Queued for the registry."),
                self._problem,
            )

    @staticmethod
    def _then(save: Callable[[], str], act: Callable[[str], object]) -> Callable[[], str]:
        """On the store thread: save the form, act on it, and give back its id (so Ctrl+P
        right after prints the form just signed or sent)."""

        def job() -> str:
            form_id = save()
            act(form_id)
            return form_id

        return job

    def _done(self, form_id: str, text: str) -> None:
        self.form_id, self.saved_once = form_id, True
        self.result_text = text
        self.changed.emit()
        self.accept()

    def _start_correction(self) -> None:
        session, form_id = self.session, self.form_id
        self.worker.run(
            lambda: session.correct_signed_form(form_id), self._open_correction, self._problem
        )

    def _open_correction(self, new_id: str) -> None:
        self.correction_id = new_id
        self.changed.emit()
        self.done(2)
