"""Who acts for a pharmacy and when it is certified (rules.md §9, §13 R17, R19): the edges
scenario 38 does not reach."""

from __future__ import annotations

from datetime import date

import pytest

from app.anc import Population
from app.clock import FixedClock
from app.entered_anc import EnteredAnc
from app.errors import ErrorCode, RemsError
from app.program import Program
from app.records import Account
from app.roles import Role
from app.statuses import PharmacySetting
from app.use_cases.enrollment import EnrollmentForm

OUT = PharmacySetting.OUTPATIENT


@pytest.fixture
def clinic(program: Program) -> Program:
    program.certify_prescriber("dr", "1234567893")
    program.enroll_patient(
        "dr",
        EnrollmentForm("p1", "Ana Ruiz", "1980-01-01", Population.GENERAL,
                       (EnteredAnc(2100, "2024-01-01"),)),
    )  # fmt: skip
    return program


def _refused(call: object, *args: object) -> ErrorCode:
    assert callable(call)
    with pytest.raises(RemsError) as refused:
        call(*args)
    return refused.value.code


def test_an_invited_ar_acts_only_once_certified_and_the_old_one_stops(clinic: Program) -> None:
    clinic.certify_pharmacy("rx", OUT, "ar_old")
    # What the registry saves when the Contact Center's invitation is accepted.
    clinic.ledger.save_account(Account("ar_new", Role.PHARMACY_AR, pharmacy_id="rx"))
    assert _refused(clinic.request_rda, "ar_new", "rx", "p1", "dr") is ErrorCode.NOT_PERMITTED
    assert _refused(clinic.add_pharmacy_staff, "rx", "s1", "ar_new") is ErrorCode.NOT_PERMITTED

    clinic.certify_as_representative("ar_new", "rx")
    assert clinic.request_rda("ar_new", "rx", "p1", "dr").authorized
    assert _refused(clinic.request_rda, "ar_old", "rx", "p1", "dr") is ErrorCode.NOT_PERMITTED


def test_a_refused_certification_changes_no_one(clinic: Program) -> None:
    clinic.certify_pharmacy("rx", OUT, "ar")
    before = (clinic.ledger.pharmacy("rx"), clinic.ledger.account("dr"))
    # A prescriber's account cannot become an AR (one account, one role).
    assert _refused(clinic.certify_pharmacy, "rx", OUT, "dr") is ErrorCode.NOT_PERMITTED
    assert (clinic.ledger.pharmacy("rx"), clinic.ledger.account("dr")) == before
    assert clinic.request_rda("ar", "rx", "p1", "dr").authorized


def test_no_ar_certifies_a_pharmacy_that_is_not_theirs(clinic: Program) -> None:
    clinic.certify_pharmacy("rx", OUT, "ar")
    clinic.certify_pharmacy("other", OUT, "ar_other")
    assert _refused(clinic.certify_as_representative, "ar_other", "rx") is ErrorCode.NOT_PERMITTED
    assert clinic.request_rda("ar", "rx", "p1", "dr").authorized


def test_a_chain_ar_keeps_every_pharmacy_and_its_staff(clinic: Program) -> None:
    clinic.certify_pharmacy("ca", OUT, "chain")
    clinic.add_pharmacy_staff("ca", "s_a", "chain")
    clinic.certify_pharmacy("cb", OUT, "chain")
    clinic.add_pharmacy_staff("cb", "s_b", "chain")
    assert clinic.request_rda("s_a", "ca", "p1", "dr").authorized
    assert clinic.request_rda("chain", "cb", "p1", "dr").authorized
    assert clinic.request_rda("chain", "ca", "p1", "dr").authorized
    assert _refused(clinic.request_rda, "s_b", "ca", "p1", "dr") is ErrorCode.NOT_PERMITTED
    # A new AR for one of the chain's pharmacies leaves the chain's AR the other.
    clinic.certify_pharmacy("cb", OUT, "ar_cb")
    assert clinic.request_rda("chain", "ca", "p1", "dr").authorized
    assert _refused(clinic.request_rda, "chain", "cb", "p1", "dr") is ErrorCode.NOT_PERMITTED


def test_a_deactivated_pharmacy_never_certified_before_is_certified_from_that_date(
    clinic: Program, clock: FixedClock
) -> None:
    clinic.register_pharmacy("rx", OUT, "ar")
    clinic.ledger.save_account(Account("op", Role.PROGRAM_OPERATOR))
    clinic.deactivate_pharmacy("rx", "op")
    clock.set(date(2024, 3, 1))
    assert not clinic.check_pharmacy("rx")
    clinic.certify_as_representative("ar", "rx")
    pharmacy = clinic.ledger.pharmacy("rx")
    assert pharmacy is not None
    assert (pharmacy.certified_on, pharmacy.deactivated_on) == (date(2024, 3, 1), None)
    assert clinic.check_pharmacy("rx")
    clock.set(date(2026, 2, 28))  # 729 days on: still certified; 730: lapsed
    assert clinic.check_pharmacy("rx")
    clock.set(date(2026, 3, 1))
    assert not clinic.check_pharmacy("rx")
