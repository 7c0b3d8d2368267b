"""A lab file as the window imports it: read (never copied), its results planned against
this office's patients, a person's choices of patient applied, and the accepted rows
recorded through the store's use-case boundary. Everything here runs on the store thread."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from app.records import Patient
from app.use_cases.lab_import import Action, ImportCounts, ImportPlanner, PlannedRow
from desk.session import Session
from lab_import.csv_results import CsvMapping
from lab_import.files import read_file, read_lab_file, saved_mappings


@dataclass
class LabFilePlan:
    """One file's rows, in the file's order, as the review screen shows them."""

    path: Path
    rows: list[PlannedRow]
    planner: ImportPlanner = field(repr=False)
    _choices: dict[int, list[Patient]] = field(default_factory=dict, repr=False)
    first: dict[int, PlannedRow] = field(default_factory=dict, repr=False)  # rows that waited

    @property
    def file_name(self) -> str:
        return self.path.name

    def choices(self, number: int) -> list[Patient]:
        """Whom a person may pick for a row that waited for its patient: the patients the
        match found, then the others born that day. Nobody else: a result whose name and
        date of birth are no patient's is not a result to file under someone."""
        if number not in self._choices:
            row = self.rows[number]
            found = list(row.match.candidates) if row.match else []
            if row.result.dob is not None:
                born = self.planner.index.born_on(row.result.dob)
                found += [p for p, _key in born if p not in found]
            self._choices[number] = found  # as first planned: a choice does not narrow it
        return self._choices[number]


def plan_lab_file(
    session: Session, path: Path, chosen: tuple[str, CsvMapping] | None = None
) -> LabFilePlan:
    """Read the file and plan its rows. `chosen`: a CSV mapping a person just chose (with
    the header fingerprint it is for), saved for the next file from that lab. A CSV with
    no saved mapping raises `NeedsMapping`."""
    data = read_file(path)
    mappings = saved_mappings(session.workstation.folder)
    if chosen is not None:
        mappings.save(*chosen)
    results = read_lab_file(data, path.name, mappings, session.workstation.clock.today())
    planner = session.lab_import_planner()
    plan = LabFilePlan(path, [planner.plan(r) for r in results], planner)
    for number, row in enumerate(plan.rows):
        if row.action is Action.CHOOSE_PATIENT:
            plan.choices(number)  # kept as first planned
            plan.first[number] = row
    return plan


def choose_patient(plan: LabFilePlan, number: int, patient: Patient | None) -> PlannedRow:
    """A person picked the patient of row `number` (None: none after all): it is planned
    again for them, or waits again as it first did."""
    row = plan.rows[number]
    if patient is None:
        plan.planner.forget(row)
        row = plan.first[number]
    else:
        row = plan.planner.choose(row, patient)
    plan.rows[number] = row
    return row


def record_accepted(session: Session, plan: LabFilePlan, accepted: Sequence[int]) -> ImportCounts:
    rows = [plan.rows[n] for n in accepted if plan.rows[n].action.records]
    return session.record_lab_results(plan.file_name, plan.rows, rows).counts
