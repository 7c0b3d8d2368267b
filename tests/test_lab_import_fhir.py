"""FHIR R4 lab files read into results (lab_import/fhir.py) and what importing them would do
(app/use_cases/lab_import.py), on the sample files in tests/lab_samples/, written for these
tests with the demo clinic's invented patients (no real patient)."""

from __future__ import annotations

import codecs
import contextlib
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.anc import Anc
from app.lab_results import LabResult, Outcome, assess
from app.use_cases.lab_import import Action, plan_import
from desk.demo.clinic import build_demo_clinic
from lab_import.fhir import NotFhir, read_fhir
from tests.test_lab_results import patient

SAMPLES = Path(__file__).parent / "lab_samples"
BUNDLE = SAMPLES / "fhir-bundle.json"
LONE = SAMPLES / "fhir-observation.json"
DRAWN = date(2026, 11, 30)
SNOMED = "http://snomed.info/sct"
OURS = [
    patient("p-nunez", "María José Núñez-Ölçer", date(1979, 4, 12)),
    patient("p-oconnor", "James O'Connor", date(1990, 9, 30)),
    patient("p-bello", "Aisha Bello", date(1985, 1, 22)),
    patient("p-kowalski", "Tomasz Kowalski", date(1972, 6, 3)),
    patient("p-tran", "Linh Tran", date(1968, 11, 15)),
    patient("p-kim", "Grace Kim", date(1941, 3, 27)),
    patient("p-adeyemi", "Chidi Adeyemi", date(2001, 12, 1)),
]


def ucum(value: object, code: str, **more: str) -> dict[str, object]:
    return {"value": value, "system": "http://unitsofmeasure.org", "code": code, **more}


def bundle_results() -> list[LabResult]:
    return read_fhir(BUNDLE.read_bytes(), BUNDLE.name)


def observation(**fields: Any) -> dict[str, Any]:
    """A lone ANC Observation for Chidi Adeyemi (contained), with `fields` replaced."""
    resource: dict[str, Any] = json.loads(LONE.read_bytes())
    resource.update(fields)
    return {k: v for k, v in resource.items() if v is not None}


def read(resource: object) -> list[LabResult]:
    return read_fhir(json.dumps(resource, ensure_ascii=False).encode(), "lab.json")


def test_each_observation_of_the_bundle_is_a_result_with_its_patient_and_draw() -> None:
    results = bundle_results()
    assert len(results) == 11  # 7 Patients, a Specimen and a DiagnosticReport passed over
    first = results[0]
    assert (first.patient_name, first.dob, first.mrn) == (
        "María José Núñez-Ölçer",  # the official name, not the usual "Majo Núñez"
        date(1979, 4, 12),
        "A1001",
    )
    assert (first.code, first.value, first.unit, first.status) == (
        "751-8",
        "2.60",
        "10*3/uL",
        "final",
    )
    # Drawn 23:40 on 11/30 in New York (12/01 in UTC): the date on the lab report is kept.
    assert first.collected == DRAWN and first.accession == "ACC-2001"
    assert first.source == "fhir-bundle.json, entry 8, Observation anc-nunez"
    assert first.lab == "https://lab.example.org/fhir/sid/mrn"  # the MRN's system: per lab
    oconnor = results[1]  # "Patient/pat-oconnor", the LOINC coding chosen over the lab's own
    assert (oconnor.patient_name, oconnor.code, oconnor.unit) == (
        "James O'Connor",
        "751-8",
        "10*9/L",
    )
    assert results[2].patient_name == "Aisha Bello"  # a name given only as text


def test_the_values_in_cells_per_ul_through_r15s_units() -> None:
    seen = {r.source.split(", ", 1)[1]: assess(r) for r in bundle_results()}
    assert seen["entry 8, Observation anc-nunez"].anc == Anc(2600)  # 2.60 10*3/uL
    assert seen["entry 9, Observation anc-oconnor"].anc == Anc(1400)  # 1.4 10*9/L
    assert seen["entry 10, Observation anc-bello"].anc == Anc(900)  # 900 /uL
    assert seen["entry 17, Observation cbc-kowalski-panel, component 2"].anc == Anc(1100)
    percent = seen["entry 11, Observation neut-pct-kowalski"]
    assert percent.outcome is Outcome.REFUSE and "neutrophil percentage" in percent.reason
    assert "not an ANC" in seen["entry 17, Observation cbc-kowalski-panel, component 1"].reason
    text = seen["entry 19, Observation anc-bello-2"]  # a valueString: quoted, refused
    assert text.outcome is Outcome.REFUSE and "Specimen clotted" in text.reason


