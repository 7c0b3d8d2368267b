"""The lab import bench (bench/import_bench.py) at a small size: its invented file plans as
it was built to, and a parser that drops or garbles results fails the bench, not wins it."""

from __future__ import annotations

from dataclasses import replace

import pytest

from app.use_cases.lab_import import Action
from bench import import_bench
from bench.import_bench import WrongPlan, check, counts, invent, parse_and_plan


def test_the_invented_file_plans_row_by_row_as_it_was_built() -> None:
    world = invent(200)
    rows = parse_and_plan(world)
    check(rows, world)  # every row's action, patient and cells/µL
    tally = counts(world.expected)
    assert sum(tally.values()) == len(rows) == 200
    assert set(tally) == {a.value for a in (Action.RECORD, Action.HOLD, Action.DUPLICATE,
                                            Action.CHOOSE_PATIENT)}  # fmt: skip
    # All three units of the file, the escaped one included, were read as R15's.
    assert {r.result.unit for r in rows} == {"10*3/uL", "x10^9/L", "/uL"}


def test_a_parser_that_drops_or_garbles_results_fails_the_bench() -> None:
    world = invent(200)
    rows = parse_and_plan(world)
    with pytest.raises(WrongPlan, match="199 rows for 200 results"):
        check(rows[1:], world)
    # An escape read as the wrong separator: the unit is no ANC unit, those rows refused.
    garbled = replace(world, data=world.data.replace(b"x10\\S\\9/L", b"x10\\T\\9/L"))
    with pytest.raises(WrongPlan, match="refuse"):
        check(parse_and_plan(garbled), garbled)


def test_the_bench_reports_its_metric_with_the_two_second_goal(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(import_bench, "RESULTS", 200)
    [metric] = import_bench.run(quick=True)
    assert (metric.name, metric.unit, metric.goal) == ("import.parse_match_10k_s", "s", 2.0)
    assert metric.value > 0 and metric.met
    assert "200 ORU^R01 results" in metric.note
