"""Random but mostly meaningful stories in the scenario format (conformance/spec/scenarios.md)
for the cross-surface property test: a world of offices and pharmacies set up on the first
day, then dated acts over months and years, with values, units, dates and actors that are
mostly right and now and then wrong in every way a form or a file can be wrong.

Each strategy draws its sensible choice first, so that hypothesis shrinks a failing story
towards plain values (2100 /uL drawn the day before, by the patient's own prescriber)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from hypothesis import strategies as st

from app.anc import PER_UL_SPELLINGS, THOUSANDS_SPELLINGS

Step = dict[str, Any]

START = date(2022, 1, 3)
DOB = date(1980, 1, 1)  # the scenario format's default date of birth

# Valid NPIs (rules.md §11), one per prescriber of the cast.
NPI = {"dr_a": "1234567893", "dr_b": "1558598797", "dr_u": "1000000004"}
OTHER_VALID_NPIS = ("1444444446", "2000000002")
BAD_NPIS: tuple[object, ...] = (
    "1234567890",  # fails the Luhn check
    "1234.567.893",  # a dot is not a separator (R20)
    "123456789",
    "",
    1234567893,  # not text (R20)
    None,
    "3234567893",
)

PATIENTS = ("p1", "p2", "p3")
UNKNOWN_PATIENT = "nobody"
GHOST = "ghost"  # an actor no step ever sets up: an account the registry does not know

MONITORING = ("weekly", "every_2_weeks", "monthly")
STATUSES = ("enrolled", "interrupted", "discontinued")

BAD_UNITS = ("g/L", "%", "1e3", "", "mg/dL", "cells/mm3", "/UL", "K", "10^6/uL")
# Not valid JSON for a number; a scenario file writes infinity as 1e400 (json reads it so).
INFINITIES = (float("inf"), float("-inf"))
BAD_DATES: tuple[object, ...] = (
    "2024-02-30",
    "2024-13-01",
    "01/02/2024",
    "",
    "yesterday",
    "2024-1-5",
    20240105,
    None,
)


# The world: who exists before the story starts.
@st.composite
def worlds(draw: st.DrawFn) -> tuple[list[Step], dict[str, list[str]]]:
    """The first day's set-up steps, and the cast by part: offices, pharmacies, everyone."""
    on = START.isoformat()
    steps: list[Step] = [
        {"on": on, "act": "certify_prescriber", "id": "dr_a", "npi": NPI["dr_a"]},
        {"on": on, "act": "certify_pharmacy", "id": "rx", "setting": "outpatient", "ar": "ar_rx"},
    ]
    prescribers, office, pharmacies, pharmacy_people = ["dr_a"], ["dr_a"], ["rx"], ["ar_rx"]
    if draw(st.booleans()):
        steps.append({"on": on, "act": "certify_prescriber", "id": "dr_b", "npi": NPI["dr_b"]})
        prescribers.append("dr_b")
    if draw(st.booleans()):
        # Enrolled, not certified: can do nothing on the list (rules.md §1).
        steps.append({"on": on, "act": "register_prescriber", "id": "dr_u", "npi": NPI["dr_u"]})
        prescribers.append("dr_u")
    office += prescribers[1:]
    for designee, boss in (("des_a", "dr_a"), ("des_b", "dr_b"), ("des_u", "dr_u")):
        if boss in prescribers and draw(st.booleans()):
            steps.append({"on": on, "act": "add_designee", "id": designee, "prescriber": boss})
            office.append(designee)
    if draw(st.booleans()):
        steps.append(
            {"on": on, "act": "certify_pharmacy", "id": "hosp", "setting": "inpatient",
             "ar": "ar_hosp"}
        )  # fmt: skip
        pharmacies.append("hosp")
        pharmacy_people.append("ar_hosp")
    if draw(st.booleans()):
        # One AR for two pharmacies (a chain, R19).
        setting = draw(st.sampled_from(("outpatient", "inpatient")))
        steps.append({"on": on, "act": "certify_pharmacy", "id": "rx_c", "setting": setting,
                      "ar": "ar_rx"})  # fmt: skip
        pharmacies.append("rx_c")
    if draw(st.booleans()):
        steps.append(
            {"on": on, "act": "register_pharmacy", "id": "rx_u", "setting": "outpatient",
             "ar": "ar_u"}
        )  # fmt: skip
        pharmacies.append("rx_u")
        pharmacy_people.append("ar_u")
    if draw(st.booleans()):
        steps.append({"on": on, "act": "add_pharmacy_staff", "id": "tech", "pharmacy": "rx"})
        pharmacy_people.append("tech")
    others = []
    if draw(st.booleans()):
        steps.append({"on": on, "act": "add_wholesaler", "id": "ws"})
        others.append("ws")
    cast = {
        "prescribers": prescribers,
        "office": office,
        "pharmacies": pharmacies,
        "pharmacy_people": pharmacy_people,
        "everyone": office + pharmacy_people + others + [GHOST],
    }
    return steps, cast


