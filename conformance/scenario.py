"""Reading and checking a scenario file before anything runs."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from conformance.acts import ACTS, ANC_KEYS, STEP_KEYS


class ScenarioFileError(Exception):
    """A file that cannot be read, or a step with an unknown act or field (exit 2)."""


@dataclass(frozen=True)
class Step:
    number: int  # 1-based, as a person counts them
    on: date
    act: str
    fields: dict[str, Any]
    expect: dict[str, Any]


@dataclass(frozen=True)
class Scenario:
    path: Path
    title: str
    steps: tuple[Step, ...]


def load_scenario(path: Path) -> Scenario:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ScenarioFileError(f"{path}: cannot read the scenario: {exc}") from exc
    return parse_scenario(data, path)


def parse_scenario(data: object, path: Path) -> Scenario:
    """A scenario from its JSON data (as a file holds it); `path` names it in messages."""
    if not isinstance(data, dict) or not isinstance(data.get("steps"), list):
        raise ScenarioFileError(f"{path}: a scenario is an object with a list of 'steps'")
    steps: list[Step] = []
    previous: date | None = None
    for number, raw in enumerate(data["steps"], start=1):
        step = _check_step(path, number, raw)
        if previous is not None and step.on < previous:
            raise ScenarioFileError(f"{path}: step {number}: 'on' goes back in time")
        previous = step.on
        steps.append(step)
    return Scenario(path, str(data.get("title", path.stem)), tuple(steps))


def _check_step(path: Path, number: int, raw: object) -> Step:
    where = f"{path}: step {number}"
    if not isinstance(raw, dict):
        raise ScenarioFileError(f"{where}: a step is an object")
    act = raw.get("act")
    if act not in ACTS:
        raise ScenarioFileError(f"{where}: unknown act {act!r}")
    spec = ACTS[act]
    fields = {k: v for k, v in raw.items() if k not in STEP_KEYS}
    unknown = set(fields) - spec.required - spec.optional
    if unknown:
        raise ScenarioFileError(f"{where} ({act}): unknown field(s) {', '.join(sorted(unknown))}")
    missing = spec.required - set(fields)
    if missing:
        raise ScenarioFileError(f"{where} ({act}): missing field(s) {', '.join(sorted(missing))}")
    expect = raw.get("expect", {})
    if not isinstance(expect, dict):
        raise ScenarioFileError(f"{where} ({act}): 'expect' is an object")
    bad = set(expect) - spec.results
    if bad:
        raise ScenarioFileError(
            f"{where} ({act}): unknown result key(s) in expect: {', '.join(sorted(bad))}"
        )
    for anc in _anc_objects(fields):
        if not isinstance(anc, dict) or set(anc) - ANC_KEYS or not {"value", "drawn"} <= set(anc):
            raise ScenarioFileError(
                f"{where} ({act}): an ANC is {{'value', 'drawn'[, 'unit']}}, got {anc!r}"
            )
    try:
        on = date.fromisoformat(str(raw.get("on")))
    except ValueError as exc:
        raise ScenarioFileError(f"{where} ({act}): 'on' must be a date YYYY-MM-DD") from exc
    return Step(number, on, act, fields, expect)


def _anc_objects(fields: dict[str, Any]) -> list[object]:
    ancs: list[object] = []
    if "ancs" in fields:
        if not isinstance(fields["ancs"], list):
            return [fields["ancs"]]
        ancs.extend(fields["ancs"])
    if "anc" in fields:
        ancs.append(fields["anc"])
    return ancs


def scenario_files(paths: list[Path]) -> list[Path]:
    """Files as given; folders give their *.json files in name order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(path.glob("*.json")))
        else:
            found.append(path)
    return found
