"""The registry's records on this workstation: a pulled page of the change feed is applied
and the cursor moved in one transaction, so a crash mid-page leaves the last page whole.

Appended records (ANCs, PSFs, dispenses, notifications, status changes) keep the
registry's `seq`, so applying a change twice stores it once and ANCs sort as they do at the
registry. A patient tombstone (moved to another prescriber, off this office's list) removes
the patient's chart here.

A pulled change to a patient that a form still on this workstation also sets (treatment
status, monitoring, BEN, hospice) is never applied over the form silently: it becomes a
conflict, and the form waits in the outbox until a person decides.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app import record_codec as codec
from app.entered_anc import DEFAULT_UNIT
from app.records import AncReport
from local_store.database import Database
from local_store.ledger import LATEST_ANC_UPDATE, StoreLedger, latest_anc_params
from local_store.sync_state import SyncState

_PATIENT_TABLES = ("anc_results", "psfs", "dispenses", "notifications", "status_changes")


@dataclass(frozen=True)
class Conflict:
    id: int
    patient_id: str
    form_id: str
    field: str
    local_value: str | None
    registry_value: str | None
    detected_at: str


def apply_page(db: Database, changes: Iterable[dict[str, Any]], cursor: int, at: datetime) -> int:
    """Apply changes, move the cursor; returns the number of conflicts found."""
    found = 0
    with db.transaction():
        ledger = StoreLedger(db)
        # Only a patient with a form here can conflict: asked once per page, not per patient.
        watched = _patients_with_pending_forms(db)
        ancs: list[dict[str, Any]] = []  # inserted together: most of a first sync is ANCs
        for change in changes:
            if change["kind"] == "anc" and change["op"] == "put":
                ancs.append(change["body"])
                continue
            if ancs:
                _insert_ancs(db, ancs)
                ancs = []
            found += _apply(db, ledger, change, at, watched)
        if ancs:
            _insert_ancs(db, ancs)
        SyncState(db).advance(str(cursor), at)
    return found


def forget_everything(db: Database) -> None:
    """Before a full resync: the registry's records go; forms, outbox and audit stay."""
    with db.transaction():
        db.execute("UPDATE patients SET latest_anc_seq = NULL")  # it points into anc_results
        for table in (*_PATIENT_TABLES, "patients", "pharmacies", "prescribers"):
            db.execute(f"DELETE FROM {table}")
        db.execute("DELETE FROM sync_state WHERE key = 'cursor'")


def _apply(
    db: Database, ledger: StoreLedger, change: dict[str, Any], at: datetime, watched: set[str]
) -> int:
    kind, body = change["kind"], change.get("body")
    if change["op"] == "delete":
        if kind == "patient":
            _remove_patient(db, change["key"])
        return 0
    assert body is not None
    if kind == "patient":
        patient = codec.patient_from(body)
        found = _conflicts(db, body, at) if patient.id in watched else 0
        ledger.save_patient(patient)
        return found
    if kind == "prescriber":
        ledger.save_prescriber(codec.prescriber_from(body))
    elif kind == "pharmacy":
        ledger.save_pharmacy(codec.pharmacy_from(body))
    elif kind == "anc":
        _insert_ancs(db, [body])
    elif kind == "psf":
        if db.one("SELECT 1 FROM psfs WHERE id = ?", (body["id"],)) is None:
            ledger.add_psf(codec.psf_from(body))
    elif kind == "dispense":
        d = codec.dispense_from(body)
        db.execute(
            "INSERT OR IGNORE INTO dispenses (seq, patient_id, pharmacy_id, pharmacy_setting, "
            "on_date, enrollment_id, via, requested_by, prescriber_npi, created_by) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                body["seq"],
                d.patient_id,
                d.pharmacy_id,
                d.pharmacy_setting.value,
                d.on.isoformat(),
                d.enrollment_id,
                d.via.value,
                d.requested_by,
                d.prescriber_npi,
                db.actor_id,
            ),
        )
    elif kind == "notification":
        n = codec.notification_from(body)
        db.execute(
            "INSERT OR IGNORE INTO notifications (seq, patient_id, prescriber_id, code, per_ul, "
            "drawn, on_date, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                body["seq"],
                n.patient_id,
                n.prescriber_id,
                n.code.value,
                n.anc.per_ul,
                n.drawn.isoformat(),
                n.on.isoformat(),
                db.actor_id,
            ),
        )
    elif kind == "status_change":
        c = codec.status_change_from(body)
        db.execute(
            "INSERT OR IGNORE INTO status_changes (seq, patient_id, on_date, from_status, "
            "to_status, reason, by, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                body["seq"],
                c.patient_id,
                c.on.isoformat(),
                c.from_status.value if c.from_status else None,
                c.to_status.value,
                c.reason,
                c.by,
                db.actor_id,
            ),
        )
    return 0


def _insert_ancs(db: Database, bodies: list[dict[str, Any]]) -> None:
    reports = [codec.anc_from(body) for body in bodies]
    db.executemany(
        "INSERT OR IGNORE INTO anc_results (seq, patient_id, per_ul, entered_value, "
        "entered_unit, drawn, reported_on, source, reported_by, created_by) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                r.seq,
                r.patient_id,
                r.anc.per_ul,
                r.entered_value or str(r.anc.per_ul),
                r.entered_unit or DEFAULT_UNIT,
                r.drawn.isoformat(),
                r.reported_on.isoformat(),
                r.source.value,
                r.reported_by,
                db.actor_id,
            )
            for r in reports
        ],
    )
    # The roster's latest ANC, once per patient in the batch.
    latest: dict[str, AncReport] = {}
    for r in reports:
        if r.patient_id not in latest or r.order_key > latest[r.patient_id].order_key:
            latest[r.patient_id] = r
    db.executemany(LATEST_ANC_UPDATE, [latest_anc_params(r.seq, r) for r in latest.values()])


