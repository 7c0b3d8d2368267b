"""The program's roles and what each may do (rules.md §1)."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """One account, one role: a person with two roles has two accounts."""

    PRESCRIBER = "prescriber"
    DESIGNEE = "designee"
    PHARMACY_AR = "pharmacy_ar"  # the pharmacy's Authorized Representative
    PHARMACY_STAFF = "pharmacy_staff"
    WHOLESALER = "wholesaler"
    PROGRAM_OPERATOR = "program_operator"  # the registry's own staff (the Contact Center)
    # Not a program role: the person who keeps a workstation's accounts (first run, resets).
    WORKSTATION_ADMIN = "workstation_admin"

    @property
    def label(self) -> str:
        return _ROLE_LABELS[self]

    @property
    def is_office(self) -> bool:
        return self in (Role.PRESCRIBER, Role.DESIGNEE)

    @property
    def is_pharmacy(self) -> bool:
        return self in (Role.PHARMACY_AR, Role.PHARMACY_STAFF)


_ROLE_LABELS = {
    Role.PRESCRIBER: "Prescriber",
    Role.DESIGNEE: "Prescriber designee",
    Role.PHARMACY_AR: "Pharmacy authorized representative",
    Role.PHARMACY_STAFF: "Pharmacy staff",
    Role.WHOLESALER: "Wholesaler",
    Role.PROGRAM_OPERATOR: "Program operator",
    Role.WORKSTATION_ADMIN: "Workstation administrator",
}


class Action(StrEnum):
    """The acts of rules.md §1's table."""

    ENROLL_PATIENT = "enroll_patient"
    SET_BEN_OR_HOSPICE = "set_ben_or_hospice"
    REPORT_ANC = "report_anc"
    SUBMIT_PSF = "submit_psf"
    SET_MONITORING = "set_monitoring"
    GIVE_TREATMENT_RATIONALE = "give_treatment_rationale"
    AUTHORIZE_MISSING_LABS = "authorize_missing_labs"
    DEACTIVATE_PATIENT = "deactivate_patient"
    INVITE_DESIGNEE = "invite_designee"
    REQUEST_RDA = "request_rda"
    REPORT_ANC_WITH_PHARMACY_REQUEST = "report_anc_with_pharmacy_request"
    INVITE_PHARMACY_STAFF = "invite_pharmacy_staff"
    RECONFIRM_PHARMACY = "reconfirm_pharmacy"
    LOOK_UP_PHARMACY = "look_up_pharmacy"
    DEACTIVATE_PHARMACY = "deactivate_pharmacy"
    SIGN_FORM = "sign_form"  # an electronic signature on a PSF or enrollment (prescribers only)
    MANAGE_WORKSTATION_ACCOUNTS = "manage_workstation_accounts"
    # Not in §1's table: the registry's own reads, named so no route restates a role rule.
    LOOK_UP_PATIENT = "look_up_patient"  # by name and date of birth (pharmacies, the program)
    SEE_PHARMACY_STAFF = "see_pharmacy_staff"  # the pharmacy's people and open invitations
    SEE_DESIGNEES = "see_designees"  # the prescriber's designees and open invitations
    READ_NOTIFICATIONS = "read_notifications"  # the office's neutropenia notifications
    READ_PROGRAM_AUDIT = "read_program_audit"  # the Contact Center's own audit trail
    CORRECT_PATIENT = "correct_patient"  # a name or date of birth, with the reason
    # How people join (§9): the assessment certifies; the Contact Center sets up the rest.
    TAKE_ASSESSMENT = "take_assessment"  # the knowledge assessment (prescribers and ARs)
    INVITE_AUTHORIZED_REPRESENTATIVE = "invite_authorized_representative"  # a new AR (§9)
    ADD_WHOLESALER = "add_wholesaler"
    # rules.md §13 R12: resuming after an interruption that included a severe ANC.
    RESUME_AFTER_SEVERE_ANC = "resume_after_severe_anc"


_PERMISSIONS: dict[Role, frozenset[Action]] = {
    Role.PRESCRIBER: frozenset(
        {
            Action.ENROLL_PATIENT,
            Action.SET_BEN_OR_HOSPICE,
            Action.REPORT_ANC,
            Action.SUBMIT_PSF,
            Action.SET_MONITORING,
            Action.GIVE_TREATMENT_RATIONALE,
            Action.AUTHORIZE_MISSING_LABS,
            Action.RESUME_AFTER_SEVERE_ANC,
            Action.DEACTIVATE_PATIENT,
            Action.INVITE_DESIGNEE,
            Action.SEE_DESIGNEES,
            Action.LOOK_UP_PHARMACY,
            Action.SIGN_FORM,
            Action.READ_NOTIFICATIONS,
            Action.TAKE_ASSESSMENT,
        }
    ),
    Role.DESIGNEE: frozenset(
        {
            Action.ENROLL_PATIENT,
            Action.REPORT_ANC,
            Action.SUBMIT_PSF,
            Action.SET_MONITORING,
            Action.LOOK_UP_PHARMACY,
            Action.READ_NOTIFICATIONS,
        }
    ),
    Role.PHARMACY_AR: frozenset(
        {
            Action.REQUEST_RDA,
            Action.REPORT_ANC_WITH_PHARMACY_REQUEST,
            Action.INVITE_PHARMACY_STAFF,
            Action.RECONFIRM_PHARMACY,
            Action.LOOK_UP_PHARMACY,
            Action.LOOK_UP_PATIENT,
            Action.SEE_PHARMACY_STAFF,
            Action.TAKE_ASSESSMENT,
        }
    ),
    Role.PHARMACY_STAFF: frozenset(
        {
            Action.REQUEST_RDA,
            Action.REPORT_ANC_WITH_PHARMACY_REQUEST,
            Action.LOOK_UP_PHARMACY,
            Action.LOOK_UP_PATIENT,
        }
    ),
    Role.WHOLESALER: frozenset({Action.LOOK_UP_PHARMACY}),
    Role.PROGRAM_OPERATOR: frozenset(
        {
            Action.LOOK_UP_PHARMACY,
            Action.DEACTIVATE_PHARMACY,
            Action.LOOK_UP_PATIENT,
            Action.READ_PROGRAM_AUDIT,
            Action.CORRECT_PATIENT,
            Action.INVITE_AUTHORIZED_REPRESENTATIVE,
            Action.ADD_WHOLESALER,
        }
    ),
    Role.WORKSTATION_ADMIN: frozenset({Action.MANAGE_WORKSTATION_ACCOUNTS}),
}

# What a designee may draft for the prescriber's signature rather than do alone (§6.3).
NEEDS_PRESCRIBER_SIGNATURE = frozenset(
    {Action.SET_BEN_OR_HOSPICE, Action.GIVE_TREATMENT_RATIONALE, Action.AUTHORIZE_MISSING_LABS}
)


def may(role: Role, action: Action) -> bool:
    """Whether the role may do the action on its own."""
    return action in _PERMISSIONS[role]


def permitted_actions(role: Role) -> frozenset[Action]:
    return _PERMISSIONS[role]
