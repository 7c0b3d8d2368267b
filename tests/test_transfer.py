"""A transfer (rules.md §13 R1, R4): what the form may not change, and what is not compared."""

from __future__ import annotations

from datetime import date

import pytest

from app.anc import Population
from app.clock import FixedClock
from app.entered_anc import EnteredAnc
from app.errors import ErrorCode, RemsError
from app.program import Program
from app.statuses import MonitoringFrequency
from app.use_cases.enrollment import EnrollmentForm


@pytest.fixture
def two_offices(program: Program, clock: FixedClock) -> Program:
    program.certify_prescriber("dr_a", "1234567893", "Dr. A")
    program.certify_prescriber("dr_b", "1558598797", "Dr. B")
    program.add_designee("dr_b", "des_b")
    program.enroll_patient(
        "dr_a",
        EnrollmentForm("p1", "José Núñez", "1980-01-01", Population.GENERAL,
                       (EnteredAnc(2100, "2024-01-01"),),
                       monitoring=MonitoringFrequency.EVERY_2_WEEKS),
    )  # fmt: skip
    clock.set(date(2024, 1, 10))
    return program


def test_a_transfer_form_changes_neither_flags_nor_monitoring_and_adds_no_psf(
    two_offices: Program,
) -> None:
    # A designee may not set BEN or hospice; on a transfer the form's flags are not set at all.
    result = two_offices.enroll_patient(
        "des_b",
        EnrollmentForm("p1", "Jose Nunez", "1980-01-01", Population.BEN,
                       (EnteredAnc(1900, "2024-01-09"),), hospice=True),
    )  # fmt: skip
    patient = two_offices.ledger.patient("p1")
    assert result.transfer and patient is not None
    assert (patient.prescriber_id, patient.population, patient.hospice) == (
        "dr_b",
        Population.GENERAL,
        False,
    )
    assert patient.monitoring is MonitoringFrequency.EVERY_2_WEEKS
    assert [p.dated for p in two_offices.ledger.psfs("p1")] == [date(2024, 1, 2)]


def test_a_transfer_with_another_date_of_birth_is_refused_before_its_missing_anc(
    two_offices: Program,
) -> None:
    form = EnrollmentForm("p1", "José Núñez", "1980-10-01", Population.GENERAL, ())
    with pytest.raises(RemsError) as refused:
        two_offices.enroll_patient("dr_b", form)
    assert refused.value.code is ErrorCode.PATIENT_MISMATCH
    patient = two_offices.ledger.patient("p1")
    assert patient is not None and patient.prescriber_id == "dr_a"
