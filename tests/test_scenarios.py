"""Every version 2 conformance scenario and every scenario of our own, through the runner.
A v2 scenario listed in conformance/v2-pending.json for the local engine is expected to fail
(strict: once it passes, the test fails until it is taken off the list)."""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance.local_target import LocalTarget
from conformance.pending import load_pending, pending_for
from conformance.runner import run_scenario
from conformance.scenario import load_scenario
from tests.conftest import OWN_SCENARIOS, V2_PENDING, V2_SCENARIOS

V2_FILES = sorted(V2_SCENARIOS.glob("*.json"))
OWN_FILES = sorted(OWN_SCENARIOS.glob("*.json"))


def scenario_params(target: str) -> list[object]:
    """Every v2 and own scenario, those pending for this target marked strict xfail."""
    pending = pending_for(load_pending(V2_PENDING), target)
    mark = pytest.mark.xfail(strict=True, reason="conformance/v2-pending.json")
    return [pytest.param(p, marks=mark) if p.name in pending else p for p in V2_FILES + OWN_FILES]


def test_the_v2_scenarios_are_there() -> None:
    assert len(V2_FILES) >= 38, f"no v2 scenarios found in {V2_SCENARIOS}"


def test_every_pending_scenario_is_a_v2_scenario_or_one_of_our_own() -> None:
    assert set(load_pending(V2_PENDING)) <= {p.name for p in V2_FILES + OWN_FILES}


def test_we_keep_at_least_five_scenarios_of_our_own() -> None:
    assert len(OWN_FILES) >= 5


@pytest.mark.parametrize("path", scenario_params("local"), ids=lambda p: p.name)
def test_scenario_passes_on_the_local_engine(path: Path) -> None:
    scenario = load_scenario(path)
    assert scenario.steps
    assert run_scenario(scenario, LocalTarget()) == []
