"""Who may act: role, certification and patient scope checks shared by the use cases."""

from __future__ import annotations

from app.errors import AccessRefused, ErrorCode, RemsError
from app.ports import ProgramFacts
from app.records import Account, Patient, Pharmacy
from app.roles import Action, may


def active_account(facts: ProgramFacts, account_id: str) -> Account:
    account = facts.account(account_id)
    if account is None or not account.active:
        raise AccessRefused(
            ErrorCode.NOT_PERMITTED, "This account is not known or no longer active."
        )
    return account


def require_role(account: Account, *actions: Action) -> None:
    for action in actions:
        if not may(account.role, action):
            raise AccessRefused(
                ErrorCode.NOT_PERMITTED,
                f"A {account.role.label.lower()} cannot {action.value.replace('_', ' ')}. "
                "Ask the person whose role can.",
            )


def office_actor(facts: ProgramFacts, account_id: str, *actions: Action) -> Account:
    """A prescriber or designee whose role allows every action and whose prescriber is
    certified: role first (NOT_PERMITTED), then certification (NOT_CERTIFIED)."""
    account = active_account(facts, account_id)
    require_role(account, *actions)
    prescriber = facts.prescriber(account.prescriber_id or "")
    if prescriber is None or not prescriber.certified:
        raise AccessRefused(ErrorCode.NOT_CERTIFIED)
    return account


def patient_in_scope(facts: ProgramFacts, actor: Account, patient_id: str) -> Patient:
    """The patient, if on the actor's prescriber's list (checked after UNKNOWN_PATIENT)."""
    patient = facts.patient(patient_id)
    if patient is None:
        raise RemsError(ErrorCode.UNKNOWN_PATIENT)
    if patient.prescriber_id is None or patient.prescriber_id != actor.prescriber_id:
        raise AccessRefused(
            ErrorCode.NOT_PERMITTED,
            "This patient is not on your prescriber's list. A covering prescriber first adds "
            "the patient to their list by enrolling them.",
        )
    return patient


def pharmacy_actor(
    facts: ProgramFacts, account_id: str, pharmacy_id: str, *actions: Action
) -> tuple[Account, Pharmacy]:
    """An authorized representative or staff member acting for their own pharmacy."""
    account = active_account(facts, account_id)
    require_role(account, *actions)
    pharmacy = facts.pharmacy(pharmacy_id)
    if pharmacy is None or account.pharmacy_id != pharmacy_id:
        raise AccessRefused(
            ErrorCode.NOT_PERMITTED, "You can act only for the pharmacy your account belongs to."
        )
    return account, pharmacy
