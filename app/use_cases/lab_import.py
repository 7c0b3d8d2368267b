"""What importing a lab file would do, row by row, before anyone accepts it: the result's
assessment, the patient it names, and the action (record, skip a duplicate, hold, refuse,
or wait for a person to choose the patient). The command line's --dry-run prints it; the
review screen shows it; only rows whose action is RECORD are ever recorded."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from app.lab_results import (
    Assessment,
    LabResult,
    Outcome,
    PatientIndex,
    PatientMatch,
    already_recorded,
    assess,
    match_patient,
)
from app.records import AncReport, Patient


class Action(StrEnum):
    RECORD = "record"  # a new ANC for the matched patient
    DUPLICATE = "duplicate"  # that draw and value is already recorded: skipped
    HOLD = "hold"  # preliminary: shown, not recorded
    REFUSE = "refuse"  # not an ANC the desk records, with the reason
    CHOOSE_PATIENT = "choose patient"  # none or several patients match: a person decides


@dataclass(frozen=True)
class PlannedRow:
    result: LabResult
    assessment: Assessment
    match: PatientMatch | None  # None when the result is refused before matching
    action: Action
    reason: str

    def to_json(self) -> dict[str, object]:
        """One row for `clozapine-desk import --dry-run --json`."""
        patient = self.match.patient if self.match else None
        anc = self.assessment.anc
        return {
            "source": self.result.source,
            "action": self.action.value,
            "reason": self.reason,
            "patient_id": patient.id if patient else None,
            "candidates": [p.id for p in self.match.candidates] if self.match else [],
            "value_per_ul": anc.per_ul if anc else None,
            "as_sent": {"value": self.result.value, "unit": self.result.unit},
            "drawn": self.result.collected.isoformat() if self.result.collected else None,
            "status": self.result.status,
            "test": self.result.code,
        }


def plan_import(
    results: Iterable[LabResult],
    patients: Sequence[Patient],
    history: Callable[[str], Sequence[AncReport]],
    local_codes: Mapping[str, str] | None = None,
) -> list[PlannedRow]:
    """Each result's row. `history` gives a patient's recorded ANCs (duplicates are skipped,
    a second copy of the same file included: each row is checked against the rows before)."""
    index = PatientIndex(patients)
    rows: list[PlannedRow] = []
    planned: set[tuple[str, date, int]] = set()  # (patient, draw date, cells/µL) to record
    for result in results:
        seen = assess(result, local_codes)
        if seen.outcome is Outcome.REFUSE:
            rows.append(PlannedRow(result, seen, None, Action.REFUSE, seen.reason))
            continue
        match = match_patient(result, index)
        if match.patient is None:
            rows.append(PlannedRow(result, seen, match, Action.CHOOSE_PATIENT, match.reason))
            continue
        if seen.outcome is Outcome.HOLD:
            rows.append(PlannedRow(result, seen, match, Action.HOLD, seen.reason))
            continue
        assert seen.anc is not None and result.collected is not None  # RECORD has both
        key = (match.patient.id, result.collected, seen.anc.per_ul)
        if key in planned or already_recorded(seen.anc, result.collected, history(key[0])):
            reason = f"{seen.anc.per_ul:,}/µL drawn {result.collected:%m/%d/%Y} is already recorded"
            rows.append(PlannedRow(result, seen, match, Action.DUPLICATE, reason))
            continue
        planned.add(key)
        rows.append(PlannedRow(result, seen, match, Action.RECORD, seen.reason))
    return rows
