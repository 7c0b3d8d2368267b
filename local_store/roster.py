"""The roster and the patient chart, as the store answers them: paged, sorted and filtered in
SQL, so a 10,000-patient roster costs one page's worth of work."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from app.anc import Population, normal_floor
from app.records import AncReport, Notification, Patient, StatusChange
from local_store.database import Database
from local_store.ledger import (
    NOTIFICATION_COLUMNS,
    StoreLedger,
    notification_from_row,
    sort_name,
)


class RosterOrder(StrEnum):
    NAME = "name"
    DOB = "dob"
    STATUS = "status"
    LATEST_ANC = "latest_anc"
    LATEST_DRAW = "latest_draw"
    MONITORING = "monitoring"
    NEXT_ANC_DUE = "next_anc_due"
    PSF_DUE = "psf_due"
    NOT_SENT = "not_sent"


# The ANC before the most current one (draw-date order, then report order, as the chart's
# history), for rules.md §13 R14's "first low ANC"; the index anc_by_patient answers it.
_PREVIOUS_ANC_SQL = (
    "(SELECT b.per_ul FROM anc_results b WHERE b.patient_id = p.id AND "
    "(b.drawn < a.drawn OR (b.drawn = a.drawn AND b.seq < a.seq)) "
    "ORDER BY b.drawn DESC, b.seq DESC LIMIT 1)"
)
_NORMAL_FLOOR_SQL = (
    f"(CASE p.population WHEN '{Population.BEN.value}' THEN {normal_floor(Population.BEN)} "
    f"ELSE {normal_floor(Population.GENERAL)} END)"
)
# R14 (app.monitoring.is_first_low, restated for sorting): the most current ANC is below
# normal and the one before it was normal.
_FIRST_LOW_SQL = f"(a.per_ul < {_NORMAL_FLOOR_SQL} AND {_PREVIOUS_ANC_SQL} >= {_NORMAL_FLOOR_SQL})"
# The next ANC is due one monitoring interval after the latest draw; sorting uses the
# frequency the prescriber set, which the label's recommendation matches except while a
# patient recovers from neutropenia (then the roster shows the closer date, sorted near).
# A first low ANC to confirm within 24 hours (R14) sorts before everything else: it is the
# label's most pressing ask, and its cell says so ("· confirm").
_NEXT_DUE_SQL = (
    "date(a.drawn, CASE p.monitoring WHEN 'weekly' THEN '+7 days' "
    "WHEN 'every_2_weeks' THEN '+14 days' ELSE '+1 month' END)"
)
_CONFIRM_FIRST_SQL = f"(CASE WHEN {_FIRST_LOW_SQL} THEN 0 ELSE 1 END)"
_CONFIRM_DUE_SQL = (
    f"(CASE WHEN {_FIRST_LOW_SQL} THEN date(a.drawn, '+1 day') ELSE {_NEXT_DUE_SQL} END)"
)
_LATEST_PSF_SQL = "(SELECT max(f.dated) FROM psfs f WHERE f.patient_id = p.id)"
_NOT_SENT_SQL = (
    "(SELECT count(*) FROM outbox o WHERE o.subject = 'patient:' || p.id AND o.state <> 'acked')"
)
_ORDER_SQL: dict[RosterOrder, tuple[str, ...]] = {
    RosterOrder.NAME: (),
    RosterOrder.DOB: ("p.dob",),
    RosterOrder.STATUS: ("p.treatment_status",),
    RosterOrder.LATEST_ANC: ("a.per_ul",),
    RosterOrder.LATEST_DRAW: ("a.drawn",),
    RosterOrder.MONITORING: ("p.monitoring",),
    RosterOrder.NEXT_ANC_DUE: (_CONFIRM_FIRST_SQL, _CONFIRM_DUE_SQL),
    RosterOrder.PSF_DUE: (_LATEST_PSF_SQL,),
    RosterOrder.NOT_SENT: (_NOT_SENT_SQL,),
}


@dataclass(frozen=True)
class RosterRow:
    patient_id: str
    name: str
    dob: date
    treatment_status: str
    monitoring: str
    prescriber_id: str | None
    latest_anc_per_ul: int | None
    latest_anc_drawn: date | None


@dataclass(frozen=True)
class PatientChart:
    patient: Patient
    ancs: tuple[AncReport, ...]
    status_history: tuple[StatusChange, ...]


def roster_page(
    db: Database,
    *,
    name_prefix: str = "",
    prescriber_id: str | None = None,
    order: RosterOrder = RosterOrder.NAME,
    descending: bool = False,
    limit: int = 100,
    offset: int = 0,
    born: date | None = None,
) -> list[RosterRow]:
    """One page of the roster. `name_prefix` matches any part of the name, ignoring case
    and accents (typing "nun" finds "Núñez", "kow" finds "Tomasz Kowalski"); `born`, the
    date of birth (a pharmacy's look-up)."""
    where, params = _filters(name_prefix, prescriber_id, born)
    direction = " DESC" if descending else ""
    # Ties break by name then id, so paging never shows a patient twice or skips one.
    parts = (*_ORDER_SQL[order], "p.sort_name", "p.id")
    order_sql = ", ".join(f"{part}{direction}" for part in parts)
    rows = db.execute(
        "SELECT p.id, p.name, p.dob, p.treatment_status, p.monitoring, p.prescriber_id, "
        "a.per_ul, a.drawn FROM patients p LEFT JOIN anc_results a ON a.seq = p.latest_anc_seq"
        f"{where} ORDER BY {order_sql} LIMIT ? OFFSET ?",
        [*params, limit, offset],
    )
    return [
        RosterRow(
            r[0],
            r[1],
            date.fromisoformat(r[2]),
            r[3],
            r[4],
            r[5],
            r[6],
            date.fromisoformat(r[7]) if r[7] else None,
        )
        for r in rows
    ]


def roster_count(db: Database, *, name_prefix: str = "", prescriber_id: str | None = None) -> int:
    """How many patients the roster holds with this filter (for the scroll bar)."""
    where, params = _filters(name_prefix, prescriber_id)
    return int(db.one(f"SELECT count(*) FROM patients p{where}", params)[0])


@dataclass(frozen=True)
class LowAncLine:
    """A patient whose most current ANC is below the general normal range, with the ANC
    before it: what app.monitoring.is_first_low needs to say whether it awaits confirmation."""

    patient_id: str
    name: str
    population: Population
    per_ul: int
    drawn: date
    previous_per_ul: int | None


def low_latest_ancs(db: Database, *, prescriber_id: str | None = None) -> list[LowAncLine]:
    """Patients whose most current ANC is below the highest normal floor, oldest draw first
    (the store narrows; the rules decide which of them awaits a confirmation)."""
    highest_floor = max(normal_floor(p) for p in Population)
    where, params = _filters("", prescriber_id)
    where += (" AND " if where else " WHERE ") + "a.per_ul < ?"
    rows = db.execute(
        f"SELECT p.id, p.name, p.population, a.per_ul, a.drawn, {_PREVIOUS_ANC_SQL} "
        f"FROM patients p JOIN anc_results a ON a.seq = p.latest_anc_seq{where} "
        "ORDER BY a.drawn, p.sort_name, p.id",
        [*params, highest_floor],
    )
    return [
        LowAncLine(
            str(r[0]),
            str(r[1]),
            Population(r[2]),
            int(r[3]),
            date.fromisoformat(r[4]),
            None if r[5] is None else int(r[5]),
        )
        for r in rows
    ]


def not_sent_counts(db: Database, patient_ids: list[str]) -> dict[str, tuple[int, int]]:
    """For each patient, outbox items not yet at the registry: (waiting, refused)."""
    marks = ",".join("?" * len(patient_ids))
    rows = db.execute(
        "SELECT subject, sum(state <> 'rejected'), sum(state = 'rejected') FROM outbox "
        f"WHERE state <> 'acked' AND subject IN ({marks}) GROUP BY subject",
        [f"patient:{i}" for i in patient_ids],
    )
    return {str(s).removeprefix("patient:"): (int(w), int(r)) for s, w, r in rows}


def patient_names(db: Database, patient_ids: set[str]) -> dict[str, str]:
    """Names for a set of patients in one read; a patient the store does not hold (an
    enrollment not accepted yet) is named by its id."""
    ids = sorted(patient_ids)
    marks = ",".join("?" * len(ids))
    rows = db.execute(f"SELECT id, name FROM patients WHERE id IN ({marks})", ids) if ids else []
    found = {str(i): str(n) for i, n in rows}
    return {pid: found.get(pid, pid) for pid in ids}


def notifications_since(
    db: Database,
    since: date,
    *,
    prescriber_id: str | None = None,
    patient_ids: list[str] | None = None,
) -> list[tuple[str, Notification]]:
    """(patient's name, notification) made on or after `since`, newest first: an office's
    own patients, or the patients given."""
    sql = (
        f"SELECT p.name, {NOTIFICATION_COLUMNS} FROM notifications n "
        "JOIN patients p ON p.id = n.patient_id WHERE n.on_date >= ?"
    )
    params: list[object] = [since.isoformat()]
    if prescriber_id is not None:
        sql += " AND n.prescriber_id = ?"
        params.append(prescriber_id)
    if patient_ids is not None:
        sql += f" AND n.patient_id IN ({','.join('?' * len(patient_ids))})"
        params += patient_ids
    rows = db.execute(sql + " ORDER BY n.seq DESC", params)
    return [(str(r[0]), notification_from_row(r[1:])) for r in rows]


def patient_chart(db: Database, patient_id: str) -> PatientChart | None:
    ledger = StoreLedger(db)
    patient = ledger.patient(patient_id)
    if patient is None:
        return None
    return PatientChart(
        patient, tuple(ledger.anc_history(patient_id)), tuple(ledger.status_history(patient_id))
    )


def _filters(
    name_prefix: str, prescriber_id: str | None, born: date | None = None
) -> tuple[str, list[object]]:
    clauses: list[str] = []
    params: list[object] = []
    if born is not None:
        clauses.append("p.dob = ?")
        params.append(born.isoformat())
    key = sort_name(name_prefix)
    if key:
        # Any part of the name ("kow", "tran"): a scan of the short name key, walked in
        # index order, so a page stops as soon as it is full (bench: store.roster_filter_ms).
        clauses.append("instr(p.sort_name, ?) > 0")
        params.append(key)
    if prescriber_id is not None:
        clauses.append("p.prescriber_id = ?")
        params.append(prescriber_id)
    return ((" WHERE " + " AND ".join(clauses)) if clauses else "", params)
