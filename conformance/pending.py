"""Scenarios not passed yet, by name and target: a ratchet while rules version 2 is built.

`conformance/v2-pending.json` names each v2 scenario file a target still fails, with the
rulings it waits for. A run fails on any other failure, and also when a listed scenario
passes, so the list only shrinks and can never hide a regression. Issue #16 is done when the
file is empty."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from conformance.runner import RunReport


@dataclass(frozen=True)
class PendingVerdict:
    unexpected: list[str]  # failed, and not listed for this target: a regression
    now_passing: list[str]  # listed for this target, and passed: take it off the list
    still_pending: list[str]

    @property
    def ok(self) -> bool:
        return not self.unexpected and not self.now_passing


def load_pending(path: Path) -> dict[str, list[str]]:
    """{scenario file name: [targets that still fail it]}; each entry also has a "why"."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return {name: list(entry["targets"]) for name, entry in data["pending"].items()}


def pending_for(pending: dict[str, list[str]], target: str) -> set[str]:
    """The scenario files this target may still fail."""
    return {name for name, targets in pending.items() if target in targets}


def judge(report: RunReport, pending: dict[str, list[str]], target: str) -> PendingVerdict:
    listed = pending_for(pending, target)
    return PendingVerdict(
        unexpected=sorted(set(report.failed_files) - listed),
        now_passing=sorted(set(report.passed_files) & listed),
        still_pending=sorted(set(report.failed_files) & listed),
    )
