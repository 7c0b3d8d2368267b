"""What importing a lab file would do, row by row, before anyone accepts it: the result's
assessment, the patient it names, and the action (record, record a correction, skip a
duplicate, hold, refuse, or wait for a person to choose the patient). The command line's
--dry-run prints it; the review screen shows it; only rows whose action records are ever
recorded, and only once a person accepts them.

A duplicate is the same patient's ANC of the same draw date and value (recorded, queued
to send, or earlier in the same import), or the same lab specimen (accession number)
imported before. A corrected result for a specimen imported before is a correction: it is
recorded as a new ANC of that draw and names the one it corrects (the registry keeps both;
the program has no way to withdraw a reported ANC, and the later report of a draw is the
one the rules read)."""

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
    Status,
    already_recorded,
    assess,
    match_patient,
    result_status,
)
from app.records import AncReport, Patient


class Action(StrEnum):
    RECORD = "record"  # a new ANC for the matched patient
    CORRECTION = "correction"  # a corrected result: recorded, naming the one it corrects
    DUPLICATE = "duplicate"  # that draw and value, or that specimen, is already here: skipped
    HOLD = "hold"  # preliminary: shown, not recorded
    REFUSE = "refuse"  # not an ANC the desk records, with the reason
    CHOOSE_PATIENT = "choose patient"  # none or several patients match: a person decides

    @property
    def records(self) -> bool:
        return self in (Action.RECORD, Action.CORRECTION)


@dataclass(frozen=True)
class EarlierImport:
    """A result imported on this workstation before (local_store keeps them), by its lab's
    specimen number: a second copy is a duplicate, a corrected one a correction."""

    import_id: int
    patient_id: str
    drawn: date
    per_ul: int
    source: str  # the file and line it came from


@dataclass(frozen=True)
class PlannedRow:
    result: LabResult
    assessment: Assessment
    match: PatientMatch | None  # None when the result is refused before matching
    action: Action
    reason: str
    corrects: EarlierImport | None = None  # a correction: the import it corrects
    chosen_by_person: bool = False  # the patient was picked on the review screen

    @property
    def patient(self) -> Patient | None:
        return self.match.patient if self.match else None

    def to_json(self) -> dict[str, object]:
        """One row for `clozapine-desk import --dry-run --json`."""
        patient = self.patient
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
            "accession": self.result.accession or None,
            "corrects": self.corrects.source if self.corrects else None,
        }


class ImportPlanner:
    """Plans one import's rows in order, each checked against the workstation and against
    the rows before it (a file sent twice in one import is a duplicate the second time)."""

    def __init__(
        self,
        patients: Sequence[Patient],
        history: Callable[[str], Sequence[AncReport]],
        *,
        earlier: Mapping[tuple[str, str], EarlierImport] | None = None,
        lab_ids: Mapping[tuple[str, str], str] | None = None,
        local_codes: Mapping[str, str] | None = None,
    ) -> None:
        self.index = PatientIndex(patients, lab_ids)
        self.patients = len(patients)
        self._history = history
        self._earlier = dict(earlier or {})
        self._local_codes = local_codes
        self._planned: set[tuple[str, date, int]] = set()  # (patient, draw date, cells/µL)
        self._specimens: dict[tuple[str, str], PlannedRow] = {}  # this import's, by accession

    def plan(self, result: LabResult) -> PlannedRow:
        seen = assess(result, self._local_codes)
        if seen.outcome is Outcome.REFUSE:
            return PlannedRow(result, seen, None, Action.REFUSE, seen.reason)
        match = match_patient(result, self.index)
        if match.patient is None:
            return self._remember(
                PlannedRow(result, seen, match, Action.CHOOSE_PATIENT, match.reason)
            )
        return self._for_patient(result, seen, match, chosen=False)

    def choose(self, row: PlannedRow, patient: Patient) -> PlannedRow:
        """A person picked the patient of a row that waited for one (or picked another):
        planned again for them (it may now be a duplicate of that patient's ANC). What the
        row's plan before counted (its draw, its specimen) is forgotten first, so a second
        choice is not a duplicate of the first."""
        self.forget(row)
        match = PatientMatch(patient, (patient,), "chosen by a person")
        return self._for_patient(row.result, row.assessment, match, chosen=True)

    def forget(self, row: PlannedRow) -> None:
        """What a row's plan counted (its draw, its specimen), as if never planned."""
        anc, drawn = row.assessment.anc, row.result.collected
        if row.action.records and row.patient and anc and drawn:
            self._planned.discard((row.patient.id, drawn, anc.per_ul))
        key = (row.result.lab, row.result.accession)
        if row.result.accession and self._specimens.get(key) is row:
            del self._specimens[key]
        earlier = self._earlier.get(key)
        if earlier is not None and earlier.import_id == 0 and earlier.source == row.result.source:
            del self._earlier[key]  # this import's own row, not one imported before

    def _for_patient(
        self, result: LabResult, seen: Assessment, match: PatientMatch, *, chosen: bool
    ) -> PlannedRow:
        assert match.patient is not None
        if seen.outcome is Outcome.HOLD:
            held = PlannedRow(
                result, seen, match, Action.HOLD, seen.reason, chosen_by_person=chosen
            )
            return self._remember(held)
        assert seen.anc is not None and result.collected is not None  # RECORD has both
        patient_id, per_ul = match.patient.id, seen.anc.per_ul
        earlier = self._earlier_specimen(result)
        other = ""
        if earlier is not None and earlier.patient_id != patient_id:
            # Another patient's specimen of this number: labs reuse numbers, and a lab that
            # moves a result to the right patient sends it again. Not a duplicate; said.
            other = (
                f" (this lab's number {result.accession or result.replaces} was imported "
                f"before for another patient: {earlier.source}; check it)"
            )
            earlier = None
        corrected = result_status(result.status) is Status.CORRECTED
        if earlier is not None and not (corrected and earlier.per_ul != per_ul):
            reason = (
                f"This lab's specimen {result.accession or result.replaces} was imported "
                f"before ({earlier.source})"
            )
            return PlannedRow(result, seen, match, Action.DUPLICATE, reason, earlier, chosen)
        key = (patient_id, result.collected, per_ul)
        if key in self._planned or already_recorded(
            seen.anc, result.collected, self._history(patient_id)
        ):
            reason = f"{per_ul:,}/µL drawn {result.collected:%m/%d/%Y} is already recorded"
            return PlannedRow(result, seen, match, Action.DUPLICATE, reason, None, chosen)
        self._planned.add(key)
        if earlier is not None:  # a corrected value for a specimen imported before
            reason = (
                f"{per_ul:,}/µL, correcting {earlier.per_ul:,}/µL of the same specimen "
                f"({earlier.source})"
            )
            row = PlannedRow(result, seen, match, Action.CORRECTION, reason, earlier, chosen)
        else:
            reason = seen.reason + self._replaces_held(result) + other
            row = PlannedRow(result, seen, match, Action.RECORD, reason, None, chosen)
        return self._remember(row)

    def _earlier_specimen(self, result: LabResult) -> EarlierImport | None:
        for number in (result.replaces, result.accession):
            if number and (result.lab, number) in self._earlier:
                return self._earlier[(result.lab, number)]
        return None

    def _replaces_held(self, result: LabResult) -> str:
        """A final or corrected result of a specimen this import showed as preliminary."""
        before = self._specimens.get((result.lab, result.accession)) if result.accession else None
        if before is None or before.action is not Action.HOLD or before.assessment.anc is None:
            return ""
        held = before.assessment.anc.per_ul
        return f"; replaces the preliminary {held:,}/µL ({before.result.source})"

    def _remember(self, row: PlannedRow) -> PlannedRow:
        if row.result.accession and row.action in (Action.HOLD, Action.RECORD, Action.CORRECTION):
            self._specimens[(row.result.lab, row.result.accession)] = row
        if row.action.records and row.result.accession:
            # A second copy of this specimen later in the same import is a duplicate.
            anc = row.assessment.anc
            assert anc is not None and row.result.collected is not None and row.patient
            self._earlier.setdefault(
                (row.result.lab, row.result.accession),
                EarlierImport(
                    0, row.patient.id, row.result.collected, anc.per_ul, row.result.source
                ),
            )
        return row


