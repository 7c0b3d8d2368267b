"""Eligibility previews straight from the store: one patient, or a whole roster at once.

A roster preview reads one consistent snapshot of the store (a single read transaction),
and within it reads each pharmacy and prescriber once rather than once per patient: inside
a snapshot nothing can change them, so the cache is exact, and it is dropped with the
snapshot. Previews record nothing: they are never an authorization.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from app.rda import RdaDecision, evaluate_rda
from app.records import Account, AncReport, Patient, Pharmacy, Prescriber, PsfRecord
from local_store.database import Database
from local_store.ledger import (
    ANC_COLUMNS,
    PATIENT_COLUMNS,
    StoreLedger,
    anc_from_row,
    patient_from_row,
)

_JOINED_COLUMNS = ", ".join(
    [f"p.{c.strip()}" for c in PATIENT_COLUMNS.split(",")]
    + [f"a.{c.strip()}" for c in ANC_COLUMNS.split(",")]
)


class SnapshotFacts:
    """`ProgramFacts` for the length of one snapshot, with participants read once."""

    def __init__(self, ledger: StoreLedger) -> None:
        self._ledger = ledger
        self._pharmacies: dict[str, Pharmacy | None] = {}
        self._prescribers: dict[str, Prescriber | None] = {}
        self._accounts: dict[str, Account | None] = {}
        # The patient being previewed and their most current ANC, read in one query.
        self._patient: Patient | None = None
        self._current_anc: AncReport | None = None

    def account(self, account_id: str) -> Account | None:
        if account_id not in self._accounts:
            self._accounts[account_id] = self._ledger.account(account_id)
        return self._accounts[account_id]

    def prescriber(self, prescriber_id: str) -> Prescriber | None:
        if prescriber_id not in self._prescribers:
            self._prescribers[prescriber_id] = self._ledger.prescriber(prescriber_id)
        return self._prescribers[prescriber_id]

    def pharmacy(self, pharmacy_id: str) -> Pharmacy | None:
        if pharmacy_id not in self._pharmacies:
            self._pharmacies[pharmacy_id] = self._ledger.pharmacy(pharmacy_id)
        return self._pharmacies[pharmacy_id]

    def patient(self, patient_id: str) -> Patient | None:
        if self._patient is None or self._patient.id != patient_id:
            row = self._ledger.db.one(
                f"SELECT {_JOINED_COLUMNS} FROM patients p "
                "LEFT JOIN anc_results a ON a.seq = p.latest_anc_seq WHERE p.id = ?",
                (patient_id,),
            )
            if row is None:
                return None
            width = len(PATIENT_COLUMNS.split(","))
            self._patient = patient_from_row(row[:width])
            self._current_anc = anc_from_row(row[width:]) if row[width] is not None else None
        return self._patient

    def anc_history(self, patient_id: str) -> Sequence[AncReport]:
        return self._ledger.anc_history(patient_id)

    def most_current_anc(self, patient_id: str) -> AncReport | None:
        if self._patient is not None and self._patient.id == patient_id:
            return self._current_anc  # patients.latest_anc_seq, kept by every ANC write
        return self._ledger.most_current_anc(patient_id)

    def latest_psf(self, patient_id: str) -> PsfRecord | None:
        return self._ledger.latest_psf(patient_id)

    def has_dispense_in_enrollment(self, patient_id: str, enrollment_id: int) -> bool:
        return self._ledger.has_dispense_in_enrollment(patient_id, enrollment_id)

    def outpatient_dispense_rationales_since(self, patient_id: str, since: date) -> int:
        return self._ledger.outpatient_dispense_rationales_since(patient_id, since)


def preview(
    db: Database, pharmacy_id: str, patient_id: str, today: date, prescriber_id: str = ""
) -> RdaDecision | None:
    """The RDA checks for one patient at one pharmacy, with the prescriber on the
    prescription (the patient's own when not given); None for a patient the store does not
    hold."""
    found = preview_many(db, pharmacy_id, [patient_id], today, prescriber_id)
    return dict(found).get(patient_id)


def preview_many(
    db: Database,
    pharmacy_id: str,
    patient_ids: Iterable[str],
    today: date,
    prescriber_id: str = "",
) -> list[tuple[str, RdaDecision]]:
    """Previews for many patients, from one snapshot of the store."""
    results: list[tuple[str, RdaDecision]] = []
    with db.snapshot():
        facts = SnapshotFacts(StoreLedger(db))
        for patient_id in patient_ids:
            patient = facts.patient(patient_id)
            if patient is None:
                continue
            prescriber = prescriber_id or patient.prescriber_id or ""
            decision = evaluate_rda(facts, pharmacy_id, patient_id, prescriber, today)
            results.append((patient_id, decision))
    return results
