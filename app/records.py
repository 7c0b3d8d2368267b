"""The facts the program keeps: what a ledger stores and the rules read.

Records are immutable; a change is a new record saved in place of the old one
(`dataclasses.replace`). Ids are strings chosen by whoever creates the record (a UUID from
the draft on the desktop, a key in the registry, a scenario's own name mapped by the runner).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.anc import Anc, Population
from app.roles import Role
from app.statuses import (
    AncSource,
    DispenseVia,
    MonitoringFrequency,
    NotificationCode,
    PharmacySetting,
    TreatmentStatus,
)


@dataclass(frozen=True)
class Account:
    """A person's account in one role. A designee's `prescriber_id` is their prescriber;
    a prescriber's is their own id; pharmacy roles carry `pharmacy_id`."""

    id: str
    role: Role
    name: str = ""
    prescriber_id: str | None = None
    pharmacy_id: str | None = None
    active: bool = True


@dataclass(frozen=True)
class Prescriber:
    id: str
    npi: str
    certified: bool
    name: str = ""


@dataclass(frozen=True)
class Pharmacy:
    """A pharmacy's enrollment. `attested_on` is the latest certification or reconfirmation."""

    id: str
    setting: PharmacySetting
    ar_account_id: str
    name: str = ""
    certified_on: date | None = None
    attested_on: date | None = None
    deactivated_on: date | None = None


@dataclass(frozen=True)
class Interruption:
    """An ongoing interruption: since when, and whether a severe ANC came during it."""

    since: date
    severe: bool


@dataclass(frozen=True)
class Patient:
    """A patient's current standing in the program.

    `enrollment_id` counts new enrollments (a transfer keeps it), so "first dispense" means
    no dispense under the current enrollment. `rationale_through` is the date of the latest
    Treatment Rationale: it covers every ANC drawn on or before it (rules.md §3).
    """

    id: str
    name: str
    dob: date
    population: Population
    hospice: bool
    prescriber_id: str | None
    treatment_status: TreatmentStatus
    enrollment_id: int
    enrolled_on: date
    monitoring: MonitoringFrequency
    monitoring_clock_start: date
    interruption: Interruption | None = None
    rationale_through: date | None = None


@dataclass(frozen=True)
class AncReport:
    """One reported ANC. `seq` is the ledger's report order (the tie-break for "most current")."""

    patient_id: str
    anc: Anc
    drawn: date
    reported_on: date
    source: AncSource
    reported_by: str
    seq: int = 0
    entered_value: str = ""
    entered_unit: str = ""

    @property
    def order_key(self) -> tuple[date, int]:
        return (self.drawn, self.seq)


@dataclass(frozen=True)
class PsfRecord:
    """An accepted Patient Status Form (or the enrollment, which counts as the first)."""

    id: str
    patient_id: str
    dated: date
    monitoring: MonitoringFrequency
    labs_missing: bool
    missing_labs_authorized: bool
    submitted_by: str
    is_enrollment: bool = False
    signed_by: str | None = None
    requested_status: TreatmentStatus | None = None
    treatment_rationale: str | None = None
    ben: bool | None = None
    hospice: bool | None = None
    adverse_event: str | None = None


@dataclass(frozen=True)
class Dispense:
    """An authorized dispense (by RDA or Dispense Rationale)."""

    patient_id: str
    pharmacy_id: str
    pharmacy_setting: PharmacySetting
    on: date
    enrollment_id: int
    via: DispenseVia
    requested_by: str
    prescriber_npi: str | None = None


@dataclass(frozen=True)
class Notification:
    """A notification to the patient's prescriber about one reported ANC."""

    patient_id: str
    prescriber_id: str | None
    code: NotificationCode
    anc: Anc
    drawn: date
    on: date


@dataclass(frozen=True)
class StatusChange:
    """One step in a patient's treatment-status history."""

    patient_id: str
    on: date
    from_status: TreatmentStatus | None
    to_status: TreatmentStatus
    reason: str
    by: str
