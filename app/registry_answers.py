"""What the registry answers, as the program's own types: the desk reads these, never JSON.

`sync.registry_api` turns the registry's JSON into them; the window shows them and the store
records them. Each knows the line it leaves in the workstation's tamper-evident log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from app import thresholds
from app.rda import RdaReason, offers_dispense_rationale

RATIONALE_LIMIT = thresholds.OUTPATIENT_DISPENSE_RATIONALE_LIMIT
RATIONALE_WINDOW = thresholds.DISPENSE_RATIONALE_WINDOW_DAYS


@dataclass(frozen=True)
class RdaAnswer:
    """The registry's REMS Dispense Authorization: the authority, with every reason."""

    authorized: bool
    first_dispense: bool
    reasons: tuple[RdaReason, ...]
    as_of: str
    replayed: bool = False  # the registry's stored answer to the first try of this request
    key: str | None = None  # the request's Idempotency-Key, settled when this is recorded

    @property
    def offers_dispense_rationale(self) -> bool:
        return not self.authorized and offers_dispense_rationale(self.reasons)

    @property
    def record(self) -> str:
        """The line kept in the audit log."""
        again = " (the answer to the first request, asked again)" if self.replayed else ""
        if self.authorized:
            kind = "first dispense" if self.first_dispense else "subsequent dispense"
            return f"RDA authorized ({kind}), registry day {self.as_of}{again}"
        codes = ", ".join(r.value for r in self.reasons)
        return f"RDA denied: {codes}, registry day {self.as_of}{again}"


@dataclass(frozen=True)
class RationaleAnswer:
    """The registry's answer to a Dispense Rationale (§10)."""

    authorized: bool
    code: str | None
    message: str
    used: int  # outpatient Dispense Rationales for the patient in the rolling window
    replayed: bool = False
    key: str | None = None

    @property
    def record(self) -> str:
        outcome = "accepted" if self.authorized else f"refused: {self.code}"
        again = " (the answer to the first request, sent again)" if self.replayed else ""
        return (
            f"Dispense Rationale {outcome} ({self.used} of {RATIONALE_LIMIT} used in "
            f"{RATIONALE_WINDOW} days)" + again
        )


@dataclass(frozen=True)
class FoundPatient:
    """A patient found by name and date of birth, on this workstation or at the registry."""

    patient_id: str
    name: str
    dob: date
    prescriber_id: str | None
    on_workstation: bool = True


@dataclass(frozen=True)
class StaffMember:
    name: str
    email: str
    role: str
    active: bool


@dataclass(frozen=True)
class OpenInvitation:
    name: str
    email: str
    role: str
    expires_at: datetime


@dataclass(frozen=True)
class StaffListing:
    people: tuple[StaffMember, ...]
    invitations: tuple[OpenInvitation, ...]


@dataclass(frozen=True)
class InvitationMade:
    """The code the invited person types when accepting, and how long it is good for."""

    code: str
    expires_in_days: int
