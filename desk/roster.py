"""What one roster line says, computed on the store thread a page at a time: the stored row,
plus what the rules say about it today (category, recommended monitoring, next ANC due,
PSF due), whether anything about the patient is not at the registry yet, and alerts.
`RosterOrder` and `RosterRow` are the store's, named here so the window need not import it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.anc import AncCategory
from app.notifications import flagged_since, notification_text
from app.use_cases.patient_summary import PatientSummary, summarize_patient
from desk.session import Session
from local_store.roster import RosterOrder, RosterRow, not_sent_counts, notifications_since

__all__ = [
    "PAGE",
    "RosterLine",
    "RosterOrder",
    "RosterPage",
    "RosterRow",
    "load_page",
]

PAGE = 64  # rows fetched at once: about two screens


@dataclass(frozen=True)
class RosterLine:
    row: RosterRow
    summary: PatientSummary
    not_sent: int  # outbox items for this patient not acknowledged yet
    rejected: int
    alert: str | None  # the latest neutropenia notification's text, if recent
    psf_overdue: bool = False  # the PSF due date has passed (flagged like a late ANC)

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
    pending = not_sent_counts(session.db, ids) if ids else {}
    alerts = {
        n.patient_id: notification_text(n)
        for _name, n in reversed(
            notifications_since(session.db, flagged_since(today), patient_ids=ids) if ids else []
        )
    }  # newest last, so each patient keeps their latest
    summaries = [summarize_patient(ledger, row.patient_id, today) for row in rows]
    lines = [
        RosterLine(
            row,
            summary,
            *pending.get(row.patient_id, (0, 0)),
            alerts.get(row.patient_id),
            psf_overdue=summary.psf_due is not None and summary.psf_due < today,
        )
        for row, summary in zip(rows, summaries, strict=True)
    ]
    return RosterPage(generation, start, lines, total)
