"""The three lists of work in progress, as read from the store: forms awaiting the
prescriber's signature, the outbox (everything not at the registry yet), and conflicts
between a form and the registry, with the act that settles a conflict."""

from __future__ import annotations

from dataclasses import dataclass

from app.psf import acts_needing_prescriber
from app.psf_document import psf_from_document
from app.roles import Action
from desk.forms import Form, FormKind
from desk.outbox import OutboxItem, OutboxState
from desk.session import Session
from local_store.mirror import Conflict, open_conflicts, resolve
from local_store.roster import patient_names

__all__ = [
    "AwaitingRow",
    "Conflict",
    "OutboxRow",
    "load_awaiting",
    "load_conflicts",
    "load_outbox",
    "settle_conflict",
]


@dataclass(frozen=True)
class AwaitingRow:
    form_id: str
    patient: str
    kind: str
    prepared_by: str
    updated_at: str
    needs: tuple[Action, ...] = ()  # what on the form only the prescriber may do (§6.3, R12)


def load_awaiting(session: Session) -> list[AwaitingRow]:
    prescriber = session.account.prescriber_id or session.account.id
    forms = session.forms.awaiting_signature(prescriber)
    names = patient_names(session.db, {f.patient_id for f in forms})
    people = {a.id: a.name for a in session.workstation.accounts()}
    return [
        AwaitingRow(
            f.id,
            names[f.patient_id],
            f.kind.label,
            people.get(f.created_by, f.created_by),
            f.updated_at[:16].replace("T", " "),
            _needs_prescriber(session, f),
        )
        for f in forms
    ]


def _needs_prescriber(session: Session, form: Form) -> tuple[Action, ...]:
    """Why a PSF waits for the prescriber (a rechallenge, R12, among them), as the editor's
    banner says it; nothing for an enrollment or a patient the store does not hold yet."""
    patient = session.ledger.patient(form.patient_id) if form.kind is FormKind.PSF else None
    if patient is None:
        return ()
    try:
        return tuple(acts_needing_prescriber(psf_from_document(form.document), patient))
    except ValueError:  # a draft typed half-way reads as nothing asked yet
        return ()


@dataclass(frozen=True)
class OutboxRow:
    item: OutboxItem
    patient: str


def load_outbox(session: Session) -> list[OutboxRow]:
    items = session.outbox.items(
        OutboxState.REJECTED, OutboxState.SENDING, OutboxState.RETRY_WAIT, OutboxState.QUEUED
    )
    items.sort(key=lambda i: i.seq)
    names = patient_names(session.db, {i.subject.removeprefix("patient:") for i in items})
    return [OutboxRow(i, names[i.subject.removeprefix("patient:")]) for i in items]


def load_conflicts(session: Session) -> list[tuple[Conflict, str]]:
    conflicts = open_conflicts(session.db)
    names = patient_names(session.db, {c.patient_id for c in conflicts})
    return [(c, names[c.patient_id]) for c in conflicts]


def settle_conflict(session: Session, conflict_id: int, keep_local: bool) -> None:
    """Keep the form's value (`keep_local`) or take the registry's, as this person."""
    with session.transaction() as db:
        resolve(db, conflict_id, keep_local, session.account.id, session.workstation.clock.now())
