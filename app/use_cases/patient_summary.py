"""What the office, the pharmacy and the roster see about one patient."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.anc import AncCategory, Population, categorize
from app.errors import ErrorCode, RemsError
from app.follow_up import confirmation_words, rechallenge_words
from app.monitoring import first_low_to_confirm, next_anc_due_for, recommended_monitoring
from app.ports import ProgramFacts
from app.psf import psf_due_date
from app.records import AncReport
from app.roles import Role
from app.statuses import MonitoringFrequency, RecommendedMonitoring, TreatmentStatus
from app.treatment import resume_is_rechallenge
from app.use_cases.dispense_rationale import dispense_rationales_used


@dataclass(frozen=True)
class PatientSummary:
    patient_id: str
    name: str
    dob: date
    population: Population
    hospice: bool
    prescriber_id: str | None
    treatment_status: TreatmentStatus
    monitoring: MonitoringFrequency
    latest_anc: AncReport | None
    latest_category: AncCategory | None
    recommended_monitoring: RecommendedMonitoring
    next_anc_due: date | None
    confirm_low_anc: bool  # R14: the next ANC confirms a first low one, within 24 hours
    rechallenge: bool  # R12: resuming this interrupted patient is the prescriber's alone
    anc_overdue: bool
    psf_due: date | None
    dispense_rationales_used: int
    as_of: date


def summarize_patient(facts: ProgramFacts, patient_id: str, today: date) -> PatientSummary:
    patient = facts.patient(patient_id)
    if patient is None:
        raise RemsError(ErrorCode.UNKNOWN_PATIENT)
    history = facts.anc_history(patient_id)
    latest = history[-1] if history else None
    recommended = recommended_monitoring(
        patient.population, history, patient.monitoring_clock_start, today
    )
    due = next_anc_due_for(patient.population, history, recommended)
    psf = facts.latest_psf(patient_id)
    return PatientSummary(
        patient_id=patient.id,
        name=patient.name,
        dob=patient.dob,
        population=patient.population,
        hospice=patient.hospice,
        prescriber_id=patient.prescriber_id,
        treatment_status=patient.treatment_status,
        monitoring=patient.monitoring,
        latest_anc=latest,
        latest_category=categorize(latest.anc, patient.population) if latest else None,
        recommended_monitoring=recommended,
        next_anc_due=due,
        confirm_low_anc=first_low_to_confirm(patient.population, history),
        rechallenge=resume_is_rechallenge(patient),
        anc_overdue=due is not None and due < today,
        psf_due=psf_due_date(psf.dated) if psf else None,
        dispense_rationales_used=dispense_rationales_used(facts, patient_id, today),
        as_of=today,
    )


def confirmation_of(summary: PatientSummary) -> str | None:
    """R14's sentence for this patient ("Confirm the first low ANC within 24 hours: …"), or
    None when no first low ANC awaits its confirmation."""
    latest, due = summary.latest_anc, summary.next_anc_due
    if not summary.confirm_low_anc or latest is None or due is None:
        return None
    return confirmation_words(latest.anc.per_ul, latest.drawn, due, summary.as_of)


def follow_up_words(summary: PatientSummary, reader: Role) -> list[str]:
    """What the chart and the PSF editor say beyond the routine, for this reader: the first
    low ANC to confirm within 24 hours (R14), who may resume after a severe ANC (R12)."""
    confirmation = confirmation_of(summary)
    words = [confirmation] if confirmation else []
    if summary.rechallenge:
        words.append(rechallenge_words(reader))
    return words
