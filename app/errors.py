"""Typed errors carrying the codes of rules.md §12, each with a plain-language message."""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    """Why an action was refused (rules.md §12 and §10)."""

    NOT_CERTIFIED = "NOT_CERTIFIED"
    NOT_PERMITTED = "NOT_PERMITTED"
    PRESCRIBER_SIGNATURE_REQUIRED = "PRESCRIBER_SIGNATURE_REQUIRED"
    TREATMENT_RATIONALE_REQUIRED = "TREATMENT_RATIONALE_REQUIRED"
    ENROLLMENT_ANC_NOT_ACCEPTABLE = "ENROLLMENT_ANC_NOT_ACCEPTABLE"
    BEN_BASELINE_INCOMPLETE = "BEN_BASELINE_INCOMPLETE"
    INVALID_ANC = "INVALID_ANC"
    INVALID_DATE = "INVALID_DATE"
    INVALID_NPI = "INVALID_NPI"
    UNKNOWN_PATIENT = "UNKNOWN_PATIENT"
    REENROLLMENT_REQUIRED = "REENROLLMENT_REQUIRED"
    PATIENT_MISMATCH = "PATIENT_MISMATCH"  # rules.md §13 R4
    # Dispense Rationale refusals (rules.md §10).
    DISPENSE_RATIONALE_NOT_APPLICABLE = "DISPENSE_RATIONALE_NOT_APPLICABLE"
    ANC_NOT_CURRENT = "ANC_NOT_CURRENT"
    ANC_NOT_ACCEPTABLE = "ANC_NOT_ACCEPTABLE"
    DISPENSE_RATIONALE_LIMIT_REACHED = "DISPENSE_RATIONALE_LIMIT_REACHED"
    # Not named by rules.md: a DEA number on an enrollment form that fails its check digit.
    INVALID_DEA = "INVALID_DEA"
    # Not named by rules.md: a required field (a name, say) left empty on a form.
    MISSING_FIELD = "MISSING_FIELD"


# What happened and who must act, in the words a busy clinic or pharmacy reads.
DEFAULT_MESSAGES: dict[ErrorCode, str] = {
    ErrorCode.NOT_CERTIFIED: (
        "The prescriber is not certified in the program. The prescriber must complete "
        "certification before anyone in the office can act for their patients."
    ),
    ErrorCode.NOT_PERMITTED: "Your role cannot do this. Ask the person whose role can.",
    ErrorCode.PRESCRIBER_SIGNATURE_REQUIRED: (
        "This form needs the prescriber's signature. Send it to the prescriber to review and sign."
    ),
    ErrorCode.TREATMENT_RATIONALE_REQUIRED: (
        "The patient's most current ANC is below the acceptable range. Treatment can continue "
        "only with the prescriber's Treatment Rationale; ask the prescriber to give one."
    ),
    ErrorCode.ENROLLMENT_ANC_NOT_ACCEPTABLE: (
        "The ANC is below the level needed to start clozapine. Enroll once an ANC at or above "
        "the initiation threshold is available."
    ),
    ErrorCode.BEN_BASELINE_INCOMPLETE: (
        "A patient with benign ethnic neutropenia needs at least two baseline ANCs before "
        "starting clozapine. Add the second baseline ANC."
    ),
    ErrorCode.INVALID_ANC: "The ANC value is not valid. Check the number and its unit.",
    ErrorCode.INVALID_DATE: (
        "The blood draw date is not valid: it cannot be in the future or before the patient's "
        "date of birth. Check the date on the lab report."
    ),
    ErrorCode.INVALID_NPI: (
        "The NPI is not valid: it must be 10 digits starting with 1 or 2 and pass the check "
        "digit. Check the prescriber's NPI."
    ),
    ErrorCode.UNKNOWN_PATIENT: "No enrolled patient matches. Check the patient, or enroll them.",
    ErrorCode.REENROLLMENT_REQUIRED: (
        "Treatment was discontinued. To restart, the prescriber must enroll the patient again."
    ),
    ErrorCode.PATIENT_MISMATCH: (
        "The date of birth does not match the patient enrolled under this id. Check the "
        "patient's identity, or look them up by name and date of birth."
    ),
    ErrorCode.DISPENSE_RATIONALE_NOT_APPLICABLE: (
        "A Dispense Rationale is only possible when the dispense is denied for a missing "
        "Patient Status Form alone."
    ),
    ErrorCode.ANC_NOT_CURRENT: (
        "The ANC is too old for the patient's monitoring frequency. Use a more recent ANC."
    ),
    ErrorCode.ANC_NOT_ACCEPTABLE: (
        "The ANC is below the acceptable range, so a Dispense Rationale cannot be given. "
        "The ANC was recorded; contact the prescriber."
    ),
    ErrorCode.DISPENSE_RATIONALE_LIMIT_REACHED: (
        "This patient has had 3 Dispense Rationales at outpatient pharmacies in the last 365 "
        "days. Ask the prescriber to submit a Patient Status Form."
    ),
    ErrorCode.INVALID_DEA: (
        "The DEA number is not valid: 2 letters and 7 digits with a matching check digit."
    ),
    ErrorCode.MISSING_FIELD: "A required field is empty. Fill it in and submit again.",
}


class RemsError(Exception):
    """An action the program refuses. `code` is the spec's code; `message` says what to do."""

    def __init__(self, code: ErrorCode, message: str | None = None) -> None:
        self.code = code
        self.message = message or DEFAULT_MESSAGES[code]
        super().__init__(f"{code.value}: {self.message}")


class AccessRefused(RemsError):
    """The actor may not do this (certification, role, scope, signature)."""


class InvalidEntry(RemsError):
    """A value typed on a form is not valid; nothing was recorded."""


class RuleRefused(RemsError):
    """The program's clinical or enrollment rules refuse the action; nothing was recorded."""


def echo(value: object, limit: int = 40) -> str:
    """A value quoted back in a message, cut short: a message names what was sent so the
    sender can find it, and never repeats a 200 KB string."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
