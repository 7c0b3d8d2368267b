"""The three lists of work in progress: forms awaiting the prescriber's signature, the outbox
(everything not at the registry yet, with each item's state and, for a refusal, the reason and
what to do), and conflicts (the form's value and the registry's, side by side)."""

from __future__ import annotations

from PySide6.QtCore import Signal, SignalInstance
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desk.outbox import OutboxItem, OutboxState
from desk.queues import AwaitingRow, Conflict, OutboxRow
from ui.psf_editor import ACT_WORDS

KIND_WORDS = {
    "submit_psf": "Patient Status Form",
    "enroll_patient": "Enrollment",
    "report_anc": "ANC result",
    "request_rda": "Dispense authorization",
    "dispense_rationale": "Dispense Rationale",
    "deactivate_patient": "Removal from the prescriber's list",
}
# What "Correct and send again…" can open in its editor.
CORRECTABLE = frozenset({"submit_psf", "enroll_patient", "report_anc"})
STATE_WORDS = {
    OutboxState.QUEUED: "Waiting to send",
    OutboxState.SENDING: "Sending",
    OutboxState.RETRY_WAIT: "Will try again",
    OutboxState.REJECTED: "Refused by the registry",
    OutboxState.ACKED: "At the registry",
    OutboxState.DISMISSED: "Dismissed",
    OutboxState.SUPERSEDED: "Replaced by a correction",
}
FIELD_WORDS = {
    "treatment_status": "Treatment status",
    "monitoring": "Monitoring",
    "ben": "BEN",
    "hospice": "Hospice",
}


def what_to_do(item: OutboxItem) -> str:
    """For the person reading the outbox: the registry's reason and the next step."""
    if item.state is OutboxState.REJECTED:
        reason = item.last_error or "The registry refused this."
        if item.kind == "report_anc":
            return f"{reason} Check the lab report, then use Correct and send again."
        if item.kind in CORRECTABLE:
            return f"{reason} Use Correct and send again to fix the form, or Dismiss it."
        return f"{reason} Dismiss it once you have dealt with it."
    if item.state is OutboxState.RETRY_WAIT:
        return (item.last_error or "") + " Nothing to do: it is sent again automatically."
    signature = item.payload.get("signature")
    if item.state is OutboxState.QUEUED and isinstance(signature, dict):
        signer = signature.get("printed_name") or "the prescriber"
        return (
            f"Signed by {signer}: it is sent while {signer} is signed in on this workstation "
            "(the registry takes a signature only from the signer's own sign-in)."
        )
    if item.state is OutboxState.QUEUED:
        return "Nothing to do: it is sent as soon as the registry can be reached."
    return ""


def _table(headers: list[str], name: str) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setAccessibleName(name)
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setWordWrap(True)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def _fill(table: QTableWidget, rows: list[list[str]]) -> None:
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            table.setItem(r, c, QTableWidgetItem(text))
    table.resizeColumnsToContents()
    table.resizeRowsToContents()


# Awaiting signature
class AwaitingPane(QWidget):
    openForm = Signal(str)

    def __init__(self, prescriber: bool = True) -> None:
        super().__init__()
        self.rows: list[AwaitingRow] = []
        # Only the prescriber signs; a designee sees what was sent and waits.
        self.intro = QLabel(
            "Forms your designees prepared that need your signature. Open one to review it; "
            "sign by typing your password."
            if prescriber
            else "Forms sent for the prescriber's signature. The prescriber reviews and signs "
            "them; until then you can open one to read or change it."
        )
        self.intro.setWordWrap(True)
        self.table = _table(
            ["Patient", "Form", "Prepared by", "Last change", "Why it needs the prescriber"],
            "Awaiting signature",
        )
        self.open_button = QPushButton("&Review and sign…" if prescriber else "&Open the draft…")
        self.open_button.clicked.connect(self._open)
        self.table.cellDoubleClicked.connect(lambda *_: self._open())
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.table, 1)
        bar = QHBoxLayout()
        bar.addStretch(1)
        bar.addWidget(self.open_button)
        layout.addLayout(bar)

    def show_rows(self, rows: list[AwaitingRow]) -> None:
        self.rows = rows
        _fill(
            self.table,
            [[r.patient, r.kind, r.prepared_by, r.updated_at, _needs_words(r)] for r in rows],
        )
        if rows and not self.table.selectedItems():
            self.table.selectRow(0)

    def _open(self) -> None:
        row = self.table.currentRow()
        if 0 <= row < len(self.rows):
            self.openForm.emit(self.rows[row].form_id)


