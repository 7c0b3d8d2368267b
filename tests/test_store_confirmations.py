"""The store's answer to "whose first low ANC awaits confirmation" (rules.md §13 R14) is the
rules' own: the roster's sort and the Patients tab's list read the ANC before the most current
one in SQL, and must agree with app.monitoring over the same history (same-day draws
included, and BEN's lower normal floor)."""

from __future__ import annotations

from datetime import timedelta

from app.anc import Population
from app.clock import ManualClock
from app.entered_anc import EnteredAnc
from app.monitoring import first_low_to_confirm, is_first_low
from app.use_cases.enrollment import EnrollmentForm
from local_store.roster import RosterOrder
from local_store.session import Session
from tests.support.store_world import certify_office, enroll


def test_the_store_finds_the_first_low_ancs_the_rules_find(
    prescriber_session: Session, store_clock: ManualClock
) -> None:
    session, clock = prescriber_session, store_clock
    program = certify_office(session, clock)
    today = clock.today().isoformat()
    later = {  # each after an enrollment ANC of 2,100 drawn yesterday
        "a-first-low": [1200],
        "b-low-twice": [1200, 1300],
        "c-same-day-back-to-normal": [1200, 1600],  # reported last: the most current
        "d-same-day-then-low": [1600, 1200],
        "e-normal": [1900],
    }
    for pid, values in later.items():
        enroll(session, clock, pid, pid, "1970-01-01")
        with session.transaction():
            for value in values:
                program.report_anc(session.account.id, pid, EnteredAnc(value, today))
    yesterday = (clock.today() - timedelta(days=1)).isoformat()
    with session.transaction():
        program.enroll_patient(
            session.account.id,
            EnrollmentForm(
                "f-ben-1200", "f-ben-1200", "1970-01-01", Population.BEN,
                (EnteredAnc(1100, yesterday), EnteredAnc(1300, yesterday)),
            ),
        )  # fmt: skip
        program.report_anc(session.account.id, "f-ben-1200", EnteredAnc(1200, today))

    ledger = session.ledger
    by_rules = {
        p.id
        for p in ledger.patients()
        if first_low_to_confirm(p.population, ledger.anc_history(p.id))
    }
    by_store = {
        line.patient_id
        for line in session.low_latest_ancs()
        if is_first_low(line.population, line.previous_per_ul, line.per_ul)
    }
    assert by_store == by_rules == {"a-first-low", "d-same-day-then-low"}
    # Sorted by "Next ANC due", they come first.
    first = [r.patient_id for r in session.roster(order=RosterOrder.NEXT_ANC_DUE)][:2]
    assert sorted(first) == ["a-first-low", "d-same-day-then-low"]
