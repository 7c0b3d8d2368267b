"""The roster: every patient of the office, paged from the store (sorting and filtering in
SQL), so 10,000 patients scroll as smoothly as ten. Rows not fetched yet show "Loading…"
for the moment it takes; the page arrives from the store thread through a signal."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.follow_up import CONFIRM_MARK, RECHALLENGE
from app.statuses import TreatmentStatus
from app.use_cases.patient_summary import confirmation_of
from desk.roster import PAGE, RosterLine, RosterOrder, RosterPage, load_page
from desk.session import Session
from ui import theme
from ui.tasks import StoreWorker
from ui.us_dates import us_day

Index = QModelIndex | QPersistentModelIndex

COLUMNS: list[tuple[str, RosterOrder]] = [
    ("Patient", RosterOrder.NAME),
    ("Date of birth", RosterOrder.DOB),
    ("Treatment status", RosterOrder.STATUS),
    ("Latest ANC", RosterOrder.LATEST_ANC),
    ("ANC category", RosterOrder.LATEST_ANC),
    ("Drawn", RosterOrder.LATEST_DRAW),
    ("Label recommends", RosterOrder.MONITORING),  # the monitoring, as the chart says it
    ("Next ANC due", RosterOrder.NEXT_ANC_DUE),
    ("PSF due", RosterOrder.PSF_DUE),
    ("Registry", RosterOrder.NOT_SENT),
]


class RosterModel(QAbstractTableModel):
    pageLoaded = Signal()  # a page arrived (tests and the benchmark wait for it)

    def __init__(self, worker: StoreWorker, session: Session, today: Callable[[], date]) -> None:
        super().__init__()
        self.worker, self.session, self.today = worker, session, today
        self.prefix, self.order, self.descending = "", RosterOrder.NAME, False
        self.generation = 0
        self.total = 0
        self.pages: dict[int, list[RosterLine]] = {}
        self.asked: set[int] = set()

    # Loading
    def reload(self) -> None:
        """Start over with the current filter and order (keeps showing rows until then)."""
        self.generation += 1
        self.asked = {0}
        self._fetch(0, with_total=True)

    def set_filter(self, prefix: str) -> None:
        self.prefix = prefix.strip()
        self.reload()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.order = COLUMNS[column][1]
        self.descending = order == Qt.SortOrder.DescendingOrder
        if self.generation:  # the view sorts once as it is set up: the first load does that
            self.reload()

    def _fetch(self, page: int, *, with_total: bool = False) -> None:
        generation, prefix, order, desc = self.generation, self.prefix, self.order, self.descending
        session, today = self.session, self.today()
        self.worker.run(
            lambda: load_page(
                session,
                generation=generation,
                start=page * PAGE,
                name_prefix=prefix,
                order=order,
                descending=desc,
                today=today,
                with_total=with_total,
            ),
            self._arrived,
            self.worker.on_failure,  # the window's words (quiet for a locked session)
        )

    def _arrived(self, page: RosterPage) -> None:
        if page.generation != self.generation:
            return  # typed on: an older filter's answer
        number = page.start // PAGE
        if page.total is not None:
            self.beginResetModel()
            self.total = page.total
            self.pages = {number: page.lines}
            self.endResetModel()
        else:
            self.pages[number] = page.lines
            last = min(self.total, page.start + PAGE) - 1
            if last >= page.start:
                self.dataChanged.emit(self.index(page.start, 0), self.index(last, len(COLUMNS) - 1))
        self.pageLoaded.emit()

    def line(self, row: int) -> RosterLine | None:
        page = self.pages.get(row // PAGE)
        if page is None:
            if row // PAGE not in self.asked:
                self.asked.add(row // PAGE)
                self._fetch(row // PAGE)
            return None
        offset = row % PAGE
        return page[offset] if offset < len(page) else None

    # Qt's model interface
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self.total

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section][0]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        line = self.line(index.row())
        column = index.column()
        if line is None:
            return "Loading…" if role == Qt.ItemDataRole.DisplayRole and column == 0 else None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._text(line, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(line, column)
        if role == Qt.ItemDataRole.BackgroundRole and column in (3, 4) and line.category:
            return QBrush(QColor(theme.CATEGORY_COLORS[line.category]))
        overdue = _overdue(line, column)
        if role == Qt.ItemDataRole.ForegroundRole:
            if overdue:
                return QBrush(QColor(theme.ALERT_TEXT))
            if column == 2 and line.summary.treatment_status is not TreatmentStatus.ENROLLED:
                return QBrush(QColor(theme.ALERT_TEXT))
        if role == Qt.ItemDataRole.FontRole and (overdue or (column == 0 and line.alert)):
            bold = QFont()
            bold.setBold(True)
            return bold
        if role == Qt.ItemDataRole.UserRole:
            return line.row.patient_id
        return None

    def _text(self, line: RosterLine, column: int) -> str:
        s, row = line.summary, line.row
        if column == 0:
            return f"⚠ {row.name}" if line.alert else row.name
        if column == 1:
            return us_day(row.dob)
        if column == 2:
            return s.treatment_status.label
        if column == 3:
            return f"{s.latest_anc.anc.per_ul:,}/µL" if s.latest_anc else "none"
        if column == 4:
            return line.category.label if line.category else "—"
        if column == 5:
            return us_day(s.latest_anc.drawn if s.latest_anc else None)
        if column == 6:
            return s.recommended_monitoring.label
        if column == 7:
            due = us_day(s.next_anc_due)
            due = f"OVERDUE {due}" if s.anc_overdue else due
            # rules.md §13 R14: why it is due so soon, where a busy person looks.
            return f"{due} · {CONFIRM_MARK}" if s.confirm_low_anc else due
        if column == 8:
            due = us_day(s.psf_due)
            return f"OVERDUE {due}" if line.psf_overdue else due
        if line.rejected:
            return f"Refused ({line.rejected})"
        return f"Not sent ({line.not_sent})" if line.not_sent else "Up to date"

    def _tooltip(self, line: RosterLine, column: int) -> str | None:
        if column == 0 and line.alert:
            return line.alert
        if column == 2 and line.summary.rechallenge:
            return RECHALLENGE + "."
        if column == 7:
            return confirmation_of(line.summary)
        if column == 9 and line.rejected:
            return "The registry refused something for this patient: see the Outbox."
        return None


def _overdue(line: RosterLine, column: int) -> bool:
    """A past "Next ANC due" or "PSF due": both shown the same way (red, bold, OVERDUE)."""
    return (column == 7 and line.summary.anc_overdue) or (column == 8 and line.psf_overdue)


class RosterPane(QWidget):
    """The filter box over the table. Enter or double-click opens the patient's chart."""

    patientChosen = Signal(str)

    def __init__(self, model: RosterModel) -> None:
        super().__init__()
        self.model = model
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Type a name to filter (Ctrl+F)")
        self.filter.setAccessibleName("Filter patients by name")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(model.set_filter)
        self.count = QLabel()
        self.count.setAccessibleName("Number of patients shown")
        model.modelReset.connect(self._show_count)
        self.table = QTableView()
        self.table.setAccessibleName("Patient roster")
        self.table.setModel(model)
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(26)
        # Fixed row heights: the view never measures 10,000 rows one by one.
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        # Wide enough for "OVERDUE 12/01/2026 · confirm" and "OVERDUE 12/01/2026",
        # and all ten columns within a 1366-pixel screen.
        for column, width in enumerate([160, 100, 128, 90, 146, 85, 140, 222, 157, 78]):
            header.resizeSection(column, width)
        header.setStretchLastSection(True)
        self.table.doubleClicked.connect(self._open)
        self.table.activated.connect(self._open)
        self.filter.returnPressed.connect(self._open_first)
        top = QHBoxLayout()
        top.addWidget(self.filter, 1)
        top.addWidget(self.count)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        self.setFocusProxy(self.filter)

    def _show_count(self) -> None:
        n = self.model.total
        self.count.setText(f"{n:,} patient{'s' if n != 1 else ''}")

    def _open(self, index: QModelIndex) -> None:
        patient_id = self.model.data(index, Qt.ItemDataRole.UserRole)
        if patient_id:
            self.patientChosen.emit(patient_id)

    def _open_first(self) -> None:
        if self.model.total:
            self._open(self.model.index(0, 0))

    def selected_patient(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        value = self.model.data(rows[0], Qt.ItemDataRole.UserRole)
        return str(value) if value else None
