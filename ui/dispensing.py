"""Asking the registry for a REMS Dispense Authorization (RDA): its answer is the authority,
is shown with every reason and who must act, and is recorded in the workstation's
tamper-evident log. An inpatient pharmacy may send the patient's ANC with the request.
A denial for a PSF that is not current alone offers the Dispense Rationale (§10); when the
registry cannot be reached, the fallback is the ANC Lab Reporting Form by fax.

Asking again (a second click, the same request after a restart) sends the first request's
Idempotency-Key (`ui.dispensing_requests`), so the registry records one dispense and the
answer shown is its answer to the first request."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
)

from app.entered_anc import EnteredAnc
from app.registry_answers import RdaAnswer
from desk.registry import RDA_PATH
from ui import theme
from ui.add_anc import AncFields

__all__ = ["RDA_PATH", "AncFields", "RdaBox", "answer_html"]

REPLAYED = (
    "This is the registry's answer to the first request for this dispense, whose answer "
    "had not reached this workstation; asking again did not count a second dispense."
)


def answer_html(answer: RdaAnswer, patient_name: str) -> str:
    again = f"<br>{REPLAYED}" if answer.replayed else ""
    if answer.authorized:
        kind = " (first dispense)" if answer.first_dispense else ""
        return (
            f"<b style='color:{theme.OK_TEXT}'>Authorized{kind}</b>: the registry authorized "
            f"this dispense for {patient_name}. The answer is recorded on this workstation." + again
        )
    items = "".join(f"<li>{r.message}</li>" for r in answer.reasons)
    return (
        f"<b style='color:{theme.ALERT_TEXT}'>Denied</b>: the registry did not authorize this "
        f"dispense for {patient_name}. Do not dispense.<ul>{items}</ul>"
        "The answer is recorded on this workstation." + again
    )


class RdaBox(QGroupBox):
    """Under the preview: ask the registry, read its answer, and what to do next."""

    def __init__(self, today: Callable[[], date]) -> None:
        super().__init__("The registry's answer")
        self.request = QPushButton("&Request authorization (RDA)")
        self.request.setShortcut("Ctrl+R")
        self.request.setToolTip("Ask the registry to authorize this dispense (Ctrl+R)")
        self.with_anc = QCheckBox("Send the patient's ANC with the request (inpatient)")
        self.anc = AncFields(today(), "ANC sent with the request")
        self.anc.hide()
        self.with_anc.hide()
        self.answer = QLabel("Look a patient up, then ask the registry before dispensing.")
        self.answer.setWordWrap(True)
        self.answer.setTextFormat(Qt.TextFormat.RichText)
        self.answer.setAccessibleName("Registry answer")
        self.rationale = QPushButton("Give a &Dispense Rationale…")
        self.rationale.setToolTip(
            "The registry denied this dispense only because no Patient Status Form is current"
        )
        self.rationale.hide()
        # Offered while the registry is still on the first request: the same request again.
        self.again = QPushButton("Ask a&gain")
        self.again.setToolTip("Ask the registry again for the same request; it acts on it once")
        self.again.hide()
        self.fallback = QPushButton("Print the &fallback fax…")
        self.fallback.setToolTip(
            "When the registry cannot be reached: the ANC Lab Reporting Form, prefilled, with "
            "a fax cover sheet"
        )
        buttons = QHBoxLayout()
        buttons.addWidget(self.request)
        buttons.addWidget(self.again)
        buttons.addWidget(self.rationale)
        buttons.addStretch(1)
        buttons.addWidget(self.fallback)
        box = QVBoxLayout(self)
        box.addWidget(self.with_anc)
        box.addWidget(self.anc)
        box.addLayout(buttons)
        box.addWidget(self.answer)
        self.with_anc.toggled.connect(self.anc.setVisible)
        self.again.clicked.connect(self.request.click)

    def set_inpatient(self, inpatient: bool) -> None:
        self.with_anc.setVisible(inpatient)
        self.anc.setVisible(inpatient and self.with_anc.isChecked())

    def inpatient_anc(self) -> EnteredAnc | None:
        """The ANC to send, or None; raises ValueError with what to fix."""
        if not (self.with_anc.isVisible() and self.with_anc.isChecked()):
            return None
        words, ready = self.anc.explanation()
        if not ready:
            raise ValueError(f"The ANC to send is not ready: {words}")
        return self.anc.entry()

    def waiting(self) -> None:
        # One request at a time: a second click would ask (and count a dispense) twice.
        self.request.setEnabled(False)
        self.rationale.hide()
        self.again.hide()
        self.answer.setText("Asking the registry…")

    def show_answer(self, answer: RdaAnswer, patient_name: str) -> None:
        self.request.setEnabled(True)
        self.again.hide()
        self.answer.setText(answer_html(answer, patient_name))
        self.rationale.setVisible(answer.offers_dispense_rationale)
        if answer.offers_dispense_rationale:
            self.answer.setText(
                self.answer.text()
                + "<br>Only the Patient Status Form is missing: a <b>Dispense Rationale</b> "
                "can authorize this dispense with a current ANC."
            )

    def show_problem(self, words: str, offline: bool) -> None:
        self.request.setEnabled(True)
        self.rationale.hide()
        self.again.hide()
        extra = (
            "<br>Nothing was authorized. Asking again sends the same request, so the "
            "registry cannot count this dispense twice. The preview is not an authorization: "
            "print the fallback fax (the ANC Lab Reporting Form) and send it to the program."
            if offline
            else ""
        )
        self.answer.setText(f"<b style='color:{theme.ALERT_TEXT}'>{words}</b>{extra}")

    def show_still_processing(self, words: str) -> None:
        self.request.setEnabled(True)
        self.rationale.hide()
        self.again.show()
        self.answer.setText(f"<b style='color:{theme.ALERT_TEXT}'>{words}</b> Do not dispense yet.")

    def clear(self) -> None:
        self.rationale.hide()
        self.again.hide()
        self.answer.setText("Ask the registry before dispensing.")
