"""Every surface answers every act alike (rules.md §13 R21, issue #16 item 4): random stories
(tests/support/stories.py) played step by step on the rules engine in memory, the same engine
over the encrypted store, and the reference registry over HTTP on SQLite and on PostgreSQL.
After each step the full answers must be equal, field by field, error codes included.

The CI profile (the default here) plays 120 stories (about 2 minutes), derandomized: the same
stories every run, so a red CI run fails the same way on a laptop. `--hypothesis-profile=long`
(both registered in tests/conftest.py) plays 1800 fresh random stories, about 30 minutes:

    pytest --hypothesis-profile=long tests/test_cross_surface.py

A story that fails is shrunk by hypothesis and printed as scenario steps, ready to be saved
in tests/scenarios/ with the answer rules.md gives."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, note, settings

from conformance.acts import SET_KEYS
from conformance.local_target import LocalTarget
from conformance.registry_target import RegistryTarget
from conformance.runner import ScenarioTarget
from conformance.scenario import Scenario, parse_scenario
from conformance.store_target import StoreTarget
from tests.support.stories import stories

STORY = Path("generated-story.json")  # what a failure message calls the story


def _story_settings() -> settings:
    """The profile chosen on the command line if it is `long`; else the CI profile."""
    chosen = settings.get_current_profile_name()
    return settings.get_profile("long" if chosen == "long" else "ci")


class Surface:
    """One target under the name a failure message shows (two registries share a name)."""

    def __init__(self, label: str, target: ScenarioTarget) -> None:
        self.label = label
        self.target = target


@pytest.fixture(scope="module")
def registries(postgres_url: str) -> Iterator[list[Surface]]:
    """One registry process per database for all stories: each story starts a fresh namespace
    in it (RegistryTarget.start: new accounts with unique emails, new patient and pharmacy ids),
    as the scenario runner does between files. Starting one per story would cost ~2 s each."""
    surfaces = [
        Surface("registry-sqlite", RegistryTarget()),
        Surface("registry-postgresql", RegistryTarget(postgres_url)),
    ]
    yield surfaces
    for surface in surfaces:
        shutdown = getattr(surface.target, "shutdown", None)
        if shutdown is not None:
            shutdown()


def normalized(answer: dict[str, Any]) -> dict[str, Any]:
    """The answer as compared. `notifications` and `reasons` are sets of codes in the scenario
    format (scenarios.md), so their order is not part of the answer: sorted. Nothing else is
    touched: no answer carries a generated id (check_patient's `prescriber` is mapped back to
    the scenario's own id by every target) and refusals carry codes, not message texts."""
    out = dict(answer)
    for key in SET_KEYS:
        if isinstance(out.get(key), list):
            out[key] = sorted(out[key], key=repr)
    return out


def _canonical(value: object) -> str:
    # JSON tells 1 from 1.0 from true, and None from a missing key (see `differences`).
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=repr)


_MISSING = "<no such field>"


def differences(answers: dict[str, dict[str, Any]]) -> dict[str, dict[str, str]]:
    """{field: {surface: value}} for every field whose value is not the same everywhere."""
    fields = sorted({key for answer in answers.values() for key in answer})
    found: dict[str, dict[str, str]] = {}
    for key in fields:
        values = {
            label: _canonical(answer[key]) if key in answer else _MISSING
            for label, answer in answers.items()
        }
        if len(set(values.values())) > 1:
            found[key] = values
    return found


# No difference is tolerated: each one ever found is a scenario in tests/scenarios (108-112)
# that every target passes.


def _answer(surface: Surface, step: Any) -> dict[str, Any]:
    try:
        return normalized(surface.target.play(step))
    except Exception as error:  # a target must answer, never crash (scenarios.md)
        return {"crashed": f"{type(error).__name__}: {str(error)[:300]}"}


def _story_lines(data: dict[str, Any], upto: int) -> str:
    return ",\n".join(
        "    " + json.dumps(step, ensure_ascii=False) for step in data["steps"][:upto]
    )


def play_everywhere(data: dict[str, Any], surfaces: list[Surface]) -> None:
    """Play the story on every surface, one step at a time; fail at the first step whose
    answers differ (or where a surface crashed), naming the step, the act and each field."""
    scenario: Scenario = parse_scenario(data, STORY)
    for surface in surfaces:
        surface.target.start(scenario)
    try:
        for step in scenario.steps:
            answers = {surface.label: _answer(surface, step) for surface in surfaces}
            differ = differences(answers)
            crashed = [label for label, answer in answers.items() if "crashed" in answer]
            if differ or crashed:
                fields = "\n".join(
                    f"  {key}: " + ", ".join(f"{label}={value}" for label, value in by.items())
                    for key, by in differ.items()
                )
                raise AssertionError(
                    f"step {step.number} ({step.act}) is answered differently:\n{fields}\n"
                    + (f"  crashed: {', '.join(crashed)}\n" if crashed else "")
                    + f"the step: {json.dumps(data['steps'][step.number - 1])}\n"
                    f"answers: {json.dumps(answers, ensure_ascii=False)}\n"
                    f"the story up to that step:\n{_story_lines(data, step.number)}"
                )
    finally:
        for surface in surfaces:
            surface.target.close()


@_story_settings()
@given(story=stories())
def test_every_surface_answers_every_step_of_a_story_alike(
    story: dict[str, Any], registries: list[Surface]
) -> None:
    note(f"story:\n{_story_lines(story, len(story['steps']))}")
    local = [Surface("local", LocalTarget()), Surface("store", StoreTarget())]
    play_everywhere(story, local + registries)


def test_a_difference_names_the_step_the_act_and_each_field_per_surface() -> None:
    """The failure message is what a person debugs from; it must say where and what."""

    class Fixed:
        name = "fake"

        def __init__(self, answer: dict[str, Any]) -> None:
            self.answer = answer

        def start(self, scenario: Scenario) -> None:
            pass

        def play(self, step: Any) -> dict[str, Any]:
            return self.answer

        def close(self) -> None:
            pass

    story = {
        "steps": [
            {"on": "2024-01-02", "act": "certify_prescriber", "id": "dr_a", "npi": "1234567893"}
        ]
    }
    same = {"ok": False, "error": "INVALID_NPI"}
    play_everywhere(story, [Surface("a", Fixed(same)), Surface("b", Fixed(dict(same)))])
    other = {"ok": False, "error": "HTTP_422"}
    with pytest.raises(AssertionError) as failure:
        play_everywhere(story, [Surface("a", Fixed(same)), Surface("b", Fixed(other))])
    message = str(failure.value)
    assert "step 1 (certify_prescriber)" in message
    assert 'error: a="INVALID_NPI", b="HTTP_422"' in message
    assert "ok:" not in message  # only the fields that differ