def test_the_bundle_planned_against_our_patients() -> None:
    rows = plan_import(bundle_results(), OURS, lambda _: [])
    assert [
        (r.action, r.match.patient.id if r.match and r.match.patient else None) for r in rows
    ] == [
        (Action.RECORD, "p-nunez"),
        (Action.RECORD, "p-oconnor"),
        (Action.RECORD, "p-bello"),
        (Action.REFUSE, None),  # a neutrophil %
        (Action.HOLD, "p-tran"),  # preliminary
        (Action.RECORD, "p-tran"),  # amended: recorded as a corrected result
        (Action.CHOOSE_PATIENT, None),  # nobody here is John Smith born 1970-01-01
        (Action.REFUSE, None),  # the panel's white count
        (Action.RECORD, "p-kowalski"),  # the panel's ANC
        (Action.CHOOSE_PATIENT, None),  # Grace Kim's birthDate is only "1941"
        (Action.REFUSE, None),  # a valueString
    ]
    assert "No patient" in rows[6].reason and "no date of birth" in rows[9].reason
    assert rows[5].reason.startswith("1,800/µL, a corrected result; replaces the preliminary")


def test_a_corrected_observation_keeps_its_identifier_and_may_say_what_it_replaces() -> None:
    preliminary, amended = bundle_results()[4:6]
    assert (preliminary.status, amended.status) == ("preliminary", "amended")
    assert preliminary.accession == amended.accession == "ACC-2005"
    # The extension's reference, to the preliminary in the file: that one's identifier.
    assert (preliminary.replaces, amended.replaces) == ("", "ACC-2005")
    url = "https://lab.example.org/fhir/StructureDefinition/replaces"
    said: list[tuple[dict[str, object], str]] = [
        ({"valueIdentifier": {"value": "LCL-26-0400"}}, "LCL-26-0400"),
        ({"valueReference": {"identifier": {"value": "LCL-26-0401"}}}, "LCL-26-0401"),
        ({"valueReference": {"reference": "Observation/elsewhere"}}, "Observation/elsewhere"),
        ({"valueString": "LCL-26-0402"}, ""),
    ]
    for value, replaces in said:
        (result,) = read(observation(status="corrected", extension=[{"url": url, **value}]))
        assert result.replaces == replaces


def test_a_panel_s_components_carry_its_patient_draw_and_specimen_accession() -> None:
    white, anc = bundle_results()[7:9]
    assert white.source.endswith("cbc-kowalski-panel, component 1")
    assert (anc.patient_name, anc.collected, anc.status) == ("Tomasz Kowalski", DRAWN, "final")
    assert anc.accession == "ACC-2007"  # from the Specimen the panel points at
    # The third component (no value: dataAbsentReason) is not a result.
    assert len([r for r in bundle_results() if "cbc-kowalski" in r.source]) == 2


def test_a_lone_observation_with_a_contained_patient_and_specimen() -> None:
    (result,) = read_fhir(LONE.read_bytes(), LONE.name)
    assert result.source == "fhir-observation.json, Observation anc-adeyemi-1"
    assert (result.patient_name, result.dob, result.mrn) == (
        "Chidi Adeyemi",
        date(2001, 12, 1),
        "C7001",
    )
    assert result.lab == "urn:oid:2.16.840.1.113883.3.9999.7"
    assert result.accession == "LCL-26-0458" and result.collected == date(2026, 12, 2)
    # UCUM's {cells}/uL is /uL: the annotation in braces means nothing in UCUM.
    assert (result.value, result.unit) == ("1250", "/uL")
    (row,) = plan_import([result], OURS, lambda _: [])
    assert (row.action, row.match and row.match.patient) == (Action.RECORD, OURS[6])


