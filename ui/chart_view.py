"""A patient's chart: the summary line, the ANC trend on its category bands, the ANC history,
treatment status and its history, forms on this workstation and their states, notifications,
and anything not at the registry yet."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.anc import categorize
from app.notifications import flagged_since, notification_text
from app.roles import Role
from app.use_cases.patient_summary import follow_up_words
from desk.chart import ChartData
from desk.outbox import OutboxState
from ui.anc_trend import AncTrend
from ui.queues import KIND_WORDS, STATE_WORDS
from ui.us_dates import us_day


def _table(headers: list[str], rows: list[list[str]], name: str) -> QTableWidget:
    table = QTableWidget(len(rows), len(headers))
    table.setAccessibleName(name)
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            table.setItem(r, c, QTableWidgetItem(text))
    table.resizeColumnsToContents()
    table.horizontalHeader().setStretchLastSection(True)
    return table


FORM_STATES = {"draft": "Draft", "signed": "Signed", "submitted": "Submitted (no signature needed)"}


class ChartPage(QWidget):
    addAnc = Signal(str)
    newPsf = Signal(str)
    openForm = Signal(str)
    printPsf = Signal(str)
    removeFromList = Signal(str)  # a prescriber deactivates the patient from their list

    def __init__(
        self, patient_id: str, *, can_remove: bool = False, reader: Role = Role.DESIGNEE
    ) -> None:
        super().__init__()
        self.patient_id = patient_id
        self.reader = reader  # who reads the chart: R12's words are the prescriber's or not
        self.data: ChartData | None = None
        self.heading = QLabel("Loading…")
        self.heading.setObjectName("title")
        self.facts = QLabel()
        self.facts.setWordWrap(True)
        self.facts.setAccessibleName("Patient summary")
        self.alert = QLabel()
        self.alert.setObjectName("alert")
        self.alert.setWordWrap(True)
        self.alert.hide()
        # Beyond the routine, and why: a first low ANC to confirm within 24 hours (R14), who
        # may resume after a severe ANC (R12). Words from app.use_cases.patient_summary.
        self.follow_up = QLabel()
        self.follow_up.setObjectName("banner")
        self.follow_up.setWordWrap(True)
        self.follow_up.setAccessibleName("What this patient needs next")
        self.follow_up.hide()
        self.add_anc = QPushButton("Add &ANC…")
        self.new_psf = QPushButton("New &PSF…")
        self.print_psf = QPushButton("P&rint PSF…")
        self.remove = QPushButton("Remove from my &list…")
        self.remove.setToolTip(
            "Deactivate the patient from your list: the enrollment and treatment status stay."
        )
        self.remove.setVisible(can_remove)
        self.remove.clicked.connect(lambda: self.removeFromList.emit(self.patient_id))
        self.removal = QLabel()
        self.removal.setObjectName("banner")
        self.removal.setWordWrap(True)
        self.removal.setAccessibleName("Removal from the list")
        self.removal.hide()
        buttons = QHBoxLayout()
        for b in (self.add_anc, self.new_psf, self.print_psf):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.remove)
        self.add_anc.clicked.connect(lambda: self.addAnc.emit(self.patient_id))
        self.new_psf.clicked.connect(lambda: self.newPsf.emit(self.patient_id))
        self.print_psf.clicked.connect(lambda: self.printPsf.emit(self.patient_id))
        self.trend = AncTrend()
        self.details = QTabWidget()
        self.details.setAccessibleName("Chart details")
        split = QSplitter()
        split.setOrientation(split.orientation().Vertical)
        split.addWidget(self.trend)
        split.addWidget(self.details)
        split.setSizes([260, 320])
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.facts)
        layout.addWidget(self.alert)
        layout.addWidget(self.follow_up)
        layout.addWidget(self.removal)
        layout.addLayout(buttons)
        layout.addWidget(split, 1)

    def show_chart(self, data: ChartData) -> None:
        self.data = data
        s = data.summary
        self.heading.setText(f"{s.name}  ·  born {us_day(s.dob)}")
        latest = (
            f"{s.latest_anc.anc.per_ul:,}/µL on {us_day(s.latest_anc.drawn)} "
            f"({s.latest_category.label if s.latest_category else ''})"
            if s.latest_anc
            else "none yet"
        )
        due = us_day(s.next_anc_due) + ("  OVERDUE" if s.anc_overdue else "")
        if s.confirm_low_anc:  # rules.md §13 R14: the banner under the alert says why
            due += " (within 24 hours)"
        population = "BEN" if s.population.value == "ben" else "general population"
        self.facts.setText(
            f"<b>Treatment status:</b> {s.treatment_status.label}  ·  "
            f"<b>Population:</b> {population}{' · hospice' if s.hospice else ''}<br>"
            f"<b>Latest ANC:</b> {latest}<br>"
            f"<b>Monitoring set on the PSF:</b> {s.monitoring.label}  ·  "
            f"<b>Label recommends:</b> {s.recommended_monitoring.label}  ·  "
            f"<b>Next ANC due:</b> {due}  ·  <b>PSF due:</b> {us_day(s.psf_due)}"
        )
        recent = [n for n in data.notifications if n.on >= flagged_since(s.as_of)]
        if recent:
            n = recent[-1]
            self.alert.setText("⚠ " + notification_text(n))
            self.alert.show()
        else:
            self.alert.hide()
        words = follow_up_words(s, self.reader)
        self.follow_up.setText("\n".join(w for w in words))
        self.follow_up.setVisible(bool(words))
        self._show_removal(data)
        self.trend.show_results([(r.drawn, r.anc.per_ul) for r in data.ancs], s.population)
        self.details.clear()
        ancs = [
            [
                us_day(r.drawn),
                f"{r.anc.per_ul:,}/µL",
                f"{r.entered_value} {r.entered_unit}" if r.entered_value else "",
                categorize(r.anc, s.population).label,
                r.source.label,
            ]
            for r in reversed(data.ancs)
        ]
        self.details.addTab(
            _table(["Drawn", "ANC", "As entered", "Category", "How reported"], ancs, "ANC history"),
            f"ANC history ({len(ancs)})",
        )
        statuses = [
            [us_day(c.on), c.to_status.label, c.reason] for c in reversed(data.status_history)
        ]
        self.details.addTab(
            _table(["Date", "Status", "Why"], statuses, "Treatment status history"),
            "Treatment status",
        )
        forms = [
            [
                f.kind.label,
                FORM_STATES.get(f.state.value, f.state.value),
                f.updated_at[:16].replace("T", " "),
                "waiting for the prescriber's signature"
                if f.needs_signature and f.state.value == "draft"
                else "",
            ]
            for f in reversed(data.forms)
        ]
        self.forms_table = _table(["Form", "State", "Last change", "Note"], forms, "Forms")
        self.forms_table.cellDoubleClicked.connect(
            lambda row, _c: self.openForm.emit(list(reversed(data.forms))[row].id)
        )
        self.details.addTab(self.forms_table, f"Forms ({len(forms)})")
        notes = [[us_day(n.on), notification_text(n)] for n in reversed(data.notifications)]
        self.details.addTab(
            _table(["Date", "Notification"], notes, "Notifications"),
            f"Notifications ({len(notes)})",
        )
        waiting = [
            [KIND_WORDS.get(i.kind, i.kind), STATE_WORDS[i.state], i.last_error or ""]
            for i in data.not_sent
        ]
        self.details.addTab(
            _table(["What", "State", "Registry's answer"], waiting, "Not at the registry yet"),
            f"Not sent yet ({len(waiting)})",
        )

    def _show_removal(self, data: ChartData) -> None:
        """A removal from the list, while it is on its way (or was refused)."""
        removals = [i for i in data.not_sent if i.kind == "deactivate_patient"]
        if not removals:
            self.removal.hide()
            self.remove.setEnabled(True)
            return
        item = removals[-1]
        if item.state is OutboxState.REJECTED:
            text = (
                f"The registry refused to remove {data.summary.name} from your list: "
                f"{item.last_error or ''} (see the Outbox)."
            )
        else:
            text = (
                f"Removal of {data.summary.name} from your list is queued: the patient leaves "
                "your list when the registry confirms it."
            )
        self.remove.setEnabled(item.state is OutboxState.REJECTED)
        self.removal.setText(text)
        self.removal.show()
