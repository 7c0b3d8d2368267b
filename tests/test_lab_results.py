"""What the desk would do with a lab's result (issue #18, the domain part): an ANC or not, a
status to record or hold, the value through R15's units only, the patient it names, and
nothing guessed."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from app.anc import Anc, Population
from app.lab_results import (
    LabResult,
    Outcome,
    Status,
    already_recorded,
    assess,
    match_patient,
    name_key,
    result_status,
)
from app.records import AncReport, Patient
from app.statuses import AncSource, MonitoringFrequency, TreatmentStatus

DRAWN = date(2026, 11, 30)
BASE = LabResult(
    patient_name="MARIA NUNEZ",
    dob=date(1980, 5, 17),
    code="751-8",
    value="1.9",
    unit="10*3/uL",
    collected=DRAWN,
    status="F",
    source="lab.hl7 message 1, OBX 2",
)


def patient(pid: str, name: str, dob: date = date(1980, 5, 17)) -> Patient:
    day = date(2026, 1, 5)
    return Patient(pid, name, dob, Population.GENERAL, False, "dr-kim",
                   TreatmentStatus.ENROLLED, 1, day, MonitoringFrequency.WEEKLY, day)  # fmt: skip


@pytest.mark.parametrize(
    ("value", "unit", "per_ul"),
    [
        ("1.9", "10*3/uL", 1900),
        ("1.9", "x10^9/L", 1900),
        ("1900", "/uL", 1900),
        ("2.45", "K/uL", 2450),
    ],
)
def test_a_final_anc_in_any_unit_of_r15_is_recorded_in_cells_per_ul(
    value: str, unit: str, per_ul: int
) -> None:
    seen = assess(replace(BASE, value=value, unit=unit))
    assert seen.outcome is Outcome.RECORD and seen.anc == Anc(per_ul)
    assert seen.entered is not None and seen.entered.as_entered == value  # kept as the lab sent it


def test_a_neutrophil_percentage_is_refused_never_converted() -> None:
    seen = assess(replace(BASE, code="770-8", value="62", unit="%"))
    assert seen.outcome is Outcome.REFUSE and seen.anc is None
    assert "percentage, not an absolute count" in seen.reason


def test_a_unit_outside_r15_is_refused_with_the_reason() -> None:
    seen = assess(replace(BASE, unit="g/L"))
    assert seen.outcome is Outcome.REFUSE
    assert "g/L" in seen.reason


def test_another_test_is_refused_unless_the_lab_code_is_mapped() -> None:
    local = replace(BASE, code="ANCX")
    assert assess(local).outcome is Outcome.REFUSE
    assert "map it once" in assess(local).reason
    assert assess(local, {"ANCX": "751-8"}).outcome is Outcome.RECORD


def test_preliminary_is_held_corrected_recorded_cancelled_refused() -> None:
    assert assess(replace(BASE, status="P")).outcome is Outcome.HOLD
    corrected = assess(replace(BASE, status="C", replaces="ACC-1"))
    assert corrected.outcome is Outcome.RECORD and "corrected" in corrected.reason
    assert assess(replace(BASE, status="final")).outcome is Outcome.RECORD  # FHIR's words
    assert assess(replace(BASE, status="X")).outcome is Outcome.REFUSE
    assert result_status("entered-in-error") is Status.NOT_A_RESULT
    assert result_status("amended") is Status.CORRECTED


def test_a_result_without_a_draw_date_is_refused() -> None:
    seen = assess(replace(BASE, collected=None))
    assert seen.outcome is Outcome.REFUSE and "collection date" in seen.reason


def test_names_match_whatever_the_case_accents_punctuation_and_order() -> None:
    assert name_key("NUNEZ, MARIA") == name_key("María Núñez") == name_key("maria  nunez")
    assert name_key("O'CONNOR^JAMES") == name_key("James OConnor")
    assert name_key("NUNEZ^MARIA^E") == name_key("María Núñez")  # a middle initial


def test_patients_who_differ_by_an_initial_only_wait_for_a_person() -> None:
    ours = [patient("p-1", "Maria E. Nunez"), patient("p-2", "Maria A. Nunez")]
    found = match_patient(replace(BASE, patient_name="MARIA NUNEZ"), ours)
    assert found.patient is None and len(found.candidates) == 2


def test_the_one_patient_with_that_name_and_birth_date_is_matched() -> None:
    ours = [patient("p-1", "María Núñez"), patient("p-2", "Maria Nunez", date(1981, 5, 17))]
    found = match_patient(BASE, ours)
    assert found.patient is not None and found.patient.id == "p-1"


def test_two_patients_with_one_name_and_birth_date_wait_for_a_person() -> None:
    ours = [patient("p-1", "Maria Nunez"), patient("p-2", "María Núñez")]
    found = match_patient(BASE, ours)
    assert found.patient is None and {p.id for p in found.candidates} == {"p-1", "p-2"}
    assert "choose one" in found.reason


def test_an_unknown_patient_or_a_near_name_is_never_guessed() -> None:
    assert match_patient(BASE, [patient("p-1", "Ana Ruiz")]).patient is None
    near = match_patient(BASE, [patient("p-1", "Maria Elena Nunez")])
    assert near.patient is None and [p.id for p in near.candidates] == ["p-1"]
    assert match_patient(replace(BASE, dob=None), [patient("p-1", "Maria Nunez")]).patient is None


def test_the_same_draw_and_value_already_on_the_workstation_is_a_duplicate() -> None:
    recorded = [AncReport("p-1", Anc(1900), DRAWN, DRAWN, AncSource.ADD_ANC, "dr-kim")]
    assert already_recorded(Anc(1900), DRAWN, recorded)
    assert not already_recorded(Anc(1800), DRAWN, recorded)
    assert not already_recorded(Anc(1900), date(2026, 11, 23), recorded)