def test_the_samples_match_the_demo_clinic_s_patients() -> None:
    """What `clozapine-desk import --dry-run` will show, matched against the demo clinic."""
    clinic = build_demo_clinic(date(2026, 12, 3))
    results = bundle_results() + read_fhir(LONE.read_bytes(), LONE.name)
    rows = plan_import(results, clinic.ledger.patients(), clinic.ledger.anc_history)
    matched = [r.match.patient.id for r in rows if r.match and r.match.patient]
    assert matched == ["p-nunez", "p-oconnor", "p-bello", "p-tran", "p-tran", "p-kowalski",
                       "p-adeyemi"]  # fmt: skip


@pytest.mark.parametrize(
    ("quantity", "value", "unit", "per_ul"),
    [
        (ucum(2.60, "10*3/uL"), "2.6", "10*3/uL", 2600),
        (ucum(1.45, "10*9/L", unit="x10E9/L"), "1.45", "10*9/L", 1450),  # the code, not the unit
        (ucum(1500, "/uL"), "1500", "/uL", 1500),
        (ucum(1500, "{cells}/uL"), "1500", "/uL", 1500),
        ({"value": 1.5, "unit": "K/uL"}, "1.5", "K/uL", 1500),  # no system: the unit as shown
        ({**ucum(1.5, "258997004", unit="K/uL"), "system": SNOMED}, "1.5", "K/uL", 1500),
    ],
)
def test_ucum_codes_and_units_the_desk_accepts(
    quantity: dict[str, object], value: str, unit: str, per_ul: int
) -> None:
    (result,) = read(observation(valueQuantity=quantity))
    assert (result.value, result.unit) == (value, unit)
    assert assess(result).anc == Anc(per_ul)


def test_values_are_kept_as_written_never_rounded_by_a_float() -> None:
    text = json.dumps(observation()).replace('"value": 1250', '"value": 0.1000000000000000055511')
    (result,) = read_fhir(text.encode(), "lab.json")
    assert result.value == "0.1000000000000000055511"  # a float would say 0.1
    assert assess(result).outcome is Outcome.REFUSE  # more digits than any lab prints


@pytest.mark.parametrize(
    ("quantity", "reason"),
    [
        (ucum(0.5, "10*3/uL", comparator="<"), "'<0.5' is not a number"),  # never 500/µL
        (ucum("1.5", "10*3/uL"), "The lab sent no number"),  # a number sent as text: no value
        (ucum(1.5, "g/L"), "'g/L' is not an ANC unit"),
        (ucum(1.5, "10*3/mm3"), "'10*3/mm3' is not an ANC unit"),
        ({"value": 1500}, "'' is not an ANC unit"),
    ],
)
def test_values_the_desk_refuses_with_the_reason(quantity: dict[str, object], reason: str) -> None:
    (result,) = read(observation(valueQuantity=quantity))
    seen = assess(result)
    assert seen.outcome is Outcome.REFUSE and reason in seen.reason


def test_statuses_as_sent() -> None:
    for status, outcome in [
        ("final", Outcome.RECORD),
        ("corrected", Outcome.RECORD),
        ("preliminary", Outcome.HOLD),
        ("registered", Outcome.REFUSE),
        ("cancelled", Outcome.REFUSE),
        ("entered-in-error", Outcome.REFUSE),
    ]:
        (result,) = read(observation(status=status))
        assert (result.status, assess(result).outcome) == (status, outcome)


def test_draw_dates_from_a_period_an_instant_or_the_specimen_and_partial_ones_refused() -> None:
    def drawn(**fields: Any) -> date | None:
        return read(observation(effectiveDateTime=None, **fields))[0].collected

    assert drawn(effectivePeriod={"start": "2026-11-28T22:00:00+01:00"}) == date(2026, 11, 28)
    assert drawn(effectiveInstant="2026-11-27T06:00:00.000Z") == date(2026, 11, 27)
    assert drawn() == date(2026, 12, 2)  # none given: the contained specimen's collection
    (partial,) = read(observation(effectiveDateTime="2026-11", specimen=None))
    assert partial.collected is None and "no collection date" in assess(partial).reason


