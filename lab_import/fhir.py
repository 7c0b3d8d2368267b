"""FHIR R4 lab results: a file (JSON, UTF-8, a byte-order mark tolerated) holding one
Observation, or a Bundle of any type (collection, searchset, transaction, message, ...) whose
entries hold Observations and the Patients, Specimens and Organizations they point at. Each
Observation becomes a `LabResult` carrying its patient; a panel's components (a CBC's ANC may
sit in one) become one result each. Other entries (DiagnosticReport, Patient, Specimen,
MessageHeader) are passed over. The file is read, never copied.

Read with the standard library's json and checked here, field by field, not with
fhir.resources: that brings pydantic and some 3,000 model modules into the desktop bundle,
which is at 148.6 of its 150 MiB, and we read a dozen fields. Each is checked for its type
where it is read: a name that is a number or a missing subject never stops the file, that
result just lacks the field, and assess or match_patient then refuse or hold it with the
reason in words. Only a file that is not a FHIR Observation or Bundle is refused (`NotFhir`).

The rules, where FHIR leaves a choice:
- The patient is `subject.reference` resolved against the Observation's contained resources
  ("#id"), else the Bundle's entries (by `fullUrl`, "urn:uuid:..." included, or
  "Patient/<id>", the relative or absolute form); a reference to nothing in the file leaves
  only `subject.display` as the name and no date of birth, so a person chooses the patient.
- The name is the `official` one, else the first that is not `old`, else the first: its
  `given` parts and `family`, or its `text` when it has no parts.
- The date of birth is a full YYYY-MM-DD; a partial one (1979, 1979-04) is no date of birth.
- The MRN is the identifier typed "MR" (v2-0203). MRNs are per lab, and `lab` is how the desk
  remembers which patient a lab's MRN belongs to, so `lab` is that identifier's `system` (a
  URI naming the lab's patient numbers, the same in every file the lab sends), else its
  assigner's display, else the Observation's first performer (its display, or the name of
  the Organization it points at).
- The value is valueQuantity.value exactly as written in the file (2.60 stays "2.60": JSON
  numbers are kept as their text, never a float); a comparator ("<0.5") is kept in front of
  it, so it is refused, never read as 0.5. The unit is the UCUM code when the system is UCUM
  (annotations such as "{cells}" dropped: in UCUM they mean nothing), else the unit as shown.
  A valueString is kept as its text (as an HL7 OBX-5 text is), refused by assess with the
  text quoted; any other kind of value is "".
- The draw date is the date part of effectiveDateTime, effectivePeriod.start or
  effectiveInstant (else the specimen's collection), as the lab wrote it: never moved to
  another time zone, because the date printed on the lab report is the one people compare.
- The accession is the Observation's first identifier (a corrected Observation keeps it, so
  plan_import finds the specimen it corrects by it), else its specimen's accessionIdentifier.
  FHIR R4 Observation has no element for the result it corrects: `replaces` is left empty
  unless an extension whose url ends in "replaces" says: its identifier, or the identifier of
  the Observation its reference points at (in the file, or given in the reference), else the
  reference as written.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from app.lab_results import LabResult

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
_WHAT_TO_DO = "Export the lab results as FHIR Observations (or a Bundle of them), HL7 v2 or CSV."
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")  # the date part of a FHIR date or dateTime
_FHIR_ID = re.compile(r"[A-Za-z0-9.\-]{1,64}")  # an id, as FHIR allows it: safe to show
_ANNOTATION = re.compile(r"\{[^{}]*\}")  # UCUM's {cells}: a note, not a unit

Json = dict[str, Any]


class NotFhir(ValueError):
    """The file is not a FHIR Observation or a Bundle: the message says what to export."""


@dataclass(frozen=True)
class _Number:
    """A JSON number as written in the file ("2.60"), so no float ever rounds it and a
    number is never taken for text (a name that is 42 is no name)."""

    text: str


def read_fhir(data: bytes, source: str) -> list[LabResult]:
    """Every Observation in the file, as results; `source` names the file. NotFhir when the
    file is not JSON, not a FHIR resource, or a resource other than an Observation or Bundle."""
    resource = _document(data)
    kind = resource.get("resourceType")
    if kind == "Observation":
        rid = _id(resource)
        label = f"{source}, Observation" + (f" {rid}" if rid else "")
        return list(_results(resource, _Resources(), label))
    if kind == "Bundle":
        return _bundle(resource, source)
    raise NotFhir(
        f"This file is a FHIR {_shown(kind)}, not an Observation or a Bundle of them. {_WHAT_TO_DO}"
    )


def _document(data: bytes) -> Json:
    try:
        text = data.removeprefix(codecs.BOM_UTF8).decode("utf-8")
    except UnicodeDecodeError:
        raise NotFhir(f"This file is not JSON (it is not UTF-8 text). {_WHAT_TO_DO}") from None
    try:
        document = json.loads(
            text,
            parse_float=_Number,
            parse_int=_Number,
            parse_constant=_Number,  # NaN, Infinity: kept as text, refused where read
            object_pairs_hook=_object,
        )
    except json.JSONDecodeError as error:
        raise NotFhir(
            f"This file is not JSON ({error.msg}, line {error.lineno}). {_WHAT_TO_DO}"
        ) from None
    except RecursionError:
        raise NotFhir(f"This file is not FHIR JSON (nested too deeply). {_WHAT_TO_DO}") from None
    if isinstance(document, list):
        raise NotFhir(
            "This file is a JSON list, and FHIR has none: a FHIR file holds one resource, an "
            f"Observation or a Bundle of them. {_WHAT_TO_DO}"
        )
    if not isinstance(document, dict) or not isinstance(document.get("resourceType"), str):
        raise NotFhir(f"This file is JSON but not a FHIR resource (no resourceType). {_WHAT_TO_DO}")
    return document


def _object(pairs: list[tuple[str, Any]]) -> Json:
    """A JSON object; one that names a field twice is refused, not read as either value."""
    found: Json = {}
    for key, value in pairs:
        if key in found:
            raise NotFhir(
                f"This file is not FHIR JSON: {_shown(key)!r} is given twice in one object, and "
                f"which one the lab meant is not guessed. {_WHAT_TO_DO}"
            )
        found[key] = value
    return found


def _shown(value: object) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


class _Resources:
    """The resources a reference can point at: a Bundle's entries, by fullUrl and by
    "Type/id" (only when one entry has it)."""

    def __init__(self, entries: list[Json] | None = None) -> None:
        self._found: dict[str, list[Json]] = {}
        for entry in entries or []:
            resource = _obj(entry, "resource")
            if resource is None:
                continue
            kind, rid = _text(resource, "resourceType"), _text(resource, "id")
            for key in {_text(entry, "fullUrl"), f"{kind}/{rid}" if kind and rid else ""} - {""}:
                self._found.setdefault(key, []).append(resource)

    def get(self, reference: str, kind: str, inside: Json) -> Json | None:
        """The `kind` resource `reference` names: contained in `inside` ("#id"), or an
        entry; None when it is not in the file, is another kind, or is ambiguous."""
        if not reference or reference == "#":
            return None
        if reference.startswith("#"):
            found = [r for r in _objs(inside, "contained") if _text(r, "id") == reference[1:]]
        else:
            plain = reference.split("/_history/")[0]
            found = self._found.get(plain, [])
            if not found:  # an absolute URL whose tail is Type/id
                tail = "/".join(plain.rsplit("/", 2)[-2:])
                found = self._found.get(tail, []) if tail != plain else []
        chosen = found[0] if len(found) == 1 else None
        return chosen if chosen is not None and _text(chosen, "resourceType") == kind else None


def _bundle(bundle: Json, source: str) -> list[LabResult]:
    entries = _objs(bundle, "entry")
    resources = _Resources(entries)
    results: list[LabResult] = []
    listed = bundle.get("entry")
    for number, entry in enumerate(listed if isinstance(listed, list) else [], start=1):
        resource = _obj(entry, "resource") if isinstance(entry, dict) else None
        if resource is not None and resource.get("resourceType") == "Observation":
            rid = _id(resource)  # the entry's number (1-based) finds it; the id names it
            label = f"{source}, entry {number}" + (f", Observation {rid}" if rid else "")
            results += _results(resource, resources, label)
    return results


def _id(resource: Json) -> str:
    """The resource's id when it is one FHIR allows (no spaces, no control characters)."""
    rid = _text(resource, "id")
    return rid if _FHIR_ID.fullmatch(rid) else ""


