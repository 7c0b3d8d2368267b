"""The Dispense Rationale (rules.md §10): offered when the registry denied a dispense only
because no Patient Status Form is current. The pharmacist types the prescriber's NPI (checked
as it is typed), and a current ANC from the lab report. An outpatient pharmacy sees how many
of the patient's 3 a year are left before sending; the registry's answer is final, shown in
the dialog with its count, and recorded.

Sending again (after a lost answer, or the same Rationale after a restart) sends the first
try's Idempotency-Key (`ui.dispensing_requests`): the registry counts the Rationale once and
the dialog shows its answer to the first try."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app import thresholds
from app.errors import InvalidEntry
from app.identifiers import validate_npi
from app.registry_answers import RationaleAnswer
from app.statuses import MonitoringFrequency
from desk.registry import RATIONALE_PATH, RegistryApi, rationale_request
from ui import theme
from ui.dispensing import AncFields
from ui.dispensing_requests import DispensingRequests
from ui.whole_text import WholeLabel

PATH = RATIONALE_PATH  # the key's path, as `Session.dispensing_key` takes it

LIMIT = thresholds.OUTPATIENT_DISPENSE_RATIONALE_LIMIT
WINDOW = thresholds.DISPENSE_RATIONALE_WINDOW_DAYS
# "7, 15 or 31 days for weekly, every-2-weeks or monthly monitoring", from the rule itself.
CURRENT_ANC = ", ".join(
    f"{days} days for {MonitoringFrequency(kind).label.lower()}"
    for kind, days in thresholds.DISPENSE_RATIONALE_ANC_CURRENT_DAYS.items()
)


def npi_words(text: str) -> tuple[str, bool]:
    """The NPI as typed, checked by the program's own rule (§11): what is wrong, or valid."""
    if not text.strip():
        return "Type the prescriber's NPI from the prescription.", False
    try:
        validate_npi(text)
    except InvalidEntry as error:
        return f"✗ Not a valid NPI: {error.message}", False
    return "✓ A valid NPI.", True


def left_words(used: int, outpatient: bool) -> str:
    if not outpatient:
        return "Inpatient pharmacies have no yearly limit on Dispense Rationales."
    left = max(0, LIMIT - used)
    if left == 0:
        return (
            f"None left this year for this patient: {used} of {LIMIT} used in the last {WINDOW} "
            "days (all outpatient pharmacies). The registry will refuse another."
        )
    return (
        f"{left} of {LIMIT} left this year for this patient ({used} used in the last {WINDOW} "
        "days, all outpatient pharmacies)."
    )


