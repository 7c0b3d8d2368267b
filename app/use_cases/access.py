"""Who may act: role, certification and patient scope checks shared by the use cases."""

from __future__ import annotations

from app.errors import AccessRefused, ErrorCode, RemsError
from app.ports import ProgramFacts
from app.records import Account, Patient, Pharmacy
from app.roles import Action, Role, may


def active_account(facts: ProgramFacts, account_id: str) -> Account:
    return check_active(facts.account(account_id))


def check_active(account: Account | None) -> Account:
    """Only a known, active account acts (a replaced Authorized Representative's closes)."""
    if account is None or not account.active:
        raise AccessRefused(
            ErrorCode.NOT_PERMITTED, "This account is not known or no longer active."
        )
    return account


def require_role(account: Account, *actions: Action, refusal: str | None = None) -> None:
    """NOT_PERMITTED unless the account's role may do every action (rules.md §1); the
    refusal says who can, in the act's own words when `refusal` gives them."""
    for action in actions:
        if not may(account.role, action):
            raise AccessRefused(
                ErrorCode.NOT_PERMITTED,
                refusal
                or f"A {account.role.label.lower()} cannot {action.value.replace('_', ' ')}. "
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
    if not on_the_list(patient, actor.prescriber_id):
        raise AccessRefused(
            ErrorCode.NOT_PERMITTED,
            "This patient is not on your prescriber's list. A covering prescriber first adds "
            "the patient to their list by enrolling them.",
        )
    return patient


def on_the_list(patient: Patient, prescriber_id: str | None) -> bool:
    """Whether the patient is on this prescriber's list (a patient on no list is on none)."""
    return patient.prescriber_id is not None and patient.prescriber_id == prescriber_id


def pharmacy_actor(
    facts: ProgramFacts, account_id: str, pharmacy_id: str, *actions: Action
) -> tuple[Account, Pharmacy]:
    """An authorized representative or staff member acting for their own pharmacy."""
    account = active_account(facts, account_id)
    require_role(account, *actions)
    pharmacy = facts.pharmacy(pharmacy_id)
    if pharmacy is None or not represents(account, pharmacy):
        raise AccessRefused(
            ErrorCode.NOT_PERMITTED, "You can act only for the pharmacy your account belongs to."
        )
    return account, pharmacy


def represents(account: Account, pharmacy: Pharmacy | None) -> bool:
    """Whether the account acts for the pharmacy: its AR is the one the pharmacy names
    (one AR may represent several, rules.md §13 R19, and an AR invited to take over acts
    only once their certification went through); staff belong to one pharmacy."""
    if pharmacy is None:
        return False
    if account.role is Role.PHARMACY_AR:
        return pharmacy.ar_account_id == account.id
    return account.pharmacy_id == pharmacy.id


def check_claimed_signer(facts: ProgramFacts, actor: Account, signed_by: str | None) -> None:
    """rules.md §13 R10: a PSF names as its signer only its sender (a prescriber) or the
    designee's own certified prescriber; any other claim is NOT_PERMITTED, even on a form
    that needs no signature, since a false signature is never accepted. Checked with who
    may act, before anything else (R13)."""
    if not signed_by or signed_by == actor.id:
        return
    signer = facts.account(signed_by)
    prescriber = facts.prescriber(signer.prescriber_id or "") if signer is not None else None
    own = (
        actor.role is not Role.PRESCRIBER
        and signer is not None
        and signer.active
        and signer.role is Role.PRESCRIBER
        and signer.prescriber_id == actor.prescriber_id
        and prescriber is not None
        and prescriber.certified
    )
    if not own:
        raise AccessRefused(
            ErrorCode.NOT_PERMITTED,
            "A form can be signed only by the designee's own certified prescriber. Send it "
            "to that prescriber's Awaiting signature queue.",
        )