def _remove_patient(db: Database, patient_id: str) -> None:
    db.execute("UPDATE patients SET latest_anc_seq = NULL WHERE id = ?", (patient_id,))
    for table in _PATIENT_TABLES:
        db.execute(f"DELETE FROM {table} WHERE patient_id = ?", (patient_id,))
    db.execute("DELETE FROM patients WHERE id = ?", (patient_id,))


# What a form sets, compared with what the registry now says (document key -> patient field).
_FORM_FIELDS = {
    "treatment_status": "treatment_status",
    "monitoring": "monitoring",
    "ben": "population",
    "hospice": "hospice",
}


def _registry_value(field: str, body: dict[str, Any]) -> str | None:
    if field == "ben":
        return "true" if body["population"] == "ben" else "false"
    value = body[_FORM_FIELDS[field]]
    return json.dumps(value) if isinstance(value, bool) else str(value)


def _form_value(field: str, value: object) -> str | None:
    if value is None:
        return None
    return json.dumps(value) if isinstance(value, bool) else str(value)


# PSFs still on this workstation: drafts, and forms whose outbox item is not settled.
_PENDING_FORMS = (
    "SELECT f.id, f.document, f.patient_id FROM forms f LEFT JOIN outbox o ON o.id = f.id "
    "WHERE f.kind = 'psf' AND (o.id IS NULL OR o.state IN ('queued', 'sending', 'retry_wait'))"
)


def _patients_with_pending_forms(db: Database) -> set[str]:
    return {str(row[2]) for row in db.execute(_PENDING_FORMS)}


def _conflicts(db: Database, body: dict[str, Any], at: datetime) -> int:
    """Record a conflict for each field that the registry changed and a pending form sets
    to something else."""
    before = db.one(
        "SELECT treatment_status, monitoring, population, hospice FROM patients WHERE id = ?",
        (body["id"],),
    )
    if before is None:
        return 0
    old = {
        "treatment_status": before[0],
        "monitoring": before[1],
        "ben": "true" if before[2] == "ben" else "false",
        "hospice": json.dumps(bool(before[3])),
    }
    pending = db.execute(f"{_PENDING_FORMS} AND f.patient_id = ?", (body["id"],)).fetchall()
    found = 0
    for form_id, document, _ in pending:
        doc = json.loads(document)
        for field in _FORM_FIELDS:
            mine = _form_value(field, doc.get(field))
            theirs = _registry_value(field, body)
            if mine is None or theirs == old[field] or mine == theirs:
                continue
            db.execute(
                "INSERT INTO conflicts (patient_id, form_id, field, local_value, "
                "registry_value, detected_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (body["id"], form_id, field, mine, theirs, at.isoformat(), db.actor_id),
            )
            found += 1
    return found


def open_conflicts(db: Database) -> list[Conflict]:
    rows = db.execute(
        "SELECT id, patient_id, form_id, field, local_value, registry_value, detected_at "
        "FROM conflicts WHERE resolution IS NULL ORDER BY id"
    ).fetchall()
    return [Conflict(*row) for row in rows]


def held_forms(db: Database) -> set[str]:
    """Forms with an open conflict: their outbox items wait for a person's decision."""
    rows = db.execute("SELECT DISTINCT form_id FROM conflicts WHERE resolution IS NULL")
    return {str(r[0]) for r in rows}


def resolve(db: Database, conflict_id: int, keep_local: bool, by: str, at: datetime) -> None:
    """A person decides. Keeping the form sends it as it is; taking the registry's value
    changes a draft to it, and withdraws a signed form (a correction starts a new one)."""
    row = db.one(
        "SELECT form_id, field, registry_value FROM conflicts WHERE id = ? AND resolution IS NULL",
        (conflict_id,),
    )
    if row is None:
        return
    form_id, field, theirs = row
    with db.transaction():
        db.execute(
            "UPDATE conflicts SET resolution = ?, resolved_by = ?, resolved_at = ? WHERE id = ?",
            ("kept_local" if keep_local else "took_registry", by, at.isoformat(), conflict_id),
        )
        if keep_local:
            return
        state = db.one("SELECT state, document FROM forms WHERE id = ?", (form_id,))
        if state is None:
            return
        if state[0] == "draft":
            doc = json.loads(state[1])
            doc[field] = json.loads(theirs) if field in ("ben", "hospice") else theirs
            db.execute(
                "UPDATE forms SET document = ?, updated_by = ?, updated_at = ? WHERE id = ?",
                (json.dumps(doc, sort_keys=True, ensure_ascii=False), by, at.isoformat(), form_id),
            )
        else:
            db.execute(
                "UPDATE outbox SET state = 'rejected', last_error = ?, updated_at = ? "
                "WHERE id = ? AND state IN ('queued', 'retry_wait')",
                (
                    "Withdrawn: the registry's value was kept. To change it, start a "
                    "correction of this form.",
                    at.isoformat(),
                    form_id,
                ),
            )
