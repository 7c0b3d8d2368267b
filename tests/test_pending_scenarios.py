"""The v2 ratchet (conformance/pending.py): a listed scenario may fail on its target; any
other failure, or a listed scenario that passes, fails the run."""

from __future__ import annotations

from conformance.pending import judge
from conformance.runner import RunReport

PENDING = {"07_mild.json": ["local", "registry"], "35_order.json": ["registry"]}


def _report(passed: list[str], failed: list[str]) -> RunReport:
    return RunReport(len(passed), len(failed), [], failed_files=failed, passed_files=passed)


def test_a_listed_failure_is_pending_and_the_run_holds() -> None:
    verdict = judge(_report(["01.json"], ["07_mild.json"]), PENDING, "local")
    assert verdict.ok and verdict.still_pending == ["07_mild.json"]


def test_a_failure_listed_only_for_another_target_is_a_regression() -> None:
    verdict = judge(_report(["07_mild.json"], ["35_order.json"]), PENDING, "local")
    assert not verdict.ok and verdict.unexpected == ["35_order.json"]


def test_a_listed_scenario_that_passes_must_come_off_the_list() -> None:
    verdict = judge(_report(["07_mild.json", "35_order.json"], []), PENDING, "registry")
    assert not verdict.ok and verdict.now_passing == ["07_mild.json", "35_order.json"]