def _needs_words(row: AwaitingRow) -> str:
    """ "Resumes treatment after a severe ANC (a rechallenge); gives a Treatment Rationale"."""
    words = "; ".join(ACT_WORDS[a] for a in row.needs)
    return words[:1].upper() + words[1:]


# Outbox
class OutboxPane(QWidget):
    syncNow = Signal()
    dismiss = Signal(object)  # the refused OutboxItem to dismiss
    correct = Signal(object)  # the refused OutboxItem to correct and send again

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[OutboxRow] = []
        intro = QLabel(
            "Everything made on this workstation that the registry has not confirmed yet. "
            "Items leave in order when the registry can be reached; a refused item stays here "
            "with the registry's reason until it is corrected."
        )
        intro.setWordWrap(True)
        self.table = _table(
            ["Made", "What", "Patient", "State", "Tries", "Reason and what to do"], "Outbox"
        )
        self.empty = QLabel("Nothing waiting: everything made here is at the registry.")
        sync = QPushButton("Sync &now")
        sync.clicked.connect(self.syncNow.emit)
        self.dismiss_button = QPushButton("&Dismiss")
        self.dismiss_button.setToolTip("The refused item leaves the outbox; the audit keeps it.")
        self.correct_button = QPushButton("&Correct and send again…")
        self.dismiss_button.clicked.connect(lambda: self._emit_for_selected(self.dismiss))
        self.correct_button.clicked.connect(lambda: self._emit_for_selected(self.correct))
        self.table.itemSelectionChanged.connect(self._allow)
        bar = QHBoxLayout()
        bar.addWidget(self.empty)
        bar.addStretch(1)
        bar.addWidget(self.correct_button)
        bar.addWidget(self.dismiss_button)
        bar.addWidget(sync)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addLayout(bar)

    def selected(self) -> OutboxItem | None:
        row = self.table.currentRow()
        selected = self.table.selectionModel().hasSelection()
        return self.rows[row].item if selected and 0 <= row < len(self.rows) else None

    def _allow(self) -> None:
        item = self.selected()
        refused = item is not None and item.state is OutboxState.REJECTED
        self.dismiss_button.setEnabled(refused)
        self.correct_button.setEnabled(refused and item is not None and item.kind in CORRECTABLE)

    def _emit_for_selected(self, signal: SignalInstance) -> None:
        item = self.selected()
        if item is not None and item.state is OutboxState.REJECTED:
            signal.emit(item)

    def show_rows(self, rows: list[OutboxRow]) -> None:
        chosen = self.selected()
        self.rows = rows
        self.empty.setVisible(not rows)
        _fill(
            self.table,
            [
                [
                    r.item.created_at[:16].replace("T", " "),
                    KIND_WORDS.get(r.item.kind, r.item.kind),
                    r.patient,
                    STATE_WORDS[r.item.state],
                    str(r.item.attempts),
                    what_to_do(r.item),
                ]
                for r in rows
            ],
        )
        self.table.setColumnWidth(5, 420)
        ids = [r.item.id for r in rows]
        if chosen is not None and chosen.id in ids:  # a refresh keeps the person's place
            self.table.selectRow(ids.index(chosen.id))
        self._allow()


# Conflicts
class ConflictsPane(QWidget):
    settle = Signal(int, bool)  # conflict id, keep the form's value

    def __init__(self) -> None:
        super().__init__()
        intro = QLabel(
            "The registry changed something a form on this workstation also sets. The form "
            "waits until you choose; nothing is overwritten without you."
        )
        intro.setWordWrap(True)
        self.rows: list[tuple[Conflict, str]] = []
        self.table = _table(
            ["Patient", "Field", "This workstation's form", "The registry", "Noticed"], "Conflicts"
        )
        self.keep = QPushButton("&Keep the form's value")  # Alt+F is the File menu's
        self.take = QPushButton("Take the &registry's value")
        self.keep.clicked.connect(lambda: self._settle(True))
        self.take.clicked.connect(lambda: self._settle(False))
        bar = QHBoxLayout()
        bar.addStretch(1)
        bar.addWidget(self.take)
        bar.addWidget(self.keep)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addLayout(bar)

    def show_rows(self, rows: list[tuple[Conflict, str]]) -> None:
        self.rows = rows
        _fill(
            self.table,
            [
                [
                    name,
                    FIELD_WORDS.get(c.field, c.field),
                    c.local_value or "—",
                    c.registry_value or "—",
                    c.detected_at[:16].replace("T", " "),
                ]
                for c, name in rows
            ],
        )

    def _settle(self, keep_local: bool) -> None:
        row = self.table.currentRow()
        if 0 <= row < len(self.rows):
            self.settle.emit(self.rows[row][0].id, keep_local)
