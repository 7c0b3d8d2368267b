"""Runs scenarios against a target and reports each failing step (scenarios.md, The runner)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from conformance.acts import SET_KEYS
from conformance.scenario import Scenario, Step, load_scenario, scenario_files


class ScenarioTarget(Protocol):
    name: str

    def start(self, scenario: Scenario) -> None: ...

    def play(self, step: Step) -> dict[str, Any]: ...

    def close(self) -> None: ...


@dataclass
class RunReport:
    passed: int = 0
    failed: int = 0
    failures: list[str] = field(default_factory=list)
    failed_files: list[str] = field(default_factory=list)  # file names, e.g. 07_mild.json
    passed_files: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        return f"{self.passed} passed, {self.failed} failed"


def mismatches(expect: dict[str, Any], got: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """The expected keys whose values differ; `notifications` and `reasons` as sets."""
    wrong: dict[str, tuple[Any, Any]] = {}
    for key, want in expect.items():
        have = got.get(key)
        if key in SET_KEYS:
            same = isinstance(have, list) and isinstance(want, list) and set(have) == set(want)
        else:
            same = have == want and type(have) is type(want)
        if not same:
            wrong[key] = (want, have)
    return wrong


def run_scenario(scenario: Scenario, target: ScenarioTarget) -> list[str]:
    """Play every step; return one line per failing step."""
    lines: list[str] = []
    target.start(scenario)
    try:
        for step in scenario.steps:
            try:
                got = target.play(step)
            except Exception as error:  # a target must answer, not crash: report where
                lines.append(
                    f"{scenario.path}: step {step.number} ({step.act}): the {target.name} "
                    f"target crashed ({type(error).__name__}: {str(error)[:200]})"
                )
                break  # its state is unknown after a crash: the scenario's later steps
            wrong = mismatches(step.expect, got)
            if wrong:
                expected = ", ".join(f"{k}={w!r}" for k, (w, _) in wrong.items())
                actual = ", ".join(f"{k}={h!r}" for k, (_, h) in wrong.items())
                if "error" in got and got.get("error") and "error" not in wrong:
                    actual += f" (error={got['error']})"
                lines.append(
                    f"{scenario.path}: step {step.number} ({step.act}): "
                    f"expected {expected}; got {actual}"
                )
    finally:
        target.close()
    return lines


def run(paths: list[Path], make_target: Callable[[], ScenarioTarget]) -> RunReport:
    """Load every file first (a bad file stops the run before anything plays), then run."""
    scenarios = [load_scenario(p) for p in scenario_files(paths)]
    report = RunReport()
    target = make_target()
    try:
        for scenario in scenarios:
            lines = run_scenario(scenario, target)
            if lines:
                report.failed += 1
                report.failures.extend(lines)
                report.failed_files.append(scenario.path.name)
            else:
                report.passed += 1
                report.passed_files.append(scenario.path.name)
    finally:
        shutdown = getattr(target, "shutdown", None)  # a target with a server to stop
        if shutdown is not None:
            shutdown()
    return report
