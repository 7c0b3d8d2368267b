"""Previews read from one snapshot of the store give exactly the rules' answers."""

from __future__ import annotations

import random
from datetime import timedelta

from app.clock import ManualClock
from app.entered_anc import EnteredAnc
from app.rda import evaluate_rda
from app.statuses import PharmacySetting
from local_store.previews import preview, preview_many
from local_store.session import Session
from tests.conftest import PRESCRIBER_PASSWORD
from tests.support.store_world import certify_office, enroll


def test_roster_previews_match_the_rules_read_query_by_query(
    prescriber_session: Session, store_clock: ManualClock
) -> None:
    rng = random.Random(4)
    program = certify_office(prescriber_session, store_clock)
    with prescriber_session.transaction():
        program.certify_pharmacy("rx-out", PharmacySetting.OUTPATIENT, "ar-1", "Main St")
        program.certify_pharmacy("rx-in", PharmacySetting.INPATIENT, "ar-2", "St. Luke's")
        program.register_pharmacy("rx-new", PharmacySetting.OUTPATIENT, "ar-3", "Corner")
    ids = [f"p{i}" for i in range(12)]
    for pid in ids:
        enroll(prescriber_session, store_clock, pid, f"Patient {pid}", "1970-01-01")
    for _ in range(6):  # weeks pass; results come in, some late, some low
        store_clock.advance(timedelta(days=7))
        prescriber_session.unlock(PRESCRIBER_PASSWORD)
        for pid in ids:
            value = rng.choice([2500, 1800, 1200, 800, 400])
            back = rng.choice([0, 0, 0, 3, 10])  # a late result for an older draw
            with prescriber_session.transaction():
                program.report_anc(
                    "dr-kim",
                    pid,
                    EnteredAnc(value, str(store_clock.today() - timedelta(days=back))),
                )
    today = store_clock.today()
    for pharmacy in ("rx-out", "rx-in", "rx-new"):
        previews = dict(preview_many(prescriber_session.db, pharmacy, ids, today))
        for pid in ids:
            direct = evaluate_rda(prescriber_session.ledger, pharmacy, pid, "dr-kim", today)
            assert previews[pid] == direct, (pharmacy, pid)
    outcomes = {d.authorized for d in previews.values()}
    assert outcomes == {False}  # an uncertified pharmacy is denied for everyone
    assert len({preview_many(prescriber_session.db, "rx-out", ids, today)[i][1].authorized
                for i in range(len(ids))}) == 2  # fmt: skip
    assert preview(prescriber_session.db, "rx-out", "nobody", today) is None
