"""Use cases as the office and the pharmacy meet them: what is recorded, what is refused."""

from __future__ import annotations

from datetime import date

import pytest

from app.anc import Population
from app.clock import FixedClock
from app.entered_anc import EnteredAnc
from app.errors import ErrorCode, RemsError
from app.in_memory import InMemoryLedger
from app.program import Program
from app.psf import PsfSubmission
from app.rda import CheckOutcome, RdaReason
from app.statuses import MonitoringFrequency, PharmacySetting, TreatmentStatus
from app.use_cases.enrollment import EnrollmentForm


@pytest.fixture
def clinic(program: Program, clock: FixedClock) -> Program:
    program.certify_prescriber("dr", "1234567893", "Dr. A")
    program.add_designee("dr", "des")
    program.certify_pharmacy("rx", PharmacySetting.OUTPATIENT, "ar")
    program.enroll_patient(
        "dr",
        EnrollmentForm("p1", "José Núñez", "1980-01-01", Population.GENERAL,
                       (EnteredAnc(2100, "2024-01-01"),)),
    )  # fmt: skip
    return program


def test_a_refused_psf_records_nothing(clinic: Program, clock: FixedClock) -> None:
    ledger = clinic.ledger
    assert isinstance(ledger, InMemoryLedger)
    clock.set(date(2024, 1, 10))
    clinic.report_anc("des", "p1", EnteredAnc(400, "2024-01-10"))
    before = (len(ledger.anc_history("p1")), len(ledger.psfs("p1")), ledger.patient("p1"))
    with pytest.raises(RemsError) as refused:
        clinic.submit_psf(
            "dr",  # the prescriber: a designee's rechallenge needs a signature first (R12)
            PsfSubmission(
                "p1",
                MonitoringFrequency.WEEKLY,
                (EnteredAnc(450, "2024-01-09"),),
                treatment_status=TreatmentStatus.ENROLLED,
            ),
        )
    assert refused.value.code is ErrorCode.TREATMENT_RATIONALE_REQUIRED
    assert "Treatment Rationale" in refused.value.message
    after = (len(ledger.anc_history("p1")), len(ledger.psfs("p1")), ledger.patient("p1"))
    assert after == before


def test_a_denied_preview_reports_every_check_with_who_must_act(
    clinic: Program, clock: FixedClock
) -> None:
    clinic.request_rda("ar", "rx", "p1", "dr")  # the first dispense
    clock.set(date(2024, 2, 20))
    decision = clinic.preview_rda("rx", "p1", "dr")
    assert not decision.authorized
    assert decision.reasons == (RdaReason.PSF_NOT_CURRENT,)
    outcomes = {c.reason: c.outcome for c in decision.checks}
    assert outcomes[RdaReason.PHARMACY_NOT_CERTIFIED] is CheckOutcome.PASSED
    assert outcomes[RdaReason.PSF_NOT_CURRENT] is CheckOutcome.FAILED
    assert "Ask the prescriber" in RdaReason.PSF_NOT_CURRENT.message
    # A preview records nothing: asking again gives the same answer.
    assert clinic.preview_rda("rx", "p1", "dr") == decision


def test_every_rda_reason_has_a_message_naming_who_must_act() -> None:
    actors = ("prescriber", "Authorized Representative", "Contact the prescriber")
    for reason in RdaReason:
        assert any(a in reason.message for a in actors), reason
        assert reason.failure and reason.check


def test_dispense_rationale_refusal_after_the_anc_is_valid_keeps_the_anc(
    clinic: Program, clock: FixedClock
) -> None:
    clinic.request_rda("ar", "rx", "p1", "dr")
    clock.set(date(2024, 2, 20))
    result = clinic.submit_dispense_rationale(
        "ar", "rx", "p1", "1234567893", EnteredAnc(2000, "2024-02-01")
    )
    assert result.refusal is ErrorCode.ANC_NOT_CURRENT and result.anc_recorded
    assert "19 days ago" in result.message
    assert clinic.ledger.most_current_anc("p1") is not None
    assert clinic.ledger.most_current_anc("p1").drawn == date(2024, 2, 1)  # type: ignore[union-attr]


def test_a_pharmacy_cannot_add_an_anc_on_its_own(clinic: Program) -> None:
    with pytest.raises(RemsError) as refused:
        clinic.report_anc("ar", "p1", EnteredAnc(2000, "2024-01-02"))
    assert refused.value.code is ErrorCode.NOT_PERMITTED


def test_future_draw_dates_and_draws_before_birth_are_refused(clinic: Program) -> None:
    for drawn in ("2024-01-03", "1979-12-31", "not a date"):
        with pytest.raises(RemsError) as refused:
            clinic.report_anc("des", "p1", EnteredAnc(2000, drawn))
        assert refused.value.code is ErrorCode.INVALID_DATE


def test_summary_flags_an_overdue_anc_and_the_psf_due_date(
    clinic: Program, clock: FixedClock
) -> None:
    clock.set(date(2024, 1, 20))
    summary = clinic.patient_summary("p1")
    assert summary.next_anc_due == date(2024, 1, 8)
    assert summary.anc_overdue
    assert summary.psf_due == date(2024, 2, 8)
    assert summary.name == "José Núñez"