# Values, units and dates.
def _per_ul_units() -> st.SearchStrategy[str | None]:
    return st.sampled_from((None, *PER_UL_SPELLINGS, "CELLS / uL", " /uL "))


def _thousands_units() -> st.SearchStrategy[str]:
    return st.sampled_from((*THOUSANDS_SPELLINGS, "k/µL", "K / uL", "X10^3/uL"))


@st.composite
def anc_values(draw: st.DrawFn) -> tuple[object, str | None]:
    """A value and its unit (None: the field left out, so /uL)."""
    kind = draw(st.sampled_from(("per_ul",) * 9 + ("thousands",) * 4 + ("odd", "bad_unit")))
    if kind == "per_ul":
        value: object = draw(
            st.sampled_from((2100, 1500, 1499, 1000, 999, 500, 499, 0, 100000, 100001))
            | st.integers(0, 4000)
        )
        return value, draw(_per_ul_units())
    if kind == "thousands":
        value = draw(
            st.sampled_from((2.1, 1.6, 1.5, 1.49, 1.2, 1.0, 0.999, 0.8, 0.4, 0.0005, 1.0005, 100))
            | st.decimals(0, 5, places=3, allow_nan=False).map(float)
            | st.integers(0, 5)
        )
        return value, draw(_thousands_units())
    if kind == "bad_unit":
        return draw(st.integers(0, 4000)), draw(st.sampled_from(BAD_UNITS))
    value = draw(
        st.sampled_from(
            (
                "2000", "1,500", "", " 1500 ", True, False, None, -5, -0.5, 1.5, 2100.0,
                1e6, 100000.4, 1.60000000001, 1.600000001, 12345678901, *INFINITIES,
                [2000], {"value": 2000},
            )
        )
        | st.floats(-10, 200000, allow_nan=False, allow_infinity=False)
        | st.integers(-(10**12), 10**12)
    )  # fmt: skip
    unit = draw(st.sampled_from((None, "/uL", "K/uL")))
    return value, unit


@st.composite
def draw_dates(draw: st.DrawFn, on: date, dob: date = DOB) -> object:
    """Mostly a day or a few before `on`; now and then the future, before the date of birth,
    or no date at all."""
    kind = draw(st.sampled_from(("recent",) * 30 + ("old", "future", "before_birth", "bad")))
    if kind == "recent":
        return (on - timedelta(days=draw(st.integers(0, 20)))).isoformat()
    if kind == "old":
        return (on - timedelta(days=draw(st.integers(21, 400)))).isoformat()
    if kind == "future":
        return (on + timedelta(days=draw(st.integers(1, 30)))).isoformat()
    if kind == "before_birth":
        return (dob - timedelta(days=draw(st.integers(1, 400)))).isoformat()
    return draw(st.sampled_from(BAD_DATES))


