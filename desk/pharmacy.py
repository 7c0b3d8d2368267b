"""What a pharmacy's and a wholesaler's window read from this workstation's snapshot: the
prescribers to choose from, the pharmacy's own standing, the certified pharmacies with the
snapshot's age, and the patients found by name and date of birth. Each works offline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from app.certification import (
    PharmacyStanding,
    is_certified,
    reconfirmation_due,
    reconfirmation_reminder,
    standing,
)
from app.records import Pharmacy
from app.registry_answers import FoundPatient
from desk.session import Session

__all__ = [
    "ListedPharmacy",
    "PharmacyFacts",
    "PharmacyList",
    "certified_pharmacies",
    "load_facts",
    "look_up",
    "prescribers",
]


@dataclass(frozen=True)
class PharmacyFacts:
    pharmacy: Pharmacy | None
    standing: PharmacyStanding
    due: date | None
    reminder: int | None  # 60, 30 or 7: the reminder due today
    as_of: datetime | None


def load_facts(session: Session, pharmacy_id: str, today: date) -> PharmacyFacts:
    """The pharmacy's standing today by this workstation's copy, and that copy's age."""
    pharmacy = session.ledger.pharmacy(pharmacy_id)
    return PharmacyFacts(
        pharmacy,
        standing(pharmacy, today),
        reconfirmation_due(pharmacy) if pharmacy else None,
        reconfirmation_reminder(pharmacy, today),
        session.sync_state.snapshot_as_of,
    )


def prescribers(session: Session) -> list[tuple[str, str]]:
    """Every prescriber on this workstation, (id, name), to choose the prescription's."""
    return [(p.id, p.name or p.id) for p in session.ledger.prescribers()]


def look_up(session: Session, name: str, dob: date) -> list[FoundPatient]:
    """Patients on this workstation whose name starts so (case and accents ignored) and who
    were born on that day."""
    rows = session.roster(name_prefix=name, born=dob, limit=200)
    return [FoundPatient(r.patient_id, r.name, r.dob, r.prescriber_id) for r in rows]


@dataclass(frozen=True)
class ListedPharmacy:
    pharmacy_id: str
    name: str
    setting: str


@dataclass(frozen=True)
class PharmacyList:
    pharmacies: list[ListedPharmacy]
    as_of: datetime | None


def certified_pharmacies(session: Session, today: date) -> PharmacyList:
    """The pharmacies certified today by this workstation's copy, by name."""
    found = [
        ListedPharmacy(p.id, p.name or p.id, p.setting.value)
        for p in session.ledger.pharmacies()
        if is_certified(p, today)
    ]
    found.sort(key=lambda p: (p.name.casefold(), p.pharmacy_id))
    return PharmacyList(found, session.sync_state.snapshot_as_of)
