"""The rules engine over the encrypted store: every conformance scenario gives the same
answers as over memory, and the roster pages, sorts and filters in SQL."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from app.clock import ManualClock
from app.entered_anc import EnteredAnc
from app.program import Program
from app.rda import RdaReason
from app.statuses import PharmacySetting
from conformance.runner import run_scenario
from conformance.scenario import load_scenario
from conformance.store_target import StoreTarget
from local_store.roster import RosterOrder
from local_store.session import Session
from tests.conftest import PRESCRIBER_PASSWORD
from tests.support.store_world import CANARY_ACCENTED, certify_office, enroll
from tests.test_scenarios import scenario_params


@pytest.mark.parametrize("path", scenario_params("store"), ids=lambda p: p.name)
def test_scenario_passes_over_the_encrypted_store(path: Path) -> None:
    assert run_scenario(load_scenario(path), StoreTarget()) == []


def test_the_roster_filters_by_name_ignoring_case_and_accents(
    prescriber_session: Session, store_clock: ManualClock
) -> None:
    certify_office(prescriber_session, store_clock)
    for pid, name in (("p1", CANARY_ACCENTED), ("p2", "Nunes, Carla"), ("p3", "Okafor, Ben")):
        enroll(prescriber_session, store_clock, pid, name, "1970-01-01")
    # Typed with or without accents, in any case, any part of the name: "NÚN" finds "Nunes"
    # and "Núñez", "kaf" finds "Okafor".
    assert [r.name for r in prescriber_session.roster(name_prefix="NÚN")] == [
        CANARY_ACCENTED,
        "Nunes, Carla",
    ]
    assert [r.name for r in prescriber_session.roster(name_prefix="kaf")] == ["Okafor, Ben"]
    assert [r.name for r in prescriber_session.roster(name_prefix="jose nu")] == [CANARY_ACCENTED]
    assert [r.name for r in prescriber_session.roster(name_prefix="JOSÉ")] == [CANARY_ACCENTED]
    assert prescriber_session.roster(name_prefix="zz") == []
    assert [r.name for r in prescriber_session.roster()] == [
        CANARY_ACCENTED,
        "Nunes, Carla",
        "Okafor, Ben",
    ]
    assert [r.patient_id for r in prescriber_session.roster(limit=2, offset=1)] == ["p2", "p3"]


def test_a_look_up_by_name_and_date_of_birth_finds_only_that_person(
    prescriber_session: Session, store_clock: ManualClock
) -> None:
    certify_office(prescriber_session, store_clock)
    for n in range(250):  # more namesakes than one page holds
        enroll(prescriber_session, store_clock, f"s{n}", f"Smith, Ann {n}", "1970-01-01")
    enroll(prescriber_session, store_clock, "s-born-80", "Smith, Ann", "1980-05-06")
    found = prescriber_session.roster(name_prefix="smith, ann", born=date(1980, 5, 6), limit=200)
    assert [r.patient_id for r in found] == ["s-born-80"]


def test_the_roster_shows_the_latest_draw_even_when_reported_out_of_order(
    prescriber_session: Session, store_clock: ManualClock
) -> None:
    program = certify_office(prescriber_session, store_clock)
    enroll(prescriber_session, store_clock, "p1", "Lee Park", "1970-01-01", anc=2100)
    store_clock.advance(timedelta(days=10))
    prescriber_session.unlock(PRESCRIBER_PASSWORD)  # ten days idle: the session had locked
    with prescriber_session.transaction():
        program.report_anc("dr-kim", "p1", EnteredAnc(1900, str(store_clock.today())))
    with prescriber_session.transaction():  # an older result arrives late
        program.report_anc(
            "dr-kim", "p1", EnteredAnc(2400, str(store_clock.today() - timedelta(days=3)))
        )
    [row] = prescriber_session.roster()
    assert row.latest_anc_per_ul == 1900 and row.latest_anc_drawn == store_clock.today()
    # Sorting by latest ANC uses that value (1900), not the late 2400 nor the first 2100.
    enroll(prescriber_session, store_clock, "p2", "Ann Quist", "1970-01-01", anc=2000)
    by_anc = prescriber_session.roster(order=RosterOrder.LATEST_ANC, descending=True)
    assert [r.patient_id for r in by_anc] == ["p2", "p1"]


def test_an_eligibility_preview_reads_the_store(
    prescriber_session: Session, store_clock: ManualClock
) -> None:
    program = certify_office(prescriber_session, store_clock)
    with prescriber_session.transaction():
        program.certify_pharmacy("rx-1", PharmacySetting.OUTPATIENT, "ar-1", "Main St")
    enroll(prescriber_session, store_clock, "p1", "Lee Park", "1970-01-01")
    preview = Program(prescriber_session.ledger, store_clock).preview_rda("rx-1", "p1", "dr-kim")
    assert preview.authorized
    # A severe ANC written to the store changes the very next preview: nothing is copied.
    with prescriber_session.transaction():
        program.report_anc("dr-kim", "p1", EnteredAnc(400, str(store_clock.today())))
    preview = Program(prescriber_session.ledger, store_clock).preview_rda("rx-1", "p1", "dr-kim")
    assert not preview.authorized
    assert preview.reasons == (RdaReason.TREATMENT_INTERRUPTED,)


def test_a_refused_use_case_writes_nothing(
    prescriber_session: Session, store_clock: ManualClock
) -> None:
    from app.errors import RemsError

    certify_office(prescriber_session, store_clock)
    enroll(prescriber_session, store_clock, "p1", "Lee Park", "1970-01-01")
    program = Program(prescriber_session.ledger, store_clock)
    before = prescriber_session.db.one("SELECT count(*) FROM anc_results")[0]
    with pytest.raises(RemsError), prescriber_session.transaction():
        program.report_anc("dr-kim", "p1", EnteredAnc(1500, "2099-01-01"))
    assert prescriber_session.db.one("SELECT count(*) FROM anc_results")[0] == before
