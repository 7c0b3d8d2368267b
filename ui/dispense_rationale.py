"""The Dispense Rationale (rules.md §10): offered when the registry denied a dispense only
because no Patient Status Form is current. The pharmacist types the prescriber's NPI (checked
as it is typed), and a current ANC from the lab report. An outpatient pharmacy sees how many
of the patient's 3 a year are left before sending; the registry's answer is final, shown in
the dialog with its count, and recorded."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

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
from app.statuses import MonitoringFrequency
from ui import theme
from ui.dispensing import AncFields
from ui.registry_calls import RegistryCalls, accepted

if TYPE_CHECKING:
    from sync.client import RegistryClient

LIMIT = thresholds.OUTPATIENT_DISPENSE_RATIONALE_LIMIT
WINDOW = thresholds.DISPENSE_RATIONALE_WINDOW_DAYS
# "7, 15 or 31 days for weekly, every-2-weeks or monthly monitoring", from the rule itself.
CURRENT_ANC = ", ".join(
    f"{days} days for {MonitoringFrequency(kind).label.lower()}"
    for kind, days in thresholds.DISPENSE_RATIONALE_ANC_CURRENT_DAYS.items()
)


@dataclass(frozen=True)
class RationaleAnswer:
    authorized: bool
    code: str | None
    message: str
    used: int  # outpatient Dispense Rationales for the patient in the rolling window

    @property
    def record(self) -> str:
        outcome = "accepted" if self.authorized else f"refused: {self.code}"
        return f"Dispense Rationale {outcome} ({self.used} of {LIMIT} used in {WINDOW} days)"


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


def rationales_used(client: RegistryClient, patient_id: str) -> int:
    body = accepted(client.get(f"/v1/patients/{patient_id}"))
    return int(body["dispense_rationales_used"])


def submit(
    client: RegistryClient, pharmacy_id: str, patient_id: str, npi: str, anc: dict[str, str]
) -> RationaleAnswer:
    request: dict[str, Any] = {
        "pharmacy_id": pharmacy_id,
        "patient_id": patient_id,
        "npi": npi,
        "anc": anc,
    }
    body = accepted(client.post("/v1/dispense-rationales", request))
    return RationaleAnswer(
        bool(body["authorized"]),
        body.get("refusal"),
        str(body.get("message") or ""),
        int(body.get("rationales_used") or 0),
    )


class DispenseRationaleDialog(QDialog):
    answered = Signal(object)  # a RationaleAnswer, to be recorded

    def __init__(
        self,
        calls: RegistryCalls,
        pharmacy_id: str,
        outpatient: bool,
        patient_id: str,
        patient_name: str,
        today: date,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.calls, self.pharmacy_id, self.outpatient = calls, pharmacy_id, outpatient
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
        self.npi_check = QLabel()
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
        self.npi.textChanged.connect(self._check)
        self.anc.changed.connect(self._check)
        self._check()
        if outpatient:
            calls.run(lambda c: rationales_used(c, patient_id), self._show_used, self._no_count)
        else:
            self.left.setText(left_words(0, outpatient))

    def _check(self) -> None:
        words, npi_ok = npi_words(self.npi.text())
        self.npi_check.setText(words)
        color = theme.OK_TEXT if npi_ok else theme.ALERT_TEXT
        self.npi_check.setStyleSheet(f"color: {color};" if self.npi.text() else "")
        self.send.setEnabled(npi_ok and self.anc.ready())

    def _show_used(self, used: int) -> None:
        self.left.setText(left_words(used, self.outpatient))

    def _no_count(self, words: str, _offline: bool) -> None:
        self.left.setText(f"How many are left could not be read: {words}")

    def _send(self) -> None:
        npi, anc = validate_npi(self.npi.text()), self.anc.entry()
        pharmacy, patient = self.pharmacy_id, self.patient_id
        self.send.setEnabled(False)
        self.reply.setText("Sending to the registry…")
        self.calls.run(lambda c: submit(c, pharmacy, patient, npi, anc), self._answer, self._fail)

    def _answer(self, answer: RationaleAnswer) -> None:
        self.answered.emit(answer)
        if self.outpatient:
            self.left.setText(left_words(answer.used, True))
        if answer.authorized:
            self.reply.setText(
                f"<b style='color:{theme.OK_TEXT}'>Authorized by Dispense Rationale.</b> You "
                "may dispense. The ANC is recorded at the registry, and the answer on this "
                "workstation. Ask the prescriber to submit a Patient Status Form."
            )
            return
        self.reply.setText(
            f"<b style='color:{theme.ALERT_TEXT}'>Refused ({answer.code}).</b> "
            f"{answer.message} Do not dispense."
        )
        self._check()

    def _fail(self, words: str, _offline: bool) -> None:
        self.reply.setText(f"<b style='color:{theme.ALERT_TEXT}'>{words}</b>")
        self._check()