@st.composite
def ancs(draw: st.DrawFn, on: date) -> dict[str, Any]:
    value, unit = draw(anc_values())
    anc: dict[str, Any] = {"value": value, "drawn": draw(draw_dates(on))}
    if unit is not None:
        anc["unit"] = unit
    return anc


def anc_lists(on: date, most: int = 3) -> st.SearchStrategy[list[dict[str, Any]]]:
    return st.lists(ancs(on), min_size=0, max_size=most)


# Acts.
def _one(cast: dict[str, list[str]], part: str, *extra: str) -> st.SearchStrategy[str]:
    return st.sampled_from(cast[part] + list(extra))


def _actor(cast: dict[str, list[str]]) -> st.SearchStrategy[str]:
    """Usually dr_a's office (whose patients most are), else another office, now and then
    anyone at all (wrong roles included)."""
    home = [who for who in ("dr_a", "des_a") if who in cast["office"]]
    return st.sampled_from(home * 6 + cast["office"] * 2 + cast["everyone"])


def _patient() -> st.SearchStrategy[str]:
    return st.sampled_from(("p1",) * 4 + PATIENTS * 2 + (UNKNOWN_PATIENT,))


@st.composite
def _enroll(draw: st.DrawFn, on: date, cast: dict[str, list[str]]) -> Step:
    population = draw(st.sampled_from(("general", "ben")))
    step: Step = {
        "act": "enroll_patient",
        "by": draw(_actor(cast)),
        "patient": draw(_patient()),
        "population": population,
    }
    dob = draw(st.sampled_from(("default",) * 6 + ("other", "future", "bad")))
    birth = DOB
    if dob == "other":
        birth = date(1950, 1, 1) + timedelta(days=draw(st.integers(0, 20000)))
        step["dob"] = birth.isoformat()
    elif dob == "future":
        step["dob"] = (on + timedelta(days=draw(st.integers(1, 30)))).isoformat()
    elif dob == "bad":
        step["dob"] = draw(st.sampled_from(BAD_DATES))
    count = draw(st.sampled_from((1, 1, 2, 0) if population == "general" else (2, 2, 1, 3, 0)))
    if draw(st.integers(0, 3)) > 0:
        # Most enrollments come with baseline ANCs that qualify (rules.md §4).
        lowest = 1500 if population == "general" else 1000
        step["ancs"] = [
            {"value": draw(st.integers(lowest, 4000)),
             "drawn": (on - timedelta(days=draw(st.integers(0, 10)))).isoformat()}
            for _ in range(max(count, 1 if population == "general" else 2))
        ]  # fmt: skip
    else:
        step["ancs"] = [draw(ancs(on)) for _ in range(count)]
    if draw(st.integers(0, 3)) == 0:
        step["hospice"] = draw(st.booleans())
    if draw(st.booleans()):
        step["monitoring"] = draw(st.sampled_from(MONITORING))
    if draw(st.integers(0, 5)) == 0:
        step["name"] = draw(st.sampled_from(("Linh Tran", "Zoë Ñúñez", "O'Brien", "")))
    return step


@st.composite
def _report_anc(draw: st.DrawFn, on: date, cast: dict[str, list[str]]) -> Step:
    return {"act": "report_anc", "by": draw(_actor(cast)), "patient": draw(_patient()),
            **draw(ancs(on))}  # fmt: skip


RATIONALES = ("Hematology consulted; benefits outweigh risks.", "   ", "", "ok")