def test_patients_referenced_every_way_a_bundle_does() -> None:
    lone = observation(contained=None)
    adeyemi = json.loads(LONE.read_bytes())["contained"][0]
    uuid = "urn:uuid:9a0d3d62-2f0e-4a55-8d1e-3c8f5d1b0a11"
    server = "https://fhir.example.org/Patient/p1"
    for full_url, reference in [
        (uuid, uuid),
        (server, "Patient/p1"),
        (server, f"{server}/_history/3"),
        ("Patient/p1", "Patient/p1"),  # a relative fullUrl: the same entry, not two
    ]:
        bundle = {
            "resourceType": "Bundle",
            "type": "searchset",
            "entry": [
                {"fullUrl": full_url, "resource": adeyemi},
                {"resource": {**lone, "subject": {"reference": reference}}},
            ],
        }
        (result,) = read(bundle)
        assert (result.patient_name, result.dob) == ("Chidi Adeyemi", date(2001, 12, 1)), reference
        assert result.source == "lab.json, entry 2, Observation anc-adeyemi-1"


def test_a_reference_two_entries_answer_to_is_no_patient() -> None:
    adeyemi = json.loads(LONE.read_bytes())["contained"][0]
    kim = {**adeyemi, "name": [{"given": ["Grace"], "family": "Kim"}], "birthDate": "1941-03-27"}
    entries = [
        {"fullUrl": "https://one.example.org/Patient/p1", "resource": adeyemi},
        {"fullUrl": "https://two.example.org/Patient/p1", "resource": kim},
        {"resource": {**observation(contained=None), "subject": {"reference": "Patient/p1"}}},
    ]
    (result,) = read({"resourceType": "Bundle", "type": "collection", "entry": entries})
    assert (result.patient_name, result.dob) == ("", None)


def test_a_patient_not_in_the_file_leaves_a_person_to_choose() -> None:
    (result,) = read(
        observation(subject={"reference": "Patient/elsewhere", "display": "Chidi Adeyemi"})
    )
    assert (result.patient_name, result.dob, result.mrn) == ("Chidi Adeyemi", None, "")
    (row,) = plan_import([result], OURS, lambda _: [])
    assert row.action is Action.CHOOSE_PATIENT and "no date of birth" in row.reason


def test_malformed_parts_leave_the_field_empty_and_never_stop_the_file() -> None:
    adeyemi = json.loads(LONE.read_bytes())["contained"]
    odd = [{**adeyemi[0], "name": [{"family": 42, "given": "Chidi"}], "birthDate": 20011201}]
    (result,) = read(observation(contained=odd, code={"coding": "751-8"}, status=["final"]))
    assert (result.patient_name, result.dob, result.code, result.status) == ("", None, "", "")
    assert "not an ANC" in assess(result).reason
    impossible = [{**adeyemi[0], "birthDate": "2001-02-30"}]
    assert read(observation(contained=impossible))[0].dob is None
    (no_subject,) = read(observation(subject=None))
    assert (no_subject.patient_name, no_subject.dob) == ("", None)
    assert read({"resourceType": "Bundle", "entry": {"resource": observation()}}) == []
    assert read({"resourceType": "Bundle", "entry": [7, None, {"resource": "Observation"}]}) == []


def test_a_file_with_a_byte_order_mark_is_read() -> None:
    (result,) = read_fhir(codecs.BOM_UTF8 + LONE.read_bytes(), LONE.name)
    assert result.patient_name == "Chidi Adeyemi"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"MSH|^~\\&|LAB|...", "not JSON (Expecting value, line 1)"),
        (b"\xff\xfe{\x00}\x00", "not JSON (it is not UTF-8 text)"),
        (b'{"id": "anc-1", "status": "final"}', "not a FHIR resource (no resourceType)"),
        (b'[{"resourceType": "Observation"}]', "a JSON list, and FHIR has none"),
        (b'"Observation"', "not a FHIR resource"),
        (b'{"resourceType": "DiagnosticReport"}', "a FHIR DiagnosticReport, not an Observation"),
        (
            b'{"resourceType": "Observation", "status": "1", "status": "2"}',
            "'status' is given twice",
        ),
        (b"[" * 100_000, "nested too deeply"),
    ],
)
def test_files_that_are_not_fhir_observations_are_refused_saying_what_to_export(
    data: bytes, message: str
) -> None:
    with pytest.raises(NotFhir, match="Export the lab results as FHIR Observations") as refused:
        read_fhir(data, "export.json")
    assert message in str(refused.value)


