"""Who reaches which patient, as the registry asks app/ (app.use_cases.scope): a pharmacy
acts on a patient only once it found them, an office sees its own list, the program sees
everyone and is audited; and who may invite whom or certify by the assessment
(app.use_cases.participants). Each refusal is the §12 code with what to do."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from functools import partial

import pytest

from app.anc import Population
from app.clock import FixedClock
from app.errors import ErrorCode, RemsError
from app.in_memory import InMemoryLedger
from app.patient_identity import match_name
from app.program import Program
from app.records import Account, Patient
from app.roles import Role
from app.statuses import MonitoringFrequency, PharmacySetting, TreatmentStatus
from app.use_cases import scope


class RegistryLedger(InMemoryLedger):
    """The in-memory facts plus what only a registry keeps: who found which patient."""

    def __init__(self) -> None:
        super().__init__()
        self.found: set[tuple[str, str]] = set()

    def find_patients(self, name: str, dob: date) -> Sequence[Patient]:
        return [
            p for p in self.patients() if match_name(p.name) == match_name(name) and p.dob == dob
        ]

    def pharmacy_sees(self, pharmacy_id: str, patient_id: str) -> bool:
        return (pharmacy_id, patient_id) in self.found

    def grant_pharmacy_access(self, pharmacy_id: str, patient_id: str) -> None:
        self.found.add((pharmacy_id, patient_id))


def _patient(patient_id: str, name: str, prescriber_id: str | None) -> Patient:
    return Patient(
        id=patient_id,
        name=name,
        dob=date(1980, 1, 1),
        population=Population.GENERAL,
        hospice=False,
        prescriber_id=prescriber_id,
        treatment_status=TreatmentStatus.ENROLLED,
        enrollment_id=1,
        enrolled_on=date(2024, 1, 2),
        monitoring=MonitoringFrequency.WEEKLY,
        monitoring_clock_start=date(2024, 1, 2),
    )


@pytest.fixture
def registry(clock: FixedClock) -> Program:
    program = Program(RegistryLedger(), clock)
    program.certify_prescriber("dr", "1234567893", "Dr. A")
    program.register_prescriber("dr_new", "1234567893", "Dr. Not Yet")
    program.add_designee("dr", "des")
    program.certify_pharmacy("rx", PharmacySetting.OUTPATIENT, "ar")
    program.certify_pharmacy("rx2", PharmacySetting.OUTPATIENT, "ar2")
    program.add_pharmacy_staff("rx", "staff", "ar")
    program.add_account("ws", Role.WHOLESALER)
    program.add_account("op", Role.PROGRAM_OPERATOR)
    program.ledger.save_patient(_patient("p1", "José Núñez", "dr"))
    program.ledger.save_patient(_patient("p2", "Linh Tran", "dr_other"))
    return program


def _ledger(program: Program) -> RegistryLedger:
    assert isinstance(program.ledger, RegistryLedger)
    return program.ledger


def _account(program: Program, account_id: str) -> Account:
    account = program.ledger.account(account_id)
    assert account is not None
    return account


def _refusal(call: Callable[[], object]) -> RemsError:
    with pytest.raises(RemsError) as refused:
        call()
    return refused.value


# A pharmacy's scope: look the patient up first, or name them in the request
def test_a_pharmacy_that_never_found_the_patient_is_told_to_look_them_up(
    registry: Program,
) -> None:
    ledger, ar = _ledger(registry), _account(registry, "ar")
    refused = _refusal(lambda: scope.check_pharmacy_may_act_on(ledger, ar, "p1", None, None))
    assert refused.code is ErrorCode.NOT_PERMITTED
    assert "Look the patient up by name and date of birth" in refused.message
    assert ledger.found == set(), "a refused request finds no one"


def test_a_request_naming_the_patient_counts_as_the_look_up(registry: Program) -> None:
    ledger, staff = _ledger(registry), _account(registry, "staff")
    # Spelled as the prescription has it: case, accents and spaces do not matter.
    scope.check_pharmacy_may_act_on(ledger, staff, "p1", "  jose  NUNEZ ", "1980-01-01")
    # The pharmacy (not only this person) reaches the chart from then on.
    assert scope.check_may_see_patient(ledger, _account(registry, "ar"), "p1").name == "José Núñez"
    # Another pharmacy's look-up is its own.
    refused = _refusal(lambda: scope.check_may_see_patient(ledger, _account(registry, "ar2"), "p1"))
    assert refused.code is ErrorCode.NOT_PERMITTED


def test_a_request_with_another_date_of_birth_is_refused(registry: Program) -> None:
    ledger, ar = _ledger(registry), _account(registry, "ar")
    refused = _refusal(
        lambda: scope.check_pharmacy_may_act_on(ledger, ar, "p1", "José Núñez", "1980-01-02")
    )
    assert refused.code is ErrorCode.NOT_PERMITTED
    assert ledger.found == set()


def test_an_unknown_patient_is_left_to_the_act_and_offices_are_not_limited_here(
    registry: Program,
) -> None:
    ledger = _ledger(registry)
    scope.check_pharmacy_may_act_on(ledger, _account(registry, "ar"), "nobody", None, None)
    # An office's acts check its own list (patient_in_scope), not a pharmacy's look-ups.
    scope.check_pharmacy_may_act_on(ledger, _account(registry, "des"), "p2", None, None)
    assert ledger.found == set()


# Reading a chart
def test_an_office_reads_its_own_prescribers_patients_only(registry: Program) -> None:
    ledger, designee = _ledger(registry), _account(registry, "des")
    assert scope.check_may_see_patient(ledger, designee, "p1").id == "p1"
    refused = _refusal(lambda: scope.check_may_see_patient(ledger, designee, "p2"))
    assert refused.code is ErrorCode.NOT_PERMITTED
    assert "offices see their own prescriber's patients" in refused.message


def test_an_unknown_patient_is_unknown_before_it_is_out_of_scope(registry: Program) -> None:
    refused = _refusal(
        lambda: scope.check_may_see_patient(_ledger(registry), _account(registry, "ws"), "nobody")
    )
    assert refused.code is ErrorCode.UNKNOWN_PATIENT


def test_the_program_reads_every_chart_and_a_wholesaler_none(registry: Program) -> None:
    ledger = _ledger(registry)
    assert scope.check_may_see_patient(ledger, _account(registry, "op"), "p2").id == "p2"
    refused = _refusal(lambda: scope.check_may_see_patient(ledger, _account(registry, "ws"), "p1"))
    assert refused.code is ErrorCode.NOT_PERMITTED


# What each account reads, and whose reads are audited
def test_what_each_account_reads(registry: Program) -> None:
    def sight(account_id: str) -> scope.Sight:
        return scope.sight_of(_account(registry, account_id))

    assert sight("des") == scope.Sight(prescriber_id="dr", pharmacy_list=True)
    assert sight("staff") == scope.Sight(pharmacy_id="rx", pharmacy_list=True, prescriber_list=True)
    assert sight("ws") == scope.Sight(pharmacy_list=True)
    assert sight("op").every_patient and sight("op").audited
    assert not any(sight(a).audited for a in ("dr", "des", "ar", "staff", "ws"))


# Looking a patient up
def test_a_pharmacy_finds_a_patient_by_name_and_date_of_birth_and_then_reaches_them(
    registry: Program,
) -> None:
    ledger, ar = _ledger(registry), _account(registry, "ar")
    found = scope.look_up_patients(ledger, ar, "jose nunez", "1980-01-01")
    assert [p.id for p in found] == ["p1"]
    assert scope.check_may_see_patient(ledger, ar, "p1").id == "p1"
    assert scope.look_up_patients(ledger, ar, "Jose Nunez", "1980-01-02") == []


def test_an_office_cannot_look_patients_up_and_a_bad_date_says_how_to_write_it(
    registry: Program,
) -> None:
    ledger = _ledger(registry)
    office = _refusal(
        lambda: scope.look_up_patients(ledger, _account(registry, "dr"), "Linh Tran", "1980-01-01")
    )
    assert office.code is ErrorCode.NOT_PERMITTED
    assert "for pharmacies" in office.message
    bad = _refusal(
        lambda: scope.look_up_patients(ledger, _account(registry, "ar"), "Linh Tran", "01/01/1980")
    )
    assert bad.code is ErrorCode.INVALID_DATE
    assert "YYYY-MM-DD" in bad.message


# Invitations and the knowledge assessment
def test_who_may_invite_whom(registry: Program) -> None:
    assert registry.check_may_invite("dr", Role.DESIGNEE).prescriber_id == "dr"
    assert registry.check_may_invite("ar", Role.PHARMACY_STAFF).pharmacy_id == "rx"
    assert registry.check_may_invite("op", Role.PHARMACY_AR, "rx2").pharmacy_id == "rx2"
    assert _refusal(lambda: registry.check_may_invite("des", Role.DESIGNEE)).code is (
        ErrorCode.NOT_PERMITTED
    )
    assert _refusal(lambda: registry.check_may_invite("dr_new", Role.DESIGNEE)).code is (
        ErrorCode.NOT_CERTIFIED
    )
    assert _refusal(lambda: registry.check_may_invite("staff", Role.PHARMACY_STAFF)).code is (
        ErrorCode.NOT_PERMITTED
    )
    by_ar = _refusal(lambda: registry.check_may_invite("ar", Role.PHARMACY_AR, "rx"))
    assert (by_ar.code, "Contact Center" in by_ar.message) == (ErrorCode.NOT_PERMITTED, True)
    no_such = _refusal(lambda: registry.check_may_invite("op", Role.PHARMACY_AR, "rx-none"))
    assert "No pharmacy with this id" in no_such.message


def test_an_accepted_invitation_makes_the_account_it_named(registry: Program) -> None:
    designee = registry.join_by_invitation(
        Role.DESIGNEE, "des2", "Sam", registry.check_may_invite("dr", Role.DESIGNEE), "dr"
    )
    assert (designee.role, designee.prescriber_id) == (Role.DESIGNEE, "dr")
    invitation = registry.check_may_invite("op", Role.PHARMACY_AR, "rx2")
    new_ar = registry.join_by_invitation(Role.PHARMACY_AR, "ar3", "Lena", invitation, "op")
    assert (new_ar.role, new_ar.pharmacy_id) == (Role.PHARMACY_AR, "rx2")
    # Invited, not yet certified: they do not act for the pharmacy until they pass.
    assert registry.ledger.pharmacy("rx2").ar_account_id == "ar2"  # type: ignore[union-attr]


def test_the_assessment_certifies_prescribers_and_pharmacies_only(registry: Program) -> None:
    prescriber = registry.certify_by_assessment("dr_new")
    assert registry.ledger.prescriber("dr_new").certified  # type: ignore[union-attr]
    assert prescriber.id == "dr_new"
    for account_id in ("des", "staff", "ws", "op"):
        refused = _refusal(partial(registry.certify_by_assessment, account_id))
        assert refused.code is ErrorCode.NOT_PERMITTED
        assert "for prescribers and pharmacies' Authorized Representatives" in refused.message
    # An AR cannot certify a pharmacy someone else represents.
    assert _refusal(lambda: registry.certify_by_assessment("ar", "rx2")).code is (
        ErrorCode.NOT_PERMITTED
    )