class DispenseRationaleDialog(QDialog):
    answered = Signal(object)  # a RationaleAnswer, to be recorded

    def __init__(
        self,
        requests: DispensingRequests,
        pharmacy_id: str,
        outpatient: bool,
        patient_id: str,
        patient_name: str,
        today: date,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.requests, self.pharmacy_id, self.outpatient = requests, pharmacy_id, outpatient
        self.patient_id = patient_id
        self.setWindowTitle(f"Dispense Rationale: {patient_name}")
        self.setMinimumWidth(560)
        title = QLabel(f"Dispense Rationale for {patient_name}")
        title.setObjectName("title")
        why = QLabel(
            "The registry denied this dispense only because no Patient Status Form is current. "
            "A Dispense Rationale authorizes this one dispense with a current ANC (drawn "
            f"within {CURRENT_ANC} monitoring)."
        )
        why.setWordWrap(True)
        self.npi = QLineEdit()
        self.npi.setAccessibleName("Prescriber's NPI")
        self.npi.setMaxLength(14)  # 10 digits, with the spaces or dashes a form may show
        self.npi.setPlaceholderText("10 digits, from the prescription")
        self.npi_check = WholeLabel()
        self.npi_check.setAccessibleName("NPI check")
        self.anc = AncFields(today, "Dispense Rationale ANC")
        self.left = QLabel("Checking how many are left this year…" if outpatient else "")
        self.left.setWordWrap(True)
        self.left.setAccessibleName("Dispense Rationales left")
        self.reply = QLabel()
        self.reply.setWordWrap(True)
        self.reply.setTextFormat(Qt.TextFormat.RichText)
        self.reply.setAccessibleName("Registry answer")
        form = QFormLayout()
        form.addRow("Prescriber's &NPI", self.npi)
        form.addRow("", self.npi_check)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.send = QPushButton("&Send to the registry")
        self.buttons.addButton(self.send, QDialogButtonBox.ButtonRole.ActionRole)
        # Offered while the registry is still on the first try: the same request again.
        self.again = QPushButton("Ask a&gain")
        self.again.hide()
        self.buttons.addButton(self.again, QDialogButtonBox.ButtonRole.ActionRole)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(why)
        layout.addLayout(form)
        layout.addWidget(self.anc)
        layout.addWidget(self.left)
        layout.addWidget(self.reply)
        layout.addWidget(self.buttons)
        self.buttons.rejected.connect(self.reject)
        self.send.clicked.connect(self._send)
        self.again.clicked.connect(self._send)
        self.npi.textChanged.connect(self._check)
        self.anc.changed.connect(self._check)
        self._check()
        if outpatient:
            requests.calls.run(
                lambda api: api.rationales_used(patient_id), self._show_used, self._no_count
            )
        else:
            self.left.setText(left_words(0, outpatient))

    def _check(self) -> None:
        words, npi_ok = npi_words(self.npi.text())
        self.npi_check.setText(words)
        color = theme.OK_TEXT if npi_ok else theme.ALERT_TEXT
        self.npi_check.setStyleSheet(f"color: {color};" if self.npi.text() else "")
        self.send.setEnabled(npi_ok and self.anc.ready())
        self.again.setEnabled(self.send.isEnabled())

    def _show_used(self, used: int) -> None:
        self.left.setText(left_words(used, self.outpatient))

    def _no_count(self, words: str, _offline: bool) -> None:
        self.left.setText(f"How many are left could not be read: {words}")

    def _send(self) -> None:
        npi, anc = validate_npi(self.npi.text()), self.anc.entry()
        body = rationale_request(self.pharmacy_id, self.patient_id, npi, anc)
        self.send.setEnabled(False)
        self.again.hide()
        self.reply.setText("Sending to the registry…")
        self.requests.send(
            PATH,
            body,
            RegistryApi.send_dispense_rationale,
            self._answer,
            self._fail,
            self._still_processing,
        )

    def _answer(self, answer: RationaleAnswer) -> None:
        self.answered.emit(answer)
        again = (
            "<br>This is the registry's answer to the first time this Rationale was sent, "
            "whose answer had not reached this workstation; sending again did not use another."
            if answer.replayed
            else ""
        )
        if self.outpatient:
            self.left.setText(left_words(answer.used, True))
        if answer.authorized:
            self.reply.setText(
                f"<b style='color:{theme.OK_TEXT}'>Authorized by Dispense Rationale.</b> You "
                "may dispense. The ANC is recorded at the registry, and the answer on this "
                "workstation. Ask the prescriber to submit a Patient Status Form." + again
            )
            return
        self.reply.setText(
            f"<b style='color:{theme.ALERT_TEXT}'>Refused ({answer.code}).</b> "
            f"{answer.message} Do not dispense." + again
        )
        self._check()

    def _fail(self, words: str, offline: bool) -> None:
        extra = (
            "<br>Sending again sends the same request, so the registry cannot count this "
            "Rationale twice."
            if offline
            else ""
        )
        self.reply.setText(f"<b style='color:{theme.ALERT_TEXT}'>{words}</b>{extra}")
        self._check()

    def _still_processing(self, words: str) -> None:
        self.reply.setText(f"<b style='color:{theme.ALERT_TEXT}'>{words}</b> Do not dispense yet.")
        self.again.show()
        self._check()
