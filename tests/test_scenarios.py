"""Every shared conformance scenario and every scenario of our own, through the runner."""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance.local_target import LocalTarget
from conformance.runner import run_scenario
from conformance.scenario import load_scenario
from tests.conftest import OWN_SCENARIOS, SHARED_SCENARIOS

SHARED_FILES = sorted(SHARED_SCENARIOS.glob("*.json"))
OWN_FILES = sorted(OWN_SCENARIOS.glob("*.json"))


def test_the_shared_scenarios_are_there() -> None:
    assert len(SHARED_FILES) >= 26, f"no shared scenarios found in {SHARED_SCENARIOS}"


def test_we_keep_at_least_five_scenarios_of_our_own() -> None:
    assert len(OWN_FILES) >= 5


@pytest.mark.parametrize("path", SHARED_FILES + OWN_FILES, ids=lambda p: p.name)
def test_scenario_passes_on_the_local_engine(path: Path) -> None:
    scenario = load_scenario(path)
    assert scenario.steps
    assert run_scenario(scenario, LocalTarget()) == []
