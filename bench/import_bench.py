"""import.parse_match_10k_s: one HL7 v2 file of 10,000 ORU^R01 results read
(lab_import/hl7v2.read_hl7) and planned (app.use_cases.lab_import.plan_import: each matched
against the workstation's patients) for 10,000 invented patients (issue #18).

The file is invented and built in memory, never written to disk, as a real lab's would be
handled. It mixes what a lab sends: three spellings of the unit (one with an HL7 escape),
preliminary results, results for people the workstation does not know, and draws already
recorded. The plan is checked row by row against what the file was built to say, so a
parser that drops or garbles rows fails the bench instead of winning it.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from app.anc import Anc, Population
from app.records import AncReport, Patient
from app.statuses import AncSource, MonitoringFrequency, TreatmentStatus
from app.use_cases.lab_import import Action, PlannedRow, plan_import
from bench.harness import Metric
from lab_import.hl7v2 import read_hl7

METRICS = ("import.parse_match_10k_s",)
RESULTS = 10_000
# Project goal (issue #18): a large lab's month of results is ready for review in seconds.
PARSE_MATCH_GOAL_S = 2.0

DRAWN = date(2026, 11, 30)  # the import's draws; the history's are the weeks before
HISTORY_WEEKS = 4
# One value in three ways a lab writes it: 10*3/uL, x10^9/L escaped as HL7 sends ^, and /uL.
UNITS = ("10*3/uL", "x10\\S\\9/L", "/uL")
# 100 x 100 invented names, each patient's their own; dates of birth are spread over 60
# years, so some patients share one and the match must tell them apart by name.
_GIVEN_PARTS = (("Ka", "Lu", "Mi", "Do", "Se", "Ta", "Ri", "Jo", "Na", "Be"),
                ("ra", "no", "li", "ve", "sa", "mo", "di", "ke", "tu", "ya"))  # fmt: skip
_FAMILY_PARTS = (("Ad", "Bel", "Cor", "Dü", "Esk", "Far", "Gon", "Hal", "Ív", "Núñ"),
                 ("ano", "berg", "czyk", "ez", "ic", "ova", "sen", "ton", "ui", "wa"))  # fmt: skip
GIVEN = tuple(a + b for a in _GIVEN_PARTS[0] for b in _GIVEN_PARTS[1])
FAMILY = tuple(a + b for a in _FAMILY_PARTS[0] for b in _FAMILY_PARTS[1])
# Nobody on the workstation has these given names: their results wait for a person.
STRANGERS = ("Alaric", "Brunhild", "Casimir", "Desdemona", "Evander", "Florizel")


class WrongPlan(AssertionError):
    """The plan does not say what the invented file was built to say: the bench is void."""


@dataclass(frozen=True)
class ExpectedRow:
    action: Action
    patient_id: str | None
    per_ul: int


@dataclass(frozen=True)
class InventedImport:
    """The file, the workstation's patients and their recorded ANCs, and the plan they should
    give. Everything here is invented; the file lives in memory only."""

    data: bytes
    patients: list[Patient]
    recorded: dict[str, list[AncReport]]
    expected: list[ExpectedRow]

    def history(self, patient_id: str) -> Sequence[AncReport]:
        return self.recorded.get(patient_id, ())


def invent(results: int = RESULTS, seed: int = 18) -> InventedImport:
    """`results` results, one a message, for as many invented patients."""
    rng = random.Random(seed)
    patients = [_patient(n, rng) for n in range(results)]
    recorded = {p.id: _recorded(p.id, rng) for p in patients}
    messages: list[str] = []
    expected: list[ExpectedRow] = []
    for n, patient in enumerate(patients):
        kind = rng.choices(("record", "hold", "duplicate", "stranger"), (80, 7, 8, 5))[0]
        drawn, per_ul, status = DRAWN, rng.randrange(150, 600) * 10, rng.choice("FFFFC")
        name = patient.name
        if kind == "duplicate":  # one of the draws the workstation already has, sent again
            again = rng.choice(recorded[patient.id])
            drawn, per_ul = again.drawn, again.anc.per_ul
        elif kind == "hold":
            status = "P"
        elif kind == "stranger":  # born the same day as one of ours, but nobody we know
            name = f"{rng.choice(STRANGERS)} {patient.name.split()[-1]}"
        messages.append(_message(n, name, patient.dob, drawn, per_ul, rng.choice(UNITS), status))
        action = {
            "record": Action.RECORD,
            "hold": Action.HOLD,
            "duplicate": Action.DUPLICATE,
            "stranger": Action.CHOOSE_PATIENT,
        }[kind]
        expected.append(ExpectedRow(action, None if kind == "stranger" else patient.id, per_ul))
    return InventedImport("\r".join(messages).encode(), patients, recorded, expected)


def parse_and_plan(world: InventedImport) -> list[PlannedRow]:
    """What the bench times: the file read and every result planned."""
    return plan_import(read_hl7(world.data, "bench.hl7"), world.patients, world.history)


def check(rows: Sequence[PlannedRow], world: InventedImport) -> None:
    """Every row's action, patient and value as the file was built to say, else WrongPlan
    (counts and row numbers only: no name is printed)."""
    got = [
        ExpectedRow(
            row.action,
            row.match.patient.id if row.match and row.match.patient else None,
            row.assessment.anc.per_ul if row.assessment.anc else -1,
        )
        for row in rows
    ]
    if got != world.expected:
        wrong = [n for n, (a, b) in enumerate(zip(got, world.expected, strict=False), 1) if a != b]
        raise WrongPlan(
            f"the plan is not the invented file's: {len(got)} rows for {len(world.expected)} "
            f"results; counts {counts(got)} for {counts(world.expected)}; first rows that "
            f"differ: {wrong[:5]}"
        )


def counts(rows: Sequence[ExpectedRow]) -> dict[str, int]:
    tally: dict[str, int] = {}
    for row in rows:
        tally[row.action.value] = tally.get(row.action.value, 0) + 1
    return dict(sorted(tally.items()))


def run(quick: bool) -> Iterator[Metric]:
    world = invent(RESULTS)
    rounds = 1 if quick else 3
    seconds: list[float] = []
    for _ in range(rounds):
        started = time.perf_counter()
        rows = parse_and_plan(world)
        seconds.append(time.perf_counter() - started)
        check(rows, world)
    tally = counts(world.expected)
    yield Metric(
        "import.parse_match_10k_s",
        statistics.median(seconds),
        "s",
        PARSE_MATCH_GOAL_S,
        note=f"median of {rounds}; {RESULTS:,} ORU^R01 results x {RESULTS:,} patients; "
        + ", ".join(f"{n:,} {action}" for action, n in tally.items()),
    )


def _patient(n: int, rng: random.Random) -> Patient:
    given, family = GIVEN[n % len(GIVEN)], FAMILY[n // len(GIVEN) % len(FAMILY)]
    born = date(1946, 1, 1) + timedelta(days=rng.randrange(60 * 365))
    enrolled = date(2025, 1, 6)
    return Patient(
        f"p-{n}", f"{given} {family}", born, Population.GENERAL, False, "dr-bench",
        TreatmentStatus.ENROLLED, 1, enrolled, MonitoringFrequency.WEEKLY, enrolled,
    )  # fmt: skip


def _recorded(patient_id: str, rng: random.Random) -> list[AncReport]:
    reports = []
    for week in range(1, HISTORY_WEEKS + 1):
        drawn = DRAWN - timedelta(days=7 * week)
        anc = Anc(rng.randrange(150, 600) * 10)
        reports.append(AncReport(patient_id, anc, drawn, drawn, AncSource.ADD_ANC, "dr-bench"))
    return reports


def _message(
    n: int, name: str, born: date, drawn: date, per_ul: int, unit: str, status: str
) -> str:
    given, family = name.rsplit(" ", 1)
    value = str(per_ul) if unit == "/uL" else f"{per_ul / 1000:.2f}"
    code = (
        "751-8^Neutrophils [#/volume] in Blood by Automated count^LN"
        if n % 4
        else "753-4^ANC manual^LN"
    )
    return "\r".join(
        (
            f"MSH|^~\\&|BENCHLAB|BENCH|DESK|CLINIC|{drawn:%Y%m%d}093000||ORU^R01|M{n}|P|2.5.1",
            f"PID|1||B{n}^^^BENCH^MR||{family.upper()}^{given.upper()}||{born:%Y%m%d}|U",
            f"OBR|1||ACC-{n}|57021-8^CBC W Auto Differential^LN|||{drawn:%Y%m%d}0715",
            f"OBX|1|NM|{code}||{value}|{unit}|1.5-8.0|N|||{status}|||{drawn:%Y%m%d}0715",
        )
    )
