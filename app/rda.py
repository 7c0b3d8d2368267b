"""REMS Dispense Authorization: the checks, their reasons and who must act (rules.md §8).

`evaluate_rda` only reads, so the desktop runs it over its local snapshot as a preview and
the registry runs it as the authority. A preview is never an authorization.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from app import thresholds as t
from app.anc import is_acceptable
from app.certification import PharmacyStanding, standing
from app.ports import ProgramFacts
from app.statuses import PharmacySetting, TreatmentStatus
from app.treatment import covered_by_rationale


class RdaReason(StrEnum):
    """Why an RDA is denied; each is one check of rules.md §8."""

    PHARMACY_NOT_CERTIFIED = "PHARMACY_NOT_CERTIFIED"
    PRESCRIBER_NOT_CERTIFIED = "PRESCRIBER_NOT_CERTIFIED"
    PATIENT_NOT_ENROLLED = "PATIENT_NOT_ENROLLED"
    TREATMENT_INTERRUPTED = "TREATMENT_INTERRUPTED"
    TREATMENT_DISCONTINUED = "TREATMENT_DISCONTINUED"
    PSF_NOT_CURRENT = "PSF_NOT_CURRENT"
    MISSING_LABS_NOT_AUTHORIZED = "MISSING_LABS_NOT_AUTHORIZED"
    TREATMENT_RATIONALE_REQUIRED = "TREATMENT_RATIONALE_REQUIRED"

    @property
    def check(self) -> str:
        """The check, named as a pharmacist would read it."""
        return _CHECK_NAMES[self]

    @property
    def failure(self) -> str:
        """The failed check in a few words, for lists and tables."""
        return _FAILURE_NAMES[self]

    @property
    def message(self) -> str:
        """What is wrong and who must act."""
        return _DENIAL_MESSAGES[self]


_CHECK_NAMES = {
    RdaReason.PHARMACY_NOT_CERTIFIED: "Pharmacy certified",
    RdaReason.PRESCRIBER_NOT_CERTIFIED: "Prescriber certified",
    RdaReason.PATIENT_NOT_ENROLLED: "Patient enrolled",
    RdaReason.TREATMENT_INTERRUPTED: "Treatment not interrupted",
    RdaReason.TREATMENT_DISCONTINUED: "Treatment not discontinued",
    RdaReason.PSF_NOT_CURRENT: "Patient Status Form within 37 days",
    RdaReason.MISSING_LABS_NOT_AUTHORIZED: "Missing labs authorized",
    RdaReason.TREATMENT_RATIONALE_REQUIRED: "Most current ANC acceptable",
}

_FAILURE_NAMES = {
    RdaReason.PHARMACY_NOT_CERTIFIED: "pharmacy not certified",
    RdaReason.PRESCRIBER_NOT_CERTIFIED: "prescriber not certified",
    RdaReason.PATIENT_NOT_ENROLLED: "patient not enrolled",
    RdaReason.TREATMENT_INTERRUPTED: "treatment interrupted",
    RdaReason.TREATMENT_DISCONTINUED: "treatment discontinued",
    RdaReason.PSF_NOT_CURRENT: "no Patient Status Form in 37 days",
    RdaReason.MISSING_LABS_NOT_AUTHORIZED: "missing labs not authorized",
    RdaReason.TREATMENT_RATIONALE_REQUIRED: "low ANC needs a Treatment Rationale",
}

_DENIAL_MESSAGES = {
    RdaReason.PHARMACY_NOT_CERTIFIED: (
        "This pharmacy is not certified (never finished, not reconfirmed within two years, or "
        "deactivated). The pharmacy's Authorized Representative must complete or reconfirm "
        "certification."
    ),
    RdaReason.PRESCRIBER_NOT_CERTIFIED: (
        "The prescriber on the prescription is not certified. Contact the prescriber: they must "
        "certify, or a certified prescriber must write the prescription."
    ),
    RdaReason.PATIENT_NOT_ENROLLED: (
        "The patient is not enrolled in the program. Ask the prescriber to enroll the patient."
    ),
    RdaReason.TREATMENT_INTERRUPTED: (
        "Treatment is interrupted. Ask the prescriber to review the ANC and, if appropriate, "
        "resume treatment on a Patient Status Form."
    ),
    RdaReason.TREATMENT_DISCONTINUED: (
        "Treatment was discontinued. The prescriber must enroll the patient again before "
        "clozapine can be dispensed."
    ),
    RdaReason.PSF_NOT_CURRENT: (
        "No Patient Status Form in the last 37 days. Ask the prescriber to submit a Patient "
        "Status Form; the pharmacy may be able to give a Dispense Rationale meanwhile."
    ),
    RdaReason.MISSING_LABS_NOT_AUTHORIZED: (
        "The latest Patient Status Form has missing labs that the prescriber has not "
        "authorized. Ask the prescriber to authorize continuing or send a complete form."
    ),
    RdaReason.TREATMENT_RATIONALE_REQUIRED: (
        "The most current ANC is below the acceptable range. Ask the prescriber for a "
        "Treatment Rationale on a Patient Status Form."
    ),
}


def offers_dispense_rationale(reasons: Iterable[RdaReason]) -> bool:
    """§10: a denial offers the Dispense Rationale when the Patient Status Form is the only
    failing check (the prescriber check plays no part: the pharmacist types the NPI)."""
    return set(reasons) - {RdaReason.PRESCRIBER_NOT_CERTIFIED} == {RdaReason.PSF_NOT_CURRENT}


class CheckOutcome(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    NOT_APPLICABLE = "not_applicable"  # e.g. PSF checks on a first dispense


@dataclass(frozen=True)
class RdaCheck:
    reason: RdaReason
    outcome: CheckOutcome

    @property
    def failed(self) -> bool:
        return self.outcome is CheckOutcome.FAILED


@dataclass(frozen=True)
class RdaDecision:
    """Every check with its outcome; `reasons` are the failed ones, in the table's order."""

    authorized: bool
    first_dispense: bool
    checks: tuple[RdaCheck, ...]
    as_of: date

    @property
    def reasons(self) -> tuple[RdaReason, ...]:
        return tuple(c.reason for c in self.checks if c.failed)


