"""Certification of prescribers and pharmacies, and the accounts around them (§1, §9)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from app.certification import PharmacyStanding, standing
from app.errors import AccessRefused, ErrorCode
from app.identifiers import validate_npi
from app.ports import ProgramFacts, ProgramLedger
from app.records import Account, Pharmacy, Prescriber
from app.roles import Action, Role
from app.statuses import PharmacySetting
from app.use_cases.access import active_account, represents, require_role


def register_prescriber(
    ledger: ProgramLedger, prescriber_id: str, npi: str, name: str = "", certified: bool = False
) -> Prescriber:
    """Enroll a prescriber (not yet certified, unless `certified`) with a valid NPI."""
    valid = validate_npi(npi)
    existing = ledger.prescriber(prescriber_id)
    prescriber = Prescriber(
        id=prescriber_id,
        npi=valid,
        certified=certified or (existing is not None and existing.certified),
        name=name or (existing.name if existing else ""),
    )
    ledger.save_prescriber(prescriber)
    if ledger.account(prescriber_id) is None:
        ledger.save_account(
            Account(id=prescriber_id, role=Role.PRESCRIBER, name=name, prescriber_id=prescriber_id)
        )
    return prescriber


def certify_prescriber(
    ledger: ProgramLedger, prescriber_id: str, npi: str, name: str = ""
) -> Prescriber:
    """Enrollment plus the knowledge assessment: the prescriber is certified."""
    return register_prescriber(ledger, prescriber_id, npi, name, certified=True)


def add_designee(
    ledger: ProgramLedger, prescriber_id: str, designee_id: str, name: str = ""
) -> Account:
    """A certified prescriber adds a designee, who acts for that prescriber only."""
    _check_may_invite_designee(ledger, active_account(ledger, prescriber_id))
    account = Account(id=designee_id, role=Role.DESIGNEE, name=name, prescriber_id=prescriber_id)
    ledger.save_account(account)
    return account


def _check_may_invite_designee(facts: ProgramFacts, inviter: Account) -> None:
    require_role(inviter, Action.INVITE_DESIGNEE)
    prescriber = facts.prescriber(inviter.prescriber_id or "")
    if prescriber is None or not prescriber.certified:
        raise AccessRefused(ErrorCode.NOT_CERTIFIED)


@dataclass(frozen=True)
class InvitationFor:
    """Where an invited person joins: a prescriber's office or a pharmacy."""

    prescriber_id: str | None = None
    pharmacy_id: str | None = None


def check_may_invite(
    facts: ProgramFacts, inviter_id: str, invited: Role, pharmacy_id: str | None = None
) -> InvitationFor:
    """Who may invite whom (§1, §9): a certified prescriber a designee (NOT_CERTIFIED when
    not certified), an AR their pharmacy's staff, the program's Contact Center a new
    Authorized Representative for an enrolled pharmacy (`pharmacy_id`). Anyone else, or an
    invitation to any other role, is NOT_PERMITTED."""
    inviter = active_account(facts, inviter_id)
    if invited is Role.DESIGNEE:
        _check_may_invite_designee(facts, inviter)
        return InvitationFor(prescriber_id=inviter.prescriber_id)
    if invited is Role.PHARMACY_STAFF:
        require_role(inviter, Action.INVITE_PHARMACY_STAFF)
        return InvitationFor(pharmacy_id=inviter.pharmacy_id)
    if invited is not Role.PHARMACY_AR:
        raise AccessRefused(
            ErrorCode.NOT_PERMITTED, f"A {invited.label.lower()} joins through enrollment."
        )
    require_role(
        inviter,
        Action.INVITE_AUTHORIZED_REPRESENTATIVE,
        refusal="A new Authorized Representative is set up by the program's Contact Center.",
    )
    if not pharmacy_id or facts.pharmacy(pharmacy_id) is None:
        raise AccessRefused(ErrorCode.NOT_PERMITTED, "No pharmacy with this id is enrolled.")
    return InvitationFor(pharmacy_id=pharmacy_id)


def join_by_invitation(
    ledger: ProgramLedger,
    invited: Role,
    account_id: str,
    name: str,
    invitation: InvitationFor,
    invited_by: str,
) -> Account:
    """The invited person's account, as the invitation said; the inviter's right to invite
    is checked again (a prescriber may have lost certification, an AR their pharmacy). A
    new AR acts for the pharmacy once they pass the assessment (§9)."""
    if invited is Role.DESIGNEE:
        return add_designee(ledger, invitation.prescriber_id or "", account_id, name)
    if invited is Role.PHARMACY_STAFF:
        return add_pharmacy_staff(
            ledger, invitation.pharmacy_id or "", account_id, invited_by, name
        )
    if invited is not Role.PHARMACY_AR or not invitation.pharmacy_id:
        raise AccessRefused(ErrorCode.NOT_PERMITTED, "This invitation is not valid.")
    account = Account(account_id, Role.PHARMACY_AR, name, pharmacy_id=invitation.pharmacy_id)
    ledger.save_account(account)
    return account


