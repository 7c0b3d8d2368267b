"""A target that crashes on a step is reported at that step, and the run goes on with the
next scenario (issue #16: no target crashes the run; it reports the step)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conformance.runner import run
from conformance.scenario import Scenario, Step
from tests.conftest import V2_SCENARIOS


class CrashesOnRda:
    """The local engine, except that it raises where a broken target would."""

    name = "local"

    def __init__(self) -> None:
        from conformance.local_target import LocalTarget

        self.inner = LocalTarget()

    def start(self, scenario: Scenario) -> None:
        self.inner.start(scenario)

    def play(self, step: Step) -> dict[str, Any]:
        if step.act == "request_rda":
            raise RuntimeError("no such account")
        return self.inner.play(step)

    def close(self) -> None:
        self.inner.close()


def test_a_crash_is_a_failing_step_and_the_next_scenario_still_runs() -> None:
    first = V2_SCENARIOS / "01_first_dispense.json"
    mild = V2_SCENARIOS / "05_designee_limits.json"  # no RDA: it passes
    report = run([first, mild], CrashesOnRda)
    assert report.failed_files == ["01_first_dispense.json"]
    assert report.passed_files == ["05_designee_limits.json"]
    (line,) = report.failures
    assert line.startswith(f"{Path(first)}: step ")
    assert "(request_rda): the local target crashed (RuntimeError: no such account)" in line
