"""The Dispense Rationale: a pharmacy bridges a missing PSF with a current ANC (rules.md §10)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from app import thresholds as t
from app.anc import is_acceptable
from app.entered_anc import EnteredAnc
from app.errors import DEFAULT_MESSAGES, ErrorCode, RemsError
from app.identifiers import validate_npi
from app.ports import ProgramFacts, ProgramLedger
from app.rda import evaluate_rda, offers_dispense_rationale
from app.records import Dispense
from app.roles import Action
from app.statuses import AncSource, DispenseVia, PharmacySetting, TreatmentStatus
from app.use_cases.access import pharmacy_actor
from app.use_cases.entries import validate_anc_entry
from app.use_cases.patient_changes import PatientChanges


@dataclass(frozen=True)
class DispenseRationaleResult:
    """The answer. `refusal` None means authorized; `anc_recorded` says whether the ANC
    entered was kept (it is, once the request applies and the NPI and ANC are valid)."""

    refusal: ErrorCode | None
    message: str
    anc_recorded: bool
    treatment_status: TreatmentStatus | None
    rationales_used: int

    @property
    def authorized(self) -> bool:
        return self.refusal is None


def dispense_rationales_used(facts: ProgramFacts, patient_id: str, today: date) -> int:
    """Outpatient Dispense Rationales for the patient in the 365 days up to today [D]."""
    since = today - timedelta(days=t.DISPENSE_RATIONALE_WINDOW_DAYS - 1)
    return facts.outpatient_dispense_rationales_since(patient_id, since)


def is_applicable(facts: ProgramFacts, pharmacy_id: str, patient_id: str, today: date) -> bool:
    """Offered only when an RDA would be denied for PSF_NOT_CURRENT alone (prescriber aside)."""
    return offers_dispense_rationale(
        evaluate_rda(facts, pharmacy_id, patient_id, None, today).reasons
    )


def submit_dispense_rationale(
    ledger: ProgramLedger,
    today: date,
    actor_id: str,
    pharmacy_id: str,
    patient_id: str,
    npi: str,
    anc: EnteredAnc,
) -> DispenseRationaleResult:
    """Checks in order, the first failure is the answer: not applicable, NPI, ANC validity,
    ANC current, ANC acceptable, the outpatient limit. Refusals before the ANC is known to be
    valid raise; later ones are answers, with the ANC recorded."""
    _, pharmacy = pharmacy_actor(
        ledger, actor_id, pharmacy_id, Action.REQUEST_RDA, Action.REPORT_ANC_WITH_PHARMACY_REQUEST
    )
    patient = ledger.patient(patient_id)
    if patient is None or not is_applicable(ledger, pharmacy_id, patient_id, today):
        raise RemsError(ErrorCode.DISPENSE_RATIONALE_NOT_APPLICABLE)
    valid_npi = validate_npi(npi)
    valid = validate_anc_entry(anc, today, patient.dob)

    changes = PatientChanges(ledger, patient, today, actor_id)
    changes.report_anc(valid, AncSource.DISPENSE_RATIONALE)
    changes.commit()
    status = changes.patient.treatment_status
    outpatient = pharmacy.setting is PharmacySetting.OUTPATIENT
    used = dispense_rationales_used(ledger, patient_id, today)

    window = t.DISPENSE_RATIONALE_ANC_CURRENT_DAYS[patient.monitoring.value]
    refusal: ErrorCode | None = None
    message = ""
    if (today - valid.drawn).days > window:
        refusal = ErrorCode.ANC_NOT_CURRENT
        message = (
            f"The ANC was drawn {(today - valid.drawn).days} days ago; for "
            f"{patient.monitoring.label.lower()} monitoring it must be drawn within {window} "
            "days. The ANC was recorded. Use a more recent ANC."
        )
    elif not is_acceptable(valid.anc, patient.population):
        refusal = ErrorCode.ANC_NOT_ACCEPTABLE
    elif outpatient and used >= t.OUTPATIENT_DISPENSE_RATIONALE_LIMIT:
        refusal = ErrorCode.DISPENSE_RATIONALE_LIMIT_REACHED
        message = (
            f"{used} of {t.OUTPATIENT_DISPENSE_RATIONALE_LIMIT} Dispense Rationales used in "
            "the last 365 days. The ANC was recorded. Ask the prescriber to submit a Patient "
            "Status Form."
        )
    if refusal is not None:
        return DispenseRationaleResult(
            refusal, message or DEFAULT_MESSAGES[refusal], True, status, used
        )
    ledger.add_dispense(
        Dispense(
            patient_id=patient_id,
            pharmacy_id=pharmacy_id,
            pharmacy_setting=pharmacy.setting,
            on=today,
            enrollment_id=patient.enrollment_id,
            via=DispenseVia.DISPENSE_RATIONALE,
            requested_by=actor_id,
            prescriber_npi=valid_npi,
        )
    )
    used_now = used + 1 if outpatient else used
    return DispenseRationaleResult(
        None, "Dispense authorized by Dispense Rationale.", True, status, used_now
    )
