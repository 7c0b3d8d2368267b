"""The knowledge assessment that, with the enrollment form, certifies a prescriber or a
pharmacy (FAQ: "complete the Knowledge Assessment"). Our own short one, written from the FAQ
and the label's monitoring; the numbers come from app/thresholds.py so they cannot disagree
with the rules. Every answer must be right to pass; a person may try again.
"""

from __future__ import annotations

from dataclasses import dataclass

from app import thresholds as th
from app.roles import Role


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    choices: tuple[str, ...]
    answer: int  # index into choices
    why: str


def _n(value: int) -> str:
    return f"{value:,}/µL"


_SHARED = (
    Question(
        "severe",
        "Below which ANC is neutropenia severe, in every patient population?",
        (_n(1000), _n(th.SEVERE_BELOW), _n(1500), _n(250)),
        1,
        f"Severe neutropenia is an ANC below {_n(th.SEVERE_BELOW)} (label, Table 1).",
    ),
    Question(
        "start_general",
        "What ANC must a patient in the general population have to start clozapine?",
        (
            f"at least {_n(th.GENERAL_NORMAL_MIN)}",
            f"at least {_n(1000)}",
            "any ANC",
            "above 3,000/µL",
        ),
        0,
        f"Treatment starts at an ANC of at least {_n(th.GENERAL_NORMAL_MIN)}.",
    ),
    Question(
        "start_ben",
        "What ANC must a patient with benign ethnic neutropenia (BEN) have to start, and how "
        "many baseline ANCs are needed?",
        (
            f"at least {_n(th.BEN_NORMAL_MIN)}, two baseline ANCs",
            f"at least {_n(th.GENERAL_NORMAL_MIN)}, one baseline ANC",
            f"at least {_n(500)}, no baseline needed",
            f"at least {_n(th.BEN_NORMAL_MIN)}, one baseline ANC",
        ),
        0,
        f"BEN patients start at {_n(th.BEN_NORMAL_MIN)} or more, with at least "
        f"{th.BEN_BASELINE_ANCS} baseline ANCs.",
    ),
    Question(
        "monitoring",
        "How often is the ANC monitored during the first six months of treatment?",
        ("weekly", "every 2 weeks", "monthly", "only at the start"),
        0,
        "Weekly for the first 6 months, every 2 weeks for months 6-12, then monthly.",
    ),
)

_PRESCRIBER = (
    Question(
        "moderate",
        "A patient in the general population has an ANC of 800/µL (moderate neutropenia). "
        "What does the label recommend?",
        (
            "interrupt treatment and monitor ANC daily",
            "continue and check monthly",
            "discontinue permanently",
            "double the dose",
        ),
        0,
        "Moderate neutropenia: interrupt therapy, monitor daily until ANC is 1,000/µL or more.",
    ),
    Question(
        "psf",
        "How often must a Patient Status Form be submitted for a patient to keep receiving "
        "clozapine?",
        (
            f"at least every {th.PSF_CURRENT_DAYS} days",
            "once a year",
            "only when the ANC changes",
            "never; the lab reports it",
        ),
        0,
        f"Without a PSF in the last {th.PSF_CURRENT_DAYS} days the pharmacy's dispense is denied.",
    ),
)

_PHARMACY = (
    Question(
        "rda",
        "What must the pharmacy obtain before dispensing clozapine?",
        (
            "a REMS Dispense Authorization (RDA)",
            "a phone call with the patient",
            "nothing beyond the prescription",
            "a new enrollment each time",
        ),
        0,
        "Every dispense needs an RDA from the program.",
    ),
    Question(
        "rationale_limit",
        "When the dispense is denied only because no Patient Status Form was submitted, how "
        "many Dispense Rationales may outpatient pharmacies give a patient in 365 days?",
        ("none", str(th.OUTPATIENT_DISPENSE_RATIONALE_LIMIT), "10", "no limit"),
        1,
        f"At most {th.OUTPATIENT_DISPENSE_RATIONALE_LIMIT} at outpatient pharmacies in a "
        "rolling 365 days.",
    ),
)


# Who takes the assessment at all is app/'s (Action.TAKE_ASSESSMENT); these are the
# questions each of them answers.
_QUESTIONS = {Role.PRESCRIBER: _SHARED + _PRESCRIBER, Role.PHARMACY_AR: _SHARED + _PHARMACY}


def questions_for(role: Role) -> tuple[Question, ...]:
    return _QUESTIONS.get(role, ())


@dataclass(frozen=True)
class Score:
    correct: int
    asked: int
    wrong: tuple[Question, ...]

    @property
    def passed(self) -> bool:
        return self.asked > 0 and self.correct == self.asked


def score(role: Role, answers: dict[str, int]) -> Score:
    asked = questions_for(role)
    wrong = tuple(q for q in asked if answers.get(q.id) != q.answer)
    return Score(len(asked) - len(wrong), len(asked), wrong)


def correct_answers(role: Role) -> dict[str, int]:
    """For tests and the scenario runner, which certify by passing the assessment."""
    return {q.id: q.answer for q in questions_for(role)}