def register_pharmacy(
    ledger: ProgramLedger,
    pharmacy_id: str,
    setting: PharmacySetting,
    ar_id: str,
    name: str = "",
) -> Pharmacy:
    """The Authorized Representative enrolls the pharmacy; certification is not yet done.

    One AR may represent several pharmacies (rules.md §13 R19); an account of any other
    role cannot be one (one account, one role: §1)."""
    account = ledger.account(ar_id)
    if account is not None and account.role is not Role.PHARMACY_AR:
        raise AccessRefused(
            ErrorCode.NOT_PERMITTED,
            "This account cannot be a pharmacy's Authorized Representative: it has another "
            "role. Enroll the pharmacy with the representative's own account.",
        )
    existing = ledger.pharmacy(pharmacy_id)
    pharmacy = (
        replace(existing, setting=setting, ar_account_id=ar_id, name=name or existing.name)
        if existing
        else Pharmacy(id=pharmacy_id, setting=setting, ar_account_id=ar_id, name=name)
    )
    _make_authorized_representative(ledger, pharmacy, existing)
    ledger.save_pharmacy(pharmacy)
    return pharmacy


def certify_pharmacy(
    ledger: ProgramLedger,
    today: date,
    pharmacy_id: str,
    setting: PharmacySetting,
    ar_id: str,
    name: str = "",
) -> Pharmacy:
    """The AR completes enrollment and the knowledge assessment: the pharmacy is certified.

    A new AR replaces the old one by certifying again; certification continues and the
    two-year reconfirmation clock restarts from today [D]. A deactivated pharmacy is
    recertified: certified, and no longer deactivated, from today (rules.md §13 R17).
    """
    previous = ledger.pharmacy(pharmacy_id)
    pharmacy = register_pharmacy(ledger, pharmacy_id, setting, ar_id, name)
    recertified = standing(previous, today) is PharmacyStanding.DEACTIVATED
    certified = replace(
        pharmacy,
        certified_on=today if recertified else pharmacy.certified_on or today,
        attested_on=today,
        deactivated_on=None,
    )
    ledger.save_pharmacy(certified)
    return certified


def certify_as_representative(
    ledger: ProgramLedger, today: date, ar_id: str, pharmacy_id: str
) -> Pharmacy:
    """An AR who passed the knowledge assessment certifies a pharmacy they may speak for:
    one that names them (one they enrolled, or a chain's other pharmacy, §13 R19) or the one
    the Contact Center invited them to take over (§9: a new AR certifies again)."""
    account = active_account(ledger, ar_id)
    pharmacy = ledger.pharmacy(pharmacy_id)
    if account.role is not Role.PHARMACY_AR or pharmacy is None:
        raise AccessRefused(ErrorCode.NOT_PERMITTED, "Your account has no such pharmacy.")
    if not represents(account, pharmacy) and account.pharmacy_id != pharmacy.id:
        raise AccessRefused(
            ErrorCode.NOT_PERMITTED,
            "You are not this pharmacy's Authorized Representative. A new representative is "
            "set up by the program's Contact Center.",
        )
    return certify_pharmacy(ledger, today, pharmacy.id, pharmacy.setting, ar_id, pharmacy.name)


ASSESSMENT_IS_FOR = (
    "The knowledge assessment is for prescribers and pharmacies' Authorized Representatives."
)


def certify_by_assessment(
    ledger: ProgramLedger, today: date, account_id: str, pharmacy_id: str | None = None
) -> Prescriber | Pharmacy:
    """Passing the knowledge assessment certifies the prescriber, or the pharmacy the AR
    names (by default their own; one they may speak for, see certify_as_representative)."""
    account = active_account(ledger, account_id)
    require_role(account, Action.TAKE_ASSESSMENT, refusal=ASSESSMENT_IS_FOR)
    if account.role is Role.PRESCRIBER:
        prescriber = ledger.prescriber(account.prescriber_id or account.id)
        if prescriber is None:
            raise AccessRefused(ErrorCode.NOT_PERMITTED, "This prescriber is not enrolled.")
        return certify_prescriber(ledger, prescriber.id, prescriber.npi, prescriber.name)
    return certify_as_representative(
        ledger, today, account.id, pharmacy_id or account.pharmacy_id or ""
    )