@st.composite
def _submit_psf(draw: st.DrawFn, on: date, cast: dict[str, list[str]]) -> Step:
    step: Step = {
        "act": "submit_psf",
        "by": draw(_actor(cast)),
        "patient": draw(_patient()),
        "monitoring": draw(st.sampled_from(MONITORING)),
        "ancs": draw(anc_lists(on)),
    }
    if draw(st.booleans()):
        step["treatment_status"] = draw(st.sampled_from(STATUSES))
    if draw(st.integers(0, 2)) == 0:
        step["treatment_rationale"] = draw(st.sampled_from(RATIONALES))
    if draw(st.integers(0, 2)) == 0:
        step["authorize_missing_labs"] = draw(st.booleans())
    if draw(st.integers(0, 4)) == 0:
        step["ben"] = draw(st.booleans())
    if draw(st.integers(0, 4)) == 0:
        step["hospice"] = draw(st.booleans())
    if draw(st.integers(0, 3)) == 0:
        # Usually dr_a (the office of most patients); now and then anyone.
        step["signed_by"] = draw(st.sampled_from(["dr_a"] * 4 + cast["everyone"]))
    if draw(st.integers(0, 6)) == 0:
        step["adverse_event"] = "Fever, sore throat"
    return step


@st.composite
def _deactivate_patient(draw: st.DrawFn, on: date, cast: dict[str, list[str]]) -> Step:
    return {"act": "deactivate_patient", "by": draw(_actor(cast)), "patient": draw(_patient())}


def _pharmacy(cast: dict[str, list[str]]) -> st.SearchStrategy[str]:
    return st.sampled_from(cast["pharmacies"] * 4 + ["rx_none"])


@st.composite
def _pharmacy_actor(draw: st.DrawFn, step: Step, cast: dict[str, list[str]]) -> Step:
    """`by` left out (the pharmacy's AR) most of the time; else staff, or anyone."""
    if draw(st.integers(0, 4)) == 0:
        step["by"] = draw(st.one_of(_one(cast, "pharmacy_people"), _one(cast, "everyone")))
    return step


@st.composite
def _request_rda(draw: st.DrawFn, on: date, cast: dict[str, list[str]]) -> Step:
    pharmacy = draw(_pharmacy(cast))
    step: Step = {
        "act": "request_rda",
        "pharmacy": pharmacy,
        "patient": draw(_patient()),
        "prescriber": draw(_one(cast, "prescribers", GHOST)),
    }
    if draw(st.integers(0, 1 if pharmacy in ("hosp", "rx_c") else 6)) == 0:
        step["anc"] = draw(ancs(on))
    return draw(_pharmacy_actor(step, cast))


@st.composite
def _dispense_rationale(draw: st.DrawFn, on: date, cast: dict[str, list[str]]) -> Step:
    npi = draw(
        st.one_of(
            _one(cast, "prescribers").map(NPI.__getitem__),
            _one(cast, "prescribers").map(lambda p: f"{NPI[p][:4]} {NPI[p][4:7]}-{NPI[p][7:]}"),
            st.sampled_from(OTHER_VALID_NPIS + BAD_NPIS),
        )
    )
    step: Step = {"act": "dispense_rationale", "pharmacy": draw(_pharmacy(cast)),
                  "patient": draw(_patient()), "npi": npi, **draw(ancs(on))}  # fmt: skip
    return draw(_pharmacy_actor(step, cast))


@st.composite
def _check_patient(draw: st.DrawFn, on: date, cast: dict[str, list[str]]) -> Step:
    return {"act": "check_patient", "patient": draw(st.sampled_from(PATIENTS))}


@st.composite
def _check_pharmacy(draw: st.DrawFn, on: date, cast: dict[str, list[str]]) -> Step:
    step: Step = {"act": "check_pharmacy", "pharmacy": draw(_pharmacy(cast))}
    if draw(st.booleans()):
        step["by"] = draw(_one(cast, "everyone"))
    return step


@st.composite
def _reconfirm_pharmacy(draw: st.DrawFn, on: date, cast: dict[str, list[str]]) -> Step:
    step: Step = {"act": "reconfirm_pharmacy", "pharmacy": draw(_pharmacy(cast))}
    return draw(_pharmacy_actor(step, cast))


@st.composite
def _deactivate_pharmacy(draw: st.DrawFn, on: date, cast: dict[str, list[str]]) -> Step:
    return {"act": "deactivate_pharmacy", "pharmacy": draw(_one(cast, "pharmacies"))}