@dataclass(frozen=True)
class _Patient:
    name: str = ""
    dob: date | None = None
    mrn: str = ""
    lab: str = ""


def _results(observation: Json, resources: _Resources, label: str) -> Iterator[LabResult]:
    """The Observation's own result, and one per component with a code and a value."""
    patient = _patient(observation, resources)
    lab = patient.lab or _performer(observation, resources)
    specimen = _specimen(observation, resources)
    accession = _identifier(observation) or _text(_obj(specimen, "accessionIdentifier"), "value")
    value, unit = _value(observation)
    result = LabResult(
        patient_name=patient.name,
        dob=patient.dob,
        code=_code(observation),
        value=value,
        unit=unit,
        collected=_collected(observation) or _collected(_obj(specimen, "collection")),
        status=_text(observation, "status"),
        source=label,
        mrn=patient.mrn,
        accession=accession,
        replaces=_replaces(observation, resources),
        lab=lab,
    )
    components = _objs(observation, "component")
    if not components or _has_value(observation):
        yield result
    for number, component in enumerate(components, start=1):
        code = _code(component)
        if code and _has_value(component):  # the panel's patient, draw, status and number
            value, unit = _value(component)
            where = f"{label}, component {number}"
            yield replace(result, code=code, value=value, unit=unit, source=where)


