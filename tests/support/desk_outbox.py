"""A workstation's encrypted store with Patient Status Forms queued in its outbox, and how
to check, at the registry, that each took effect exactly once and in order."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from bench.registry_world import psf_payload
from local_store import schema
from local_store.database import Database
from local_store.outbox import Outbox, OutboxState
from registry import tables as t

KEY = bytes.fromhex("42" * 32)


def open_desk(folder: Path) -> Database:
    folder.mkdir(parents=True, exist_ok=True)
    db = Database.open(folder / "desk.db", KEY)
    schema.migrate(db, lambda: datetime.now(UTC))
    db.actor_id = "desk-test"
    return db


psf_body = psf_payload  # the body a desktop queues for a PSF


def queue_psfs(db: Database, patients: list[str], per_patient: int, drawn: str) -> list[str]:
    """Queue PSFs round-robin over the patients; each carries one ANC with its own value."""
    ids = []
    outbox = Outbox(db)
    now = datetime.now(UTC)
    for n in range(per_patient):
        for i, patient in enumerate(patients):
            item_id = str(uuid.uuid4())
            value = 1500 + n * 10 + i  # unique per item: content can be checked
            outbox.enqueue(
                item_id, "submit_psf", f"patient:{patient}", psf_body(patient, value, drawn), now
            )
            ids.append(item_id)
    return ids


class Clock:
    """Real time plus a skip, so items waiting to retry become due without waiting."""

    def __init__(self) -> None:
        self.skip = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.skip

    def jump(self) -> None:
        self.skip += timedelta(minutes=10)


@dataclass
class Delivery:
    psfs: int
    ancs: int
    wrong: list[str]


def check_exactly_once(db: Database, engine: Engine) -> Delivery:
    """Every queued PSF is at the registry once, with its own ANC, in its patient's order."""
    outbox = Outbox(db)
    items = outbox.items()
    wrong = [
        f"{i.id} is {i.state.value}: {i.last_error}"
        for i in items
        if i.state is not OutboxState.ACKED
    ]
    ids = [i.id for i in items]
    with engine.connect() as conn:
        psfs = conn.execute(
            select(t.psfs.c.id, t.psfs.c.patient_id, t.psfs.c.seq)
            .where(t.psfs.c.id.in_(ids))
            .order_by(t.psfs.c.seq)
        ).all()
        ancs = conn.execute(
            select(t.anc_results.c.patient_id, t.anc_results.c.entered_value).where(
                t.anc_results.c.source == "psf"
            )
        ).all()
    found = [p.id for p in psfs]
    if sorted(found) != sorted(ids):
        wrong.append(f"{len(ids)} queued, {len(found)} at the registry")
    for patient in {i.subject for i in items}:
        mine = [i.id for i in items if i.subject == patient]
        theirs = [p.id for p in psfs if f"patient:{p.patient_id}" == patient]
        if mine != theirs:
            wrong.append(f"{patient}: order differs")
    expected_values = sorted(_first_anc_value(i.payload) for i in items)
    values = sorted(a.entered_value for a in ancs)
    if values != expected_values:
        wrong.append(f"ANCs at the registry {len(values)}, queued {len(expected_values)}")
    return Delivery(len(found), len(values), wrong)


def _first_anc_value(payload: dict[str, Any]) -> str:
    """The first ANC of a queued PSF's document (JSON, read back from the outbox)."""
    return str(payload["document"]["ancs"][0]["value"])