def plan_import(
    results: Iterable[LabResult],
    patients: Sequence[Patient],
    history: Callable[[str], Sequence[AncReport]],
    local_codes: Mapping[str, str] | None = None,
    *,
    earlier: Mapping[tuple[str, str], EarlierImport] | None = None,
    lab_ids: Mapping[tuple[str, str], str] | None = None,
) -> list[PlannedRow]:
    """Each result's row, in the file's order. `history` gives a patient's ANCs on the
    workstation (recorded or waiting to be sent)."""
    planner = ImportPlanner(
        patients, history, earlier=earlier, lab_ids=lab_ids, local_codes=local_codes
    )
    return [planner.plan(result) for result in results]


@dataclass(frozen=True)
class RecordedImport:
    """What recording the accepted rows of an import's `rows` did: the ANCs queued (outbox
    item ids), and the rows skipped because they were recorded after the review was planned."""

    rows: Sequence[PlannedRow]
    queued: list[str]
    skipped: list[PlannedRow]

    @property
    def counts(self) -> ImportCounts:
        return ImportCounts.of(self.rows, len(self.queued), len(self.skipped))


@dataclass(frozen=True)
class ImportCounts:
    """What an import did, for the status line and the audit."""

    results: int
    recorded: int
    duplicates: int
    held: int
    refused: int
    waiting: int
    declined: int  # would have been recorded; the person unticked them
    skipped: int = 0  # accepted, but recorded meanwhile (the same file reviewed twice)

    @classmethod
    def of(cls, rows: Sequence[PlannedRow], accepted: int, skipped: int = 0) -> ImportCounts:
        def count(action: Action) -> int:
            return sum(1 for r in rows if r.action is action)

        return cls(
            results=len(rows),
            recorded=accepted,
            duplicates=count(Action.DUPLICATE),
            held=count(Action.HOLD),
            refused=count(Action.REFUSE),
            waiting=count(Action.CHOOSE_PATIENT),
            declined=sum(1 for r in rows if r.action.records) - accepted - skipped,
            skipped=skipped,
        )

    def words(self) -> str:
        parts = [f"{self.recorded} recorded"]
        for number, what in (
            (self.duplicates, "already here"),
            (self.held, "preliminary, held"),
            (self.refused, "refused"),
            (self.waiting, "waiting for a patient to be chosen"),
            (self.declined, "not accepted"),
            (self.skipped, "recorded meanwhile, skipped"),
        ):
            if number:
                parts.append(f"{number} {what}")
        return f"{self.results} results: " + ", ".join(parts)