def _patient(observation: Json, resources: _Resources) -> _Patient:
    subject = _obj(observation, "subject")
    found = resources.get(_text(subject, "reference"), "Patient", observation)
    if found is None:  # not in the file: the name the reference shows, no date of birth
        return _Patient(name=_text(subject, "display"))
    mrn, lab = "", ""
    for identifier in _objs(found, "identifier"):
        codes = {_text(c, "code") for c in _objs(_obj(identifier, "type"), "coding")}
        if "MR" in codes and _text(identifier, "value"):
            mrn = _text(identifier, "value")
            lab = _text(identifier, "system") or _text(_obj(identifier, "assigner"), "display")
            break
    return _Patient(_name(found), _full_date(_text(found, "birthDate")), mrn, lab)


def _name(patient: Json) -> str:
    names = _objs(patient, "name")
    if not names:
        return ""
    official = [n for n in names if _text(n, "use") == "official"]
    current = [n for n in names if _text(n, "use") != "old"]
    chosen = (official or current or names)[0]
    given = chosen.get("given")
    parts = [p.strip() for p in given if isinstance(p, str)] if isinstance(given, list) else []
    whole = " ".join(p for p in [*parts, _text(chosen, "family")] if p)
    return whole or _text(chosen, "text")


def _full_date(text: str) -> date | None:
    """The date of a FHIR date or dateTime, as written; None when partial or not a date."""
    found = _DATE.match(text)
    if found is None:
        return None
    try:
        return date(int(found[1]), int(found[2]), int(found[3]))
    except ValueError:
        return None


def _collected(holder: Json | None) -> date | None:
    if holder is None:
        return None
    for key in ("effectiveDateTime", "collectedDateTime"):
        if key in holder:
            return _full_date(_text(holder, key))
    for key in ("effectivePeriod", "collectedPeriod"):
        if key in holder:
            return _full_date(_text(_obj(holder, key), "start"))
    return _full_date(_text(holder, "effectiveInstant"))


def _code(holder: Json) -> str:
    """The LOINC code, else the first code given (a lab's own, mapped in its settings)."""
    codes = [(_text(c, "system"), _text(c, "code")) for c in _objs(_obj(holder, "code"), "coding")]
    given = [(system, code) for system, code in codes if code]
    return next((code for system, code in given if system == LOINC), given[0][1] if given else "")


def _has_value(holder: Json) -> bool:
    return any(key.startswith("value") for key in holder)


def _value(holder: Json) -> tuple[str, str]:
    """The value as written and its unit; ("", "") when it is not a quantity or text."""
    quantity = _obj(holder, "valueQuantity")
    if quantity is None:
        return _text(holder, "valueString"), ""
    number = quantity.get("value")
    value = number.text if isinstance(number, _Number) else ""
    comparator = _text(quantity, "comparator")
    if value and comparator:
        value = comparator + value
    code = _text(quantity, "code")
    if _text(quantity, "system") == UCUM and code:
        return value, _ANNOTATION.sub("", code) or code
    return value, _text(quantity, "unit")


def _specimen(observation: Json, resources: _Resources) -> Json | None:
    return resources.get(_text(_obj(observation, "specimen"), "reference"), "Specimen", observation)


def _identifier(observation: Json) -> str:
    identifiers = _objs(observation, "identifier")
    return _text(identifiers[0], "value") if identifiers else ""


def _replaces(observation: Json, resources: _Resources) -> str:
    """The lab's number of the result this one corrects, as plan_import looks it up (with
    the accession): an identifier, or the identifier of the Observation referred to (in the
    file, or named in the reference); else the reference itself."""
    for extension in _objs(observation, "extension"):
        if not _text(extension, "url").endswith("replaces"):
            continue
        named = _text(_obj(extension, "valueIdentifier"), "value")
        reference = _obj(extension, "valueReference")
        target = resources.get(_text(reference, "reference"), "Observation", observation)
        return (
            named
            or (_identifier(target) if target is not None else "")
            or _text(_obj(reference, "identifier"), "value")
            or _text(reference, "reference")
        )
    return ""


def _performer(observation: Json, resources: _Resources) -> str:
    for performer in _objs(observation, "performer"):
        shown = _text(performer, "display")
        found = resources.get(_text(performer, "reference"), "Organization", observation)
        if shown or found is not None:
            return shown or _text(found, "name")
    return ""


# The checks every field goes through: a field of the wrong type is as good as absent.


def _text(holder: Json | None, key: str) -> str:
    value = holder.get(key) if holder is not None else None
    if not isinstance(value, str):
        return ""
    # A lone surrogate ("\ud800" in the JSON) could not be shown or printed: replaced.
    return value.encode("utf-8", "replace").decode("utf-8").strip()


def _obj(holder: Json | None, key: str) -> Json | None:
    value = holder.get(key) if holder is not None else None
    return value if isinstance(value, dict) else None


def _objs(holder: Json | None, key: str) -> list[Json]:
    value = holder.get(key) if holder is not None else None
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []
