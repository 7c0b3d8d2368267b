"""A lab's result, as an import reads it from HL7 v2, FHIR or CSV (issue #18), and what the
desk would do with it: which tests are an ANC, which result statuses are recorded, the value
through the units of rules.md §13 R15 only, the patient it names, and whether it is one the
workstation already has. Nothing here guesses: a result that does not say clearly what it is
and whose it is is held or refused, with the reason in words.

The parsers (a layer of their own) make `LabResult`s; the review screen and the command line
show `assess` and `match_patient`; the accepted ones are recorded as Add ANC records them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from app.anc import Anc, AncUnit
from app.entered_anc import EnteredAnc
from app.errors import RemsError
from app.patient_identity import match_name
from app.records import AncReport, Patient

# LOINC codes of an absolute neutrophil count (cells per volume of blood).
ANC_CODES: Mapping[str, str] = {
    "751-8": "Neutrophils [#/volume] in Blood by Automated count",
    "753-4": "Neutrophils [#/volume] in Blood by Manual count",
    "26499-4": "Neutrophils [#/volume] in Blood",
    "30451-9": "Neutrophils [#/volume] in Blood by Manual count (band and segmented)",
}
# A percentage of the white cells, not a count: never converted into an ANC (that would need
# the white count of the same draw, and a wrong one is a wrong dispense decision).
NEUTROPHIL_PERCENT_CODES = frozenset({"770-8", "26511-6", "23761-0"})


class Outcome(StrEnum):
    RECORD = "record"  # a final or corrected ANC, valid, for a matched patient
    HOLD = "hold"  # shown, not recorded: preliminary, or waiting for a person
    REFUSE = "refuse"  # not an ANC the desk can record, with the reason


class Status(StrEnum):
    FINAL = "final"
    CORRECTED = "corrected"
    PRELIMINARY = "preliminary"
    NOT_A_RESULT = "not a result"  # cancelled, entered in error, pending, deleted


# HL7 v2 OBX-11 and FHIR Observation.status, to one meaning.
_STATUSES: Mapping[str, Status] = {
    "F": Status.FINAL,
    "final": Status.FINAL,
    "C": Status.CORRECTED,
    "corrected": Status.CORRECTED,
    "amended": Status.CORRECTED,
    "P": Status.PRELIMINARY,
    "R": Status.PRELIMINARY,  # results entered, not verified
    "preliminary": Status.PRELIMINARY,
}


def result_status(code: str) -> Status:
    """The meaning of a result's status as the lab sent it (OBX-11, FHIR status, a CSV
    column); anything not listed is not a result to record."""
    cleaned = code.strip()
    return _STATUSES.get(cleaned, _STATUSES.get(cleaned.lower(), Status.NOT_A_RESULT))


@dataclass(frozen=True)
class LabResult:
    """One result row as a lab file says it, before anything is decided. `source` names the
    file and the line or entry, so the review screen and the audit can point at it."""

    patient_name: str  # "First Last", as the parser puts it together
    dob: date | None
    code: str  # LOINC, or the lab's local code
    value: str  # the text as the lab sent it
    unit: str
    collected: date | None
    status: str  # as sent: "F", "final", ...
    source: str
    mrn: str = ""
    accession: str = ""  # the lab's number for the specimen: the same result sent twice
    replaces: str = ""  # a corrected result: the accession or id of the one it corrects
    lab: str = ""  # who sent it (HL7 MSH-4, FHIR, the CSV mapping): MRNs are per lab


@dataclass(frozen=True)
class Assessment:
    outcome: Outcome
    reason: str  # in words, for the review screen and --dry-run
    anc: Anc | None = None
    entered: EnteredAnc | None = None


def assess(result: LabResult, local_codes: Mapping[str, str] | None = None) -> Assessment:
    """What the result is, patient aside: an ANC to record, one to hold, or one to refuse.
    `local_codes` maps a lab's own test codes to the LOINC code they stand for (mapped once,
    by a person)."""
    code = (local_codes or {}).get(result.code, result.code)
    if code in NEUTROPHIL_PERCENT_CODES:
        return Assessment(
            Outcome.REFUSE,
            f"Test {result.code} is a neutrophil percentage, not an absolute count: an ANC "
            "is never worked out from it. Enter the lab's ANC instead.",
        )
    if code not in ANC_CODES:
        return Assessment(
            Outcome.REFUSE,
            f"Test {result.code} is not an ANC (LOINC {', '.join(ANC_CODES)}). If it is this "
            "lab's own code for one, map it once in the lab's settings.",
        )
    if result.collected is None:
        return Assessment(
            Outcome.REFUSE, "The result has no collection date: the ANC's date is the draw's."
        )
    if not result.value.strip():
        return Assessment(
            Outcome.REFUSE, "The lab sent no number for this result: nothing to record."
        )
    entered = EnteredAnc.typed(result.value, result.unit, result.collected)
    try:
        anc = entered.parse()  # the units of R15 only; a % or g/L is refused here
    except RemsError as error:
        return Assessment(Outcome.REFUSE, str(error))
    doubt = _doubtful_value(result, entered)
    if doubt:
        return Assessment(Outcome.REFUSE, doubt)
    status = result_status(result.status)
    if status is Status.NOT_A_RESULT:
        return Assessment(
            Outcome.REFUSE,
            f"The lab's status {result.status!r} is not a final result (cancelled, pending "
            "or entered in error): nothing to record.",
        )
    if status is Status.PRELIMINARY:
        return Assessment(
            Outcome.HOLD,
            "Preliminary: shown, not recorded. The final result, when it comes, is.",
            anc,
            entered,
        )
    what = "a corrected result" if status is Status.CORRECTED else "a final result"
    return Assessment(Outcome.RECORD, f"{anc.per_ul:,}/µL, {what}", anc, entered)


def _doubtful_value(result: LabResult, entered: EnteredAnc) -> str:
    """A valid number the desk will not record without a person looking at the report: a
    count per µL written with a decimal point ("1.000" is 1,000 where a point groups
    thousands, 1 where it does not), or one so low it is likely the other unit. Add ANC
    records it once a person has checked."""
    if AncUnit.parse(result.unit) is AncUnit.PER_UL and "." in result.value:
        return (
            f"{result.value} {result.unit} has a decimal point, but a count per µL is a whole "
            "number (is the point a thousands separator?). Check the lab report and enter it "
            "with Add ANC."
        )
    warning = entered.warning()
    if warning:
        return f"{warning} Check the lab report and enter it with Add ANC."
    return ""


def name_key(name: str) -> tuple[str, ...]:
    """A name with case, accents, punctuation, initials and the order of its parts ignored:
    labs send "NUNEZ, MARIA E", offices type "María Núñez". (Two patients who differ only by
    an initial then share a key, and a result for either waits for a person.)"""
    plain = match_name(name.replace(",", " ").replace("^", " ").replace(".", " "))
    parts = plain.replace("-", " ").replace("'", "").split()
    return tuple(sorted(part for part in parts if len(part) > 1))


@dataclass(frozen=True)
class PatientMatch:
    patient: Patient | None  # the one patient, or None
    candidates: tuple[Patient, ...]  # who it could be, for a person to choose
    reason: str


class PatientIndex:
    """The workstation's patients by date of birth, with their name keys worked out once:
    10,000 results matched against 10,000 patients look at a handful each, not all.
    `lab_ids` maps (lab, MRN) to the patient a person has already matched it to."""

    def __init__(
        self, patients: Iterable[Patient], lab_ids: Mapping[tuple[str, str], str] | None = None
    ) -> None:
        self._born: dict[date, list[tuple[Patient, tuple[str, ...]]]] = {}
        self._by_id: dict[str, Patient] = {}
        for patient in patients:
            self._born.setdefault(patient.dob, []).append((patient, name_key(patient.name)))
            self._by_id[patient.id] = patient
        self._lab_ids = dict(lab_ids or {})

    def born_on(self, dob: date) -> list[tuple[Patient, tuple[str, ...]]]:
        return self._born.get(dob, [])

    def known_mrn(self, lab: str, mrn: str) -> Patient | None:
        patient_id = self._lab_ids.get((lab, mrn)) if mrn else None
        return self._by_id.get(patient_id) if patient_id else None


def match_patient(result: LabResult, patients: Iterable[Patient] | PatientIndex) -> PatientMatch:
    """The workstation's patient the result names: the same date of birth and the same name,
    or the one candidate when the name differs only by a middle name. A lab's MRN a person
    already matched confirms its patient (whose name may since have changed) and, when the
    name says someone else, stops the match. Never a guess: none, or more than one, or a
    disagreement waits for a person."""
    index = patients if isinstance(patients, PatientIndex) else PatientIndex(patients)
    if result.dob is None:
        return PatientMatch(None, (), "The result has no date of birth: choose the patient.")
    key = name_key(result.patient_name)
    born = index.born_on(result.dob)
    same = tuple(p for p, theirs in born if theirs == key)
    known = index.known_mrn(result.lab, result.mrn) if result.lab else None
    if known is not None and not set(name_key(known.name)) & set(key):
        return PatientMatch(
            None,
            (known, *same),
            f"The lab's MRN {result.mrn} is {known.name}'s, but the name the lab sent shares "
            "no part of that patient's: choose the patient.",
        )
    if known is not None:
        if known.dob != result.dob:
            return PatientMatch(
                None,
                (known, *same),
                f"The lab's MRN {result.mrn} is {known.name}'s, whose date of birth differs: "
                "choose the patient.",
            )
        if same and known not in same:
            return PatientMatch(
                None,
                (known, *same),
                f"The lab's MRN {result.mrn} is {known.name}'s, but the name is another "
                "patient's: choose the patient.",
            )
        return PatientMatch(known, (known,), "MRN and date of birth")
    if len(same) == 1:
        return PatientMatch(same[0], same, "name and date of birth")
    if len(same) > 1:
        return PatientMatch(
            None, same, f"{len(same)} patients have this name and date of birth: choose one."
        )
    close = tuple(p for p, theirs in born if _same_but_middle(theirs, key))
    if close:
        return PatientMatch(
            None, close, "Only a patient whose name differs (a middle name): choose, or not."
        )
    return PatientMatch(None, (), "No patient on this workstation has this name and date of birth.")


def _same_but_middle(ours: tuple[str, ...], theirs: tuple[str, ...]) -> bool:
    shorter, longer = sorted((set(ours), set(theirs)), key=len)
    return len(shorter) >= 2 and shorter < longer


def already_recorded(anc: Anc, drawn: date, reports: Iterable[AncReport]) -> bool:
    """The same patient's ANC of the same draw date and value is on the workstation (an
    export sent twice, or typed by hand before): skipped, not recorded again."""
    return any(r.drawn == drawn and r.anc.per_ul == anc.per_ul for r in reports)