def evaluate_rda(
    facts: ProgramFacts,
    pharmacy_id: str,
    patient_id: str,
    prescriber_id: str | None,
    today: date,
) -> RdaDecision:
    """Run every check of rules.md §8 and report all that fail.

    `prescriber_id` None leaves the prescriber out (a Dispense Rationale's own evaluation).
    """
    checks: list[RdaCheck] = []

    def add(reason: RdaReason, ok: bool | None) -> None:
        outcome = (
            CheckOutcome.NOT_APPLICABLE
            if ok is None
            else (CheckOutcome.PASSED if ok else CheckOutcome.FAILED)
        )
        checks.append(RdaCheck(reason, outcome))

    pharmacy = facts.pharmacy(pharmacy_id)
    add(RdaReason.PHARMACY_NOT_CERTIFIED, standing(pharmacy, today) is PharmacyStanding.CERTIFIED)
    outpatient = pharmacy is None or pharmacy.setting is PharmacySetting.OUTPATIENT
    if outpatient and prescriber_id is not None:
        prescriber = facts.prescriber(prescriber_id)
        add(RdaReason.PRESCRIBER_NOT_CERTIFIED, prescriber is not None and prescriber.certified)
    else:
        add(RdaReason.PRESCRIBER_NOT_CERTIFIED, None)

    patient = facts.patient(patient_id)
    add(RdaReason.PATIENT_NOT_ENROLLED, patient is not None)
    patient_checks = (
        RdaReason.TREATMENT_INTERRUPTED,
        RdaReason.TREATMENT_DISCONTINUED,
        RdaReason.PSF_NOT_CURRENT,
        RdaReason.MISSING_LABS_NOT_AUTHORIZED,
        RdaReason.TREATMENT_RATIONALE_REQUIRED,
    )
    if patient is None:
        # When the patient is not enrolled, the patient-status checks are not reported.
        for reason in patient_checks:
            add(reason, None)
        return RdaDecision(False, True, tuple(checks), today)

    first = not facts.has_dispense_in_enrollment(patient.id, patient.enrollment_id)
    add(
        RdaReason.TREATMENT_INTERRUPTED, patient.treatment_status is not TreatmentStatus.INTERRUPTED
    )
    add(
        RdaReason.TREATMENT_DISCONTINUED,
        patient.treatment_status is not TreatmentStatus.DISCONTINUED,
    )
    if first:
        for reason in patient_checks[2:]:
            add(reason, None)
    else:
        psf = facts.latest_psf(patient.id)
        add(
            RdaReason.PSF_NOT_CURRENT,
            psf is not None and (today - psf.dated).days <= t.PSF_CURRENT_DAYS,
        )
        add(
            RdaReason.MISSING_LABS_NOT_AUTHORIZED,
            psf is None or not psf.labs_missing or psf.missing_labs_authorized,
        )
        current = facts.most_current_anc(patient.id)
        add(
            RdaReason.TREATMENT_RATIONALE_REQUIRED,
            current is None
            or is_acceptable(current.anc, patient.population)
            or covered_by_rationale(patient, current),
        )
    authorized = not any(c.failed for c in checks)
    return RdaDecision(authorized, first, tuple(checks), today)
