"""The treatment status machine (rules.md §3): what a reported ANC or a PSF does to it."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from app import thresholds as t
from app.anc import is_acceptable
from app.errors import ErrorCode, RuleRefused
from app.records import AncReport, Interruption, Patient
from app.statuses import TreatmentStatus


@dataclass(frozen=True)
class Transition:
    """A status change and why, for the patient's history."""

    from_status: TreatmentStatus | None  # None: a new enrollment
    to_status: TreatmentStatus
    reason: str


def covered_by_rationale(patient: Patient, report: AncReport) -> bool:
    """rules.md §13 R6: a Treatment Rationale covers the ANCs reported up to and including
    its own PSF (the ones the prescriber could see), whatever their draw dates; one reported
    later interrupts again. [D] By day: an ANC reported on the PSF's own date is covered."""
    through = patient.rationale_through
    return through is not None and report.reported_on <= through


def resume_is_rechallenge(patient: Patient) -> bool:
    """rules.md §13 R12: resuming a patient whose current interruption included a severe ANC
    is a rechallenge, which only the prescriber may do."""
    interruption = patient.interruption
    return (
        patient.treatment_status is TreatmentStatus.INTERRUPTED
        and interruption is not None
        and interruption.severe
    )


def after_reported_anc(
    patient: Patient, report: AncReport, today: date
) -> tuple[Patient, Transition | None]:
    """Any reported ANC below the acceptable range interrupts an enrolled patient, unless a
    Treatment Rationale covers it. A discontinued patient's ANC is recorded and changes nothing.
    """
    acceptable = is_acceptable(report.anc, patient.population)
    severe = report.anc.per_ul < t.SEVERE_BELOW
    status = patient.treatment_status
    if status is TreatmentStatus.ENROLLED and not acceptable:
        if covered_by_rationale(patient, report):
            return patient, None
        interrupted = replace(
            patient,
            treatment_status=TreatmentStatus.INTERRUPTED,
            interruption=Interruption(since=today, severe=severe),
        )
        reason = f"ANC {report.anc} drawn {report.drawn.isoformat()} is below the acceptable range"
        return interrupted, Transition(status, TreatmentStatus.INTERRUPTED, reason)
    if status is TreatmentStatus.INTERRUPTED and severe and patient.interruption is not None:
        return replace(patient, interruption=replace(patient.interruption, severe=True)), None
    return patient, None


def resume(
    patient: Patient,
    most_current: AncReport | None,
    with_rationale: bool,
    today: date,
) -> tuple[Patient, Transition]:
    """Resume an interrupted patient, or refuse with TREATMENT_RATIONALE_REQUIRED.

    [D] A resume after 30 days or more of interruption, or after a severe ANC (rechallenge),
    restarts the monitoring clock as a new patient.
    """
    acceptable = most_current is not None and is_acceptable(most_current.anc, patient.population)
    if not acceptable and not with_rationale:
        raise RuleRefused(ErrorCode.TREATMENT_RATIONALE_REQUIRED)
    clock_start = patient.monitoring_clock_start
    interruption = patient.interruption
    restarts = interruption is not None and (
        interruption.severe or (today - interruption.since).days >= t.LONG_INTERRUPTION_DAYS
    )
    if restarts:
        clock_start = today
    resumed = replace(
        patient,
        treatment_status=TreatmentStatus.ENROLLED,
        interruption=None,
        monitoring_clock_start=clock_start,
    )
    reason = "resumed with a Treatment Rationale" if not acceptable else "resumed"
    if restarts:
        reason += "; monitoring restarts as for a new patient"
    return resumed, Transition(TreatmentStatus.INTERRUPTED, TreatmentStatus.ENROLLED, reason)


def interrupt(patient: Patient, today: date) -> tuple[Patient, Transition]:
    """The prescriber's office interrupts treatment on a PSF."""
    changed = replace(
        patient,
        treatment_status=TreatmentStatus.INTERRUPTED,
        interruption=Interruption(since=today, severe=False),
    )
    return changed, Transition(
        patient.treatment_status, TreatmentStatus.INTERRUPTED, "interrupted on a PSF"
    )


def discontinue(patient: Patient) -> tuple[Patient, Transition]:
    """The prescriber's office discontinues treatment on a PSF; only a new enrollment undoes it."""
    changed = replace(patient, treatment_status=TreatmentStatus.DISCONTINUED, interruption=None)
    return changed, Transition(
        patient.treatment_status, TreatmentStatus.DISCONTINUED, "discontinued on a PSF"
    )
