"""The seam between the rules and where facts live.

The rules read through `ProgramFacts` and use cases write through `ProgramLedger`. The same
engine runs over in-memory state (scenarios, benchmarks), the desktop's encrypted store
(eligibility previews, read straight from the store) and the registry's database (the
authority). Each query is narrow on purpose, so a SQL adapter answers it with one indexed
read rather than loading a patient's whole history.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Protocol

from app.records import (
    Account,
    AncReport,
    Dispense,
    Notification,
    Patient,
    Pharmacy,
    Prescriber,
    PsfRecord,
    StatusChange,
)


class ProgramFacts(Protocol):
    """What the rules read."""

    def account(self, account_id: str) -> Account | None: ...

    def prescriber(self, prescriber_id: str) -> Prescriber | None: ...

    def pharmacy(self, pharmacy_id: str) -> Pharmacy | None: ...

    def patient(self, patient_id: str) -> Patient | None: ...

    def anc_history(self, patient_id: str) -> Sequence[AncReport]:
        """Every reported ANC, in draw-date order (ties: report order)."""
        ...

    def most_current_anc(self, patient_id: str) -> AncReport | None:
        """The ANC with the latest draw date; on a tie, the later reported (rules.md §2)."""
        ...

    def latest_psf(self, patient_id: str) -> PsfRecord | None:
        """The latest accepted PSF, the enrollment counting as one."""
        ...

    def has_dispense_in_enrollment(self, patient_id: str, enrollment_id: int) -> bool:
        """Whether any dispense was authorized under this enrollment."""
        ...

    def outpatient_dispense_rationales_since(self, patient_id: str, since: date) -> int:
        """Dispense Rationales at outpatient pharmacies dated on or after `since`."""
        ...


class ProgramLedger(ProgramFacts, Protocol):
    """What use cases write. A use case validates fully before its first write, so a refused
    action writes nothing; adapters with transactions wrap each use case in one."""

    def save_account(self, account: Account) -> None: ...

    def save_prescriber(self, prescriber: Prescriber) -> None: ...

    def save_pharmacy(self, pharmacy: Pharmacy) -> None: ...

    def save_patient(self, patient: Patient) -> None: ...

    def add_anc(self, report: AncReport) -> AncReport:
        """Store a report; returns it with `seq` set by the ledger (the given seq is ignored)."""
        ...

    def add_psf(self, psf: PsfRecord) -> None: ...

    def add_dispense(self, dispense: Dispense) -> None: ...

    def add_notification(self, notification: Notification) -> None: ...

    def add_status_change(self, change: StatusChange) -> None: ...

    def notifications(self, patient_id: str) -> Sequence[Notification]: ...

    def status_history(self, patient_id: str) -> Sequence[StatusChange]: ...

    def psfs(self, patient_id: str) -> Sequence[PsfRecord]: ...
