"""What one roster line says, computed on the store thread a page at a time: the stored row,
plus what the rules say about it today (category, recommended monitoring, next ANC due,
PSF due), whether anything about the patient is not at the registry yet, and alerts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from app.anc import AncCategory
from app.use_cases.patient_summary import PatientSummary, summarize_patient
from local_store.roster import RosterOrder, RosterRow
from local_store.session import Session

PAGE = 64  # rows fetched at once: about two screens
ALERT_DAYS = 14  # a neutropenia notification stays flagged on the roster this long


@dataclass(frozen=True)
class RosterLine:
    row: RosterRow
    summary: PatientSummary
    not_sent: int  # outbox items for this patient not acknowledged yet
    rejected: int
    alert: str | None  # the latest neutropenia notification's text, if recent

    @property
    def category(self) -> AncCategory | None:
        return self.summary.latest_category


@dataclass(frozen=True)
class RosterPage:
    generation: int
    start: int
    lines: list[RosterLine]
    total: int | None = None  # set with the first page of a new filter or sort


def load_page(
    session: Session,
    *,
    generation: int,
    start: int,
    name_prefix: str,
    order: RosterOrder,
    descending: bool,
    today: date,
    with_total: bool,
) -> RosterPage:
    total = session.roster_count(name_prefix=name_prefix) if with_total else None
    rows = session.roster(
        name_prefix=name_prefix, order=order, descending=descending, limit=PAGE, offset=start
    )
    ledger = session.ledger
    ids = [r.patient_id for r in rows]
    marks = ",".join("?" * len(ids))
    pending: dict[str, tuple[int, int]] = {}
    alerts: dict[str, str] = {}
    if ids:
        db = session.db
        for subject, not_sent, rejected in db.execute(
            "SELECT subject, sum(state <> 'rejected'), sum(state = 'rejected') FROM outbox "
            f"WHERE state <> 'acked' AND subject IN ({marks}) GROUP BY subject",
            [f"patient:{i}" for i in ids],
        ):
            pending[subject.removeprefix("patient:")] = (int(not_sent), int(rejected))
        since = (today - timedelta(days=ALERT_DAYS)).isoformat()
        for patient_id, code, per_ul, drawn in db.execute(
            "SELECT patient_id, code, per_ul, drawn FROM notifications "
            f"WHERE patient_id IN ({marks}) AND on_date >= ? ORDER BY seq",
            [*ids, since],
        ):
            alerts[patient_id] = alert_text(code, per_ul, drawn)
    lines = [
        RosterLine(
            row,
            summarize_patient(ledger, row.patient_id, today),
            *pending.get(row.patient_id, (0, 0)),
            alerts.get(row.patient_id),
        )
        for row in rows
    ]
    return RosterPage(generation, start, lines, total)


def alert_text(code: str, per_ul: int, drawn: str) -> str:
    """A notification in plain words: "Severe neutropenia: ANC 480/µL drawn 2026-11-24"."""
    kind = code.replace("_", " ").capitalize().replace("Ben ", "BEN ")
    return f"{kind}: ANC {per_ul:,}/µL drawn {drawn}"