# Fuzzing: any JSON at all, and FHIR-shaped JSON with the fields the reader looks at filled
# with anything, gives results or NotFhir, never another exception.
_KEYS = ["resourceType", "entry", "resource", "fullUrl", "id", "subject", "reference", "display",
         "contained", "name", "given", "family", "text", "use", "birthDate", "identifier", "type",
         "coding", "code", "system", "value", "assigner", "status", "effectiveDateTime",
         "effectivePeriod", "start", "effectiveInstant", "valueQuantity", "unit", "comparator",
         "valueString", "component", "specimen", "accessionIdentifier", "collection",
         "collectedDateTime", "extension", "url", "valueReference", "performer"]  # fmt: skip
_WORDS = ["Observation", "Bundle", "Patient", "Specimen", "Organization", "official", "old",
          "MR", "http://loinc.org", "http://unitsofmeasure.org", "751-8", "770-8", "10*3/uL",
          "{cells}/uL", "#p1", "p1", "Patient/p1", "urn:uuid:1", "final", "2026-11-30",
          "2026-02-30T10:00:00Z", "1979", "replaces", "", "\ud800"]  # fmt: skip
_LEAVES = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=8)
    | st.sampled_from(_WORDS)
)
_ANY_JSON = st.recursive(
    _LEAVES,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(_KEYS) | st.text(max_size=4), inner, max_size=6)
    ),
    max_leaves=40,
)


@settings(max_examples=300, deadline=None)
@given(_ANY_JSON, st.sampled_from(["Observation", "Bundle", None]))
def test_any_json_gives_results_or_not_fhir(document: object, kind: str | None) -> None:
    if kind and isinstance(document, dict):
        document = {**document, "resourceType": kind}
    if kind == "Bundle" and isinstance(document, dict):  # some entries that are resources
        document["entry"] = [
            {"resource": {**document, "resourceType": "Observation"}},
            {"fullUrl": "urn:uuid:1", "resource": {**document, "resourceType": "Patient"}},
        ]
    try:
        results = read_fhir(json.dumps(document).encode("utf-8", "surrogatepass"), "fuzz.json")
    except NotFhir:
        return
    assert all(isinstance(r, LabResult) for r in results)
    for result in results:
        assess(result)  # and the results themselves never stop the desk either
        plan_import([result], OURS, lambda _: [])


def _mutated(document: Any, data: st.DataObject) -> Any:
    """`document` with one of its parts, chosen at random, replaced by any JSON."""
    if not isinstance(document, dict | list) or data.draw(st.integers(0, 5)) == 0:
        return data.draw(_ANY_JSON)
    keys = list(document) if isinstance(document, dict) else list(range(len(document)))
    if not keys:
        return data.draw(_ANY_JSON)
    key = data.draw(st.sampled_from(keys))
    copy: Any = dict(document) if isinstance(document, dict) else list(document)
    copy[key] = _mutated(document[key], data)
    return copy


@settings(max_examples=300, deadline=None)
@given(st.sampled_from([BUNDLE, LONE]), st.integers(1, 6), st.data())
def test_the_samples_with_any_part_replaced_give_results_or_not_fhir(
    sample: Path, changes: int, data: st.DataObject
) -> None:
    document = json.loads(sample.read_bytes())
    for _ in range(changes):
        document = _mutated(document, data)
    try:
        results = read_fhir(json.dumps(document).encode(), sample.name)
    except NotFhir:
        return
    for row in plan_import(results, OURS, lambda _: []):
        assert row.reason  # every row says why


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=64))
def test_any_bytes_give_results_or_not_fhir(data: bytes) -> None:
    with contextlib.suppress(NotFhir):
        read_fhir(data, "fuzz.json")