SETTINGS_OF = {"rx": "outpatient", "hosp": "inpatient", "rx_u": "outpatient"}
AR_OF = {"rx": "ar_rx", "hosp": "ar_hosp", "rx_u": "ar_u", "rx_c": "ar_rx"}


@st.composite
def _certify_later(draw: st.DrawFn, on: date, cast: dict[str, list[str]]) -> Step:
    """A later certification: a pharmacy again by its AR (after a deactivation or a lapse,
    R17, R18), a new AR for it, a new pharmacy of a chain's AR (R19), or dr_u at last."""
    kind = draw(st.sampled_from(("again", "new_ar", "chain", "prescriber")))
    if kind == "prescriber":
        return {"act": "certify_prescriber", "id": "dr_u", "npi": NPI["dr_u"]}
    pharmacy = draw(st.sampled_from(("rx", "hosp", "rx_u")))
    setting = SETTINGS_OF[pharmacy]
    if kind == "again":
        return {"act": "certify_pharmacy", "id": pharmacy, "setting": setting,
                "ar": AR_OF[pharmacy]}  # fmt: skip
    if kind == "new_ar":
        return {"act": "certify_pharmacy", "id": pharmacy, "setting": setting, "ar": "ar_new"}
    return {"act": "certify_pharmacy", "id": "rx_d", "setting": "outpatient",
            "ar": draw(st.sampled_from(("ar_rx", "ar_hosp")))}  # fmt: skip


@st.composite
def _add_person(draw: st.DrawFn, on: date, cast: dict[str, list[str]]) -> Step:
    if draw(st.booleans()):
        return {"act": "add_designee", "id": "des_late",
                "prescriber": draw(_one(cast, "prescribers", GHOST))}  # fmt: skip
    return {"act": "add_pharmacy_staff", "id": "tech_late", "pharmacy": draw(_pharmacy(cast))}


# (weight, act): the office's daily work most often, the pharmacy's next, the rest now and then.
ACTS = (
    (10, _enroll),
    (12, _report_anc),
    (14, _submit_psf),
    (12, _request_rda),
    (6, _dispense_rationale),
    (6, _check_patient),
    (2, _check_pharmacy),
    (2, _deactivate_patient),
    (2, _reconfirm_pharmacy),
    (1, _deactivate_pharmacy),
    (2, _certify_later),
    (2, _add_person),
)
_WEIGHTED = tuple(act for weight, act in ACTS for _ in range(weight))


def _days_later() -> st.SearchStrategy[int]:
    """Days between two acts: the same day or the next few, a PSF's month, now and then a
    year or more (a reconfirmation lapses after 730 days)."""
    return st.one_of(st.integers(0, 3), st.integers(0, 3), st.integers(4, 40), st.integers(41, 800))


@st.composite
def stories(draw: st.DrawFn, most_acts: int = 30) -> dict[str, Any]:
    """A scenario (as its JSON data): the world on the first day, then dated acts."""
    steps, cast = draw(worlds())
    on = START
    # Enroll someone early most of the time, so the story has a patient to talk about.
    acts: list[Step] = []
    if draw(st.integers(0, 4)) > 0:
        acts.append(
            {"on": START.isoformat(), "act": "enroll_patient", "by": "dr_a", "patient": "p1",
             "population": "general",
             "ancs": [{"value": 2100, "drawn": (START - timedelta(days=1)).isoformat()}]}
        )  # fmt: skip
    for _ in range(draw(st.integers(1, most_acts))):
        on += timedelta(days=draw(_days_later()))
        make = draw(st.sampled_from(_WEIGHTED))
        acts.append({"on": on.isoformat(), **draw(make(on, cast))})
    return {"title": "a generated story", "source": "tests/test_cross_surface.py",
            "steps": steps + acts}  # fmt: skip
