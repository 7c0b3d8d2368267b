"""Scope: which patients an account reaches, and what else it reads.

An office reaches its prescriber's list; a pharmacy the patients it found by name and date
of birth (a look-up, a request that names them, or a dispense); the program's staff every
patient, and what they read is audited; a wholesaler only the certified-pharmacy list
(docs/registry.md, "Accounts, roles and scope"). Only the registry holds patients beyond
one office, so it supplies what each pharmacy found (`PatientLookups`); the rules are here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from app.dates import parse_date
from app.errors import AccessRefused, ErrorCode, InvalidEntry, RemsError
from app.patient_identity import names_the_patient
from app.ports import ProgramFacts
from app.records import Account, Patient
from app.roles import Action, Role
from app.use_cases.access import on_the_list, require_role


class PatientLookups(Protocol):
    """What a registry keeps beyond the rules' facts: patients by name and date of birth,
    and which pharmacy found which patient."""

    def find_patients(self, name: str, dob: date) -> Sequence[Patient]: ...

    def pharmacy_sees(self, pharmacy_id: str, patient_id: str) -> bool: ...

    def grant_pharmacy_access(self, pharmacy_id: str, patient_id: str) -> None: ...


class ScopedFacts(ProgramFacts, PatientLookups, Protocol):
    """The rules' facts and the look-ups together (the registry's ledger)."""


class Member(Protocol):
    """Who an account is in the program: a registry account, or a workstation's own."""

    @property
    def role(self) -> Role: ...

    @property
    def prescriber_id(self) -> str | None: ...

    @property
    def pharmacy_id(self) -> str | None: ...


@dataclass(frozen=True)
class Sight:
    """What an account reads: which patients, and which of the program's lists."""

    every_patient: bool = False  # the program's own staff
    prescriber_id: str | None = None  # an office: this prescriber's list
    pharmacy_id: str | None = None  # a pharmacy: the patients it found or dispensed to
    pharmacy_list: bool = False  # the certified pharmacies
    prescriber_list: bool = False  # the certified prescribers (a pharmacy checks a prescription)

    @property
    def audited(self) -> bool:
        """Reaching every patient is privileged: what such an account does and reads goes
        into the program's audit trail."""
        return self.every_patient


def sight_of(account: Member) -> Sight:
    """What the account reads, by its role and the office or pharmacy it belongs to."""
    if account.role is Role.PROGRAM_OPERATOR:
        return Sight(every_patient=True, pharmacy_list=True, prescriber_list=True)
    if account.role.is_office and account.prescriber_id:
        return Sight(prescriber_id=account.prescriber_id, pharmacy_list=True)
    if account.role.is_pharmacy and account.pharmacy_id:
        return Sight(pharmacy_id=account.pharmacy_id, pharmacy_list=True, prescriber_list=True)
    if account.role is Role.WHOLESALER:
        return Sight(pharmacy_list=True)
    return Sight()


_NOT_YOURS = (
    "This patient is not one you can see. Pharmacies look a patient up by name and date of "
    "birth first; offices see their own prescriber's patients."
)
_LOOK_UP_FIRST = (
    "Look the patient up by name and date of birth first (or send them with the request): a "
    "pharmacy acts only on patients it has found that way."
)


def check_may_see_patient(facts: ScopedFacts, account: Account, patient_id: str) -> Patient:
    """The patient's chart, if the account reaches it: UNKNOWN_PATIENT first, then
    NOT_PERMITTED with what to do."""
    patient = facts.patient(patient_id)
    if patient is None:
        raise RemsError(ErrorCode.UNKNOWN_PATIENT)
    sight = sight_of(account)
    if sight.every_patient or on_the_list(patient, sight.prescriber_id):
        return patient
    if sight.pharmacy_id and facts.pharmacy_sees(sight.pharmacy_id, patient_id):
        return patient
    raise AccessRefused(ErrorCode.NOT_PERMITTED, _NOT_YOURS)


def check_pharmacy_may_act_on(
    facts: ScopedFacts, account: Account, patient_id: str, name: object, dob: object
) -> None:
    """A pharmacy acts on a patient (an RDA, an ANC, a Dispense Rationale) only once it has
    found them by name and date of birth; a request that sends their `name` and `dob`, and
    they match, counts as that look-up and is recorded as one. Anyone else is not limited
    here (an office's acts check its list, §1), and an unknown patient is left to the act
    (UNKNOWN_PATIENT or the RDA's own checks)."""
    pharmacy_id = sight_of(account).pharmacy_id
    if pharmacy_id is None or facts.pharmacy_sees(pharmacy_id, patient_id):
        return
    patient = facts.patient(patient_id)
    if patient is None:
        return
    if not names_the_patient(patient, name, dob):
        raise AccessRefused(ErrorCode.NOT_PERMITTED, _LOOK_UP_FIRST)
    facts.grant_pharmacy_access(pharmacy_id, patient_id)


def look_up_patients(
    facts: ScopedFacts, account: Account, name: str, dob: str
) -> Sequence[Patient]:
    """Patients by name and date of birth, for a pharmacy or the program; a pharmacy
    reaches the ones it found from then on (their charts follow)."""
    require_role(
        account,
        Action.LOOK_UP_PATIENT,
        refusal="Patient look-up by name and date of birth is for pharmacies. Offices see "
        "their own patients.",
    )
    try:
        born = parse_date(dob)
    except InvalidEntry:
        raise InvalidEntry(
            ErrorCode.INVALID_DATE, "The date of birth must be a date (YYYY-MM-DD)."
        ) from None
    found = facts.find_patients(name, born)
    pharmacy_id = sight_of(account).pharmacy_id
    if pharmacy_id is not None:
        for patient in found:
            facts.grant_pharmacy_access(pharmacy_id, patient.id)
    return found
