"""The eligibility preview a pharmacist reads before dispensing: every check of rules.md §8
run by `app/`'s RDA rules over this workstation's snapshot of the registry, each shown as
passed, failed or not applicable, a failed one with what is wrong and who must act, and how
old the snapshot is. It works offline. It is a preview, never an authorization: only the
registry's answer authorizes a dispense."""

from __future__ import annotations

from datetime import date, datetime

from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.rda import CheckOutcome
from desk.eligibility import Preview
from ui import theme

NOT_AN_AUTHORIZATION = (
    "Preview - not an authorization. Only the registry's answer authorizes a dispense."
)
OUTCOME_WORDS = {
    CheckOutcome.PASSED: "✓ Passed",
    CheckOutcome.FAILED: "✗ Failed",
    CheckOutcome.NOT_APPLICABLE: "– Not applicable",
}


def as_of_text(at: datetime | None, today: date) -> str:
    if at is None:
        return "This workstation has not synced with the registry yet: the facts may be old."
    local = at.astimezone()
    day = "" if local.date() == today else f" on {local:%m/%d/%Y}"
    return f"As of the last sync at {local:%H:%M}{day}."


class EligibilityPanel(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.label = QLabel(NOT_AN_AUTHORIZATION)
        self.label.setObjectName("banner")
        self.label.setWordWrap(True)
        self.verdict = QLabel()
        self.verdict.setObjectName("title")
        self.verdict.setAccessibleName("Preview verdict")
        self.as_of = QLabel()
        self.as_of.setAccessibleName("Snapshot age")
        self.checks = QTableWidget(0, 3)
        self.checks.setAccessibleName("Eligibility checks")
        self.checks.setHorizontalHeaderLabels(
            ["Check", "Result", "What is wrong, and who must act"]
        )
        self.checks.verticalHeader().setVisible(False)
        self.checks.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.checks.setWordWrap(True)
        header = self.checks.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)  # long messages wrap
        layout = QVBoxLayout(self)
        layout.addWidget(self.label)
        layout.addWidget(self.verdict)
        layout.addWidget(self.as_of)
        layout.addWidget(self.checks, 1)

    def show_preview(self, preview: Preview, today: date) -> None:
        decision = preview.decision
        if decision.authorized:
            words = "would be authorized" + (" (first dispense)" if decision.first_dispense else "")
            color = theme.OK_TEXT
        else:
            count = len(decision.reasons)
            words = f"would be denied ({count} reason{'s' if count != 1 else ''})"
            color = theme.ALERT_TEXT
        self.verdict.setText(f"{preview.patient_name}: {words}")
        self.verdict.setStyleSheet(f"color: {color};")
        self.as_of.setText(as_of_text(preview.snapshot_as_of, today))
        self.checks.setRowCount(len(decision.checks))
        for row, check in enumerate(decision.checks):
            cells = [
                check.reason.check,
                OUTCOME_WORDS[check.outcome],
                check.reason.message if check.failed else "",
            ]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if check.failed and column == 1:
                    item.setForeground(QColor(theme.ALERT_TEXT))
                self.checks.setItem(row, column, item)
        self.checks.resizeRowsToContents()

    def messages(self) -> list[str]:
        """The failed checks' messages, as shown (tests read them)."""
        rows = range(self.checks.rowCount())
        items = (self.checks.item(r, 2) for r in rows)
        return [t for item in items if item is not None and (t := item.text())]