def reconfirm_pharmacy(
    ledger: ProgramLedger, today: date, pharmacy_id: str, actor_id: str
) -> Pharmacy:
    """The AR reconfirms the pharmacy's certification (at least every two years)."""
    account = active_account(ledger, actor_id)
    require_role(account, Action.RECONFIRM_PHARMACY)
    pharmacy = ledger.pharmacy(pharmacy_id)
    if pharmacy is None or pharmacy.ar_account_id != actor_id:
        raise AccessRefused(
            ErrorCode.NOT_PERMITTED,
            "Only the pharmacy's own Authorized Representative can reconfirm it.",
        )
    if standing(pharmacy, today) is not PharmacyStanding.CERTIFIED:
        raise AccessRefused(
            ErrorCode.NOT_CERTIFIED,
            "The pharmacy is not certified now (lapsed, deactivated or never finished), so "
            "there is nothing to reconfirm. The Authorized Representative must certify again.",
        )
    reconfirmed = replace(pharmacy, attested_on=today)
    ledger.save_pharmacy(reconfirmed)
    return reconfirmed


def deactivate_pharmacy(
    ledger: ProgramLedger, today: date, pharmacy_id: str, actor_id: str
) -> Pharmacy:
    """The program deactivates a pharmacy; it can no longer obtain RDAs."""
    require_role(active_account(ledger, actor_id), Action.DEACTIVATE_PHARMACY)
    pharmacy = ledger.pharmacy(pharmacy_id)
    if pharmacy is None:
        raise AccessRefused(ErrorCode.NOT_PERMITTED, "No pharmacy with this id is enrolled.")
    deactivated = replace(pharmacy, deactivated_on=today)
    ledger.save_pharmacy(deactivated)
    return deactivated


def add_pharmacy_staff(
    ledger: ProgramLedger, pharmacy_id: str, staff_id: str, actor_id: str, name: str = ""
) -> Account:
    """The pharmacy's AR adds a staff member."""
    account = active_account(ledger, actor_id)
    require_role(account, Action.INVITE_PHARMACY_STAFF)
    if not represents(account, ledger.pharmacy(pharmacy_id)):
        raise AccessRefused(ErrorCode.NOT_PERMITTED, "You can add staff only to your own pharmacy.")
    staff = Account(id=staff_id, role=Role.PHARMACY_STAFF, name=name, pharmacy_id=pharmacy_id)
    ledger.save_account(staff)
    return staff


def add_account(ledger: ProgramLedger, account_id: str, role: Role, name: str = "") -> Account:
    """An account outside offices and pharmacies: a wholesaler or a program operator."""
    if role not in (Role.WHOLESALER, Role.PROGRAM_OPERATOR):
        raise AccessRefused(ErrorCode.NOT_PERMITTED, f"A {role.label} joins through enrollment.")
    account = Account(id=account_id, role=role, name=name)
    ledger.save_account(account)
    return account


def check_pharmacy(
    ledger: ProgramLedger, today: date, pharmacy_id: str, actor_id: str | None = None
) -> bool:
    """Whether the pharmacy is certified today: a wholesaler's order check, anyone's look-up."""
    if actor_id is not None:
        require_role(active_account(ledger, actor_id), Action.LOOK_UP_PHARMACY)
    return standing(ledger.pharmacy(pharmacy_id), today) is PharmacyStanding.CERTIFIED


def _make_authorized_representative(
    ledger: ProgramLedger, pharmacy: Pharmacy, previous: Pharmacy | None
) -> None:
    # The replaced AR loses this pharmacy (`represents` reads the pharmacy's AR); their
    # account closes only if this pharmacy was their own home, not another of a chain's.
    if previous is not None and previous.ar_account_id != pharmacy.ar_account_id:
        old = ledger.account(previous.ar_account_id)
        if old is not None and old.pharmacy_id == pharmacy.id:
            ledger.save_account(replace(old, active=False))
    existing = ledger.account(pharmacy.ar_account_id)
    if existing is not None and existing.active:
        return  # already an AR (of a chain's other pharmacy, or invited): leave it as it was
    if existing is not None:  # a former AR certifying again comes back, this as their home
        ledger.save_account(replace(existing, active=True, pharmacy_id=pharmacy.id))
        return
    ledger.save_account(
        Account(id=pharmacy.ar_account_id, role=Role.PHARMACY_AR, pharmacy_id=pharmacy.id)
    )
