"""Fax-ready forms, read back as their receiver would: every filled value is in the text,
every QR code decodes to exactly the form's data, blank forms have every box and no data,
and the fax rules (Letter, black on white, 10 pt text, 1 pt rules, embedded font) hold."""

from __future__ import annotations

import io
import re
from datetime import date, datetime, timedelta, timezone

import pytest
from pypdf import PdfReader
from pypdf.generic import ContentStream, DictionaryObject

from app.anc import Population
from app.records import Patient
from app.signatures import PRESCRIBER_MEANING, Signature, content_hash
from app.statuses import MonitoringFrequency, TreatmentStatus
from cli.print_forms import FORM_NAMES, PATIENT_FORMS, build
from desk.demo.clinic import build_demo_clinic
from printing import fill, forms, qr_payload
from printing.render import DRAFT_MARK, render
from printing.spec import Field, FormData, FormSpec, Kind
from tests.support.pdf_reading import page_texts, qr_texts

TODAY = date(2026, 11, 25)
CLINIC = build_demo_clinic(TODAY)
PATIENT_FOR = {"psf": "p-oconnor", "anc-lab-report": "p-bello", "patient-enrollment": "p-bello"}


def filled(name: str) -> FormData:
    return build(name, CLINIC.ledger, PATIENT_FOR.get(name), TODAY, pages=3)


def shown(field: Field, value: object) -> list[str]:
    """What a reader should find on the page for this value."""
    if field.kind is Kind.DATE:
        return [f"{date.fromisoformat(str(value)):%m/%d/%Y}"]
    if field.kind is Kind.CHOICE:
        label = dict(field.options)[str(value)]
        return [f"X{label}"]
    if field.kind is Kind.CHECK:
        return [f"X{field.label}"] if value else []
    if field.kind is Kind.TABLE:
        assert isinstance(value, list)
        cells = []
        for row in value:
            cells.append(f"{date.fromisoformat(row['drawn']):%m/%d/%Y}")
            cells += [row["value"], row["unit"]]
        return cells
    if field.kind is Kind.LINES:
        return str(value).split()
    return [str(value)]


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("name", sorted(FORM_NAMES))
def test_every_filled_value_is_on_the_page_and_the_qr_gives_back_exactly_the_data(
    name: str,
) -> None:
    form = filled(name)
    assert form.values, "the demo fills this form"
    data = render(form)
    text = squeeze("".join(page_texts(data)))
    by_key = {f.key: f for f in form.spec.fields()}
    for key, value in form.values.items():
        for piece in shown(by_key[key], value):
            assert squeeze(piece) in text, f"{name}: {key}={value!r} not printed as {piece!r}"
    document = qr_payload.decode(qr_texts(data))
    assert document["form"] == form.spec.code
    assert document["data"] == form.values


@pytest.mark.parametrize("spec", forms.ALL, ids=lambda s: s.code)
def test_a_blank_form_has_every_field_box_and_no_data(spec: FormSpec) -> None:
    data = render(fill.blank(spec))
    pages = page_texts(data)
    text = squeeze("".join(pages))
    for field in spec.fields():
        assert squeeze(field.label) in text, f"{spec.code}: no box labelled {field.label!r}"
        for column in (c[1] for c in field.columns):
            assert squeeze(column) in text
    assert qr_texts(data) == []
    assert DRAFT_MARK not in "".join(pages)
    if spec.subject:
        assert all(f"{spec.subject.capitalize()}: BLANK" in page for page in pages)
    for value in ("Okafor", "Bello", "O'Connor", "1234567893", "555-201"):
        assert value not in text


@pytest.mark.parametrize("name", sorted(FORM_NAMES))
def test_every_page_names_the_form_the_subject_and_its_number(name: str) -> None:
    form = filled(name)
    pages = page_texts(render(form))
    for number, page in enumerate(pages, 1):
        assert form.spec.title in page
        assert f"Page {number} of {len(pages)}" in page
        if form.spec.subject == "patient":
            assert form.subject_name in page and form.subject_dob in page


@pytest.mark.parametrize("name", ["psf", "fax-cover", "inpatient-pharmacy-enrollment"])
def test_fax_rules_letter_black_on_white_10pt_text_1pt_rules_embedded_font(name: str) -> None:
    for form in (filled(name), fill.blank(FORM_NAMES[name])):
        reader = PdfReader(io.BytesIO(render(form)))
        for page in reader.pages:
            assert [float(v) for v in page.mediabox] == [0, 0, 612, 792]
            resources = page["/Resources"]
            assert isinstance(resources, DictionaryObject)
            fonts = resources["/Font"]
            assert isinstance(fonts, DictionaryObject)
            for font in fonts.values():
                font = font.get_object()
                assert font["/Subtype"] == "/TrueType" and "DejaVuSans" in font["/BaseFont"]
                assert "/FontFile2" in font["/FontDescriptor"], "the font is embedded"
            operations = ContentStream(page.get_contents(), reader).operations
            for operands, operator in operations:
                if operator == b"Tf":
                    assert float(operands[1]) >= 10, f"text at {operands[1]} pt"
                elif operator == b"w":
                    assert float(operands[0]) >= 1, f"a rule of {operands[0]} pt"
                elif operator in (b"g", b"G", b"rg", b"RG"):
                    assert {float(v) for v in operands} <= {0.0, 1.0}, f"a tint {operands}"


def test_a_draft_is_marked_and_a_signed_form_shows_its_signature() -> None:
    patient = CLINIC.ledger.patient("p-oconnor")
    prescriber = CLINIC.ledger.prescriber("dr-okafor")
    assert patient and prescriber
    document = {
        "format": "psf/1",
        "patient_id": patient.id,
        "monitoring": "weekly",
        "ancs": [{"value": "1250", "unit": "/uL", "drawn": "2026-11-23"}],
        "treatment_status": None,
        "treatment_rationale": None,
        "authorize_missing_labs": False,
        "ben": None,
        "hospice": None,
        "adverse_event": None,
    }
    draft = page_texts(render(fill.psf(patient, prescriber, document)))
    assert all(DRAFT_MARK in page for page in draft)
    assert "Signature (sign by hand)" in "".join(draft)
    signed_at = datetime(2026, 11, 25, 14, 2, tzinfo=timezone(timedelta(hours=-5), "EST"))
    signature = Signature(
        "sig-1",
        "form-1",
        "dr-okafor",
        "Dr. Ada Okafor",
        signed_at,
        PRESCRIBER_MEANING,
        content_hash(document),
    )
    data = render(fill.psf(patient, prescriber, document, signature=signature))
    text = "".join(page_texts(data))
    assert DRAFT_MARK not in text
    assert "Electronically signed by Dr. Ada Okafor" in text
    assert "Signed on 11/25/2026 14:02 EST" in text
    assert "Meaning: Approved and signed as prescriber" in text
    assert content_hash(document) in squeeze(text)
    decoded = qr_payload.decode(qr_texts(data))
    assert decoded["signature"] == {
        "name": "Dr. Ada Okafor",
        "at": "11/25/2026 14:02 EST",
        "meaning": PRESCRIBER_MEANING,
        "sha256": content_hash(document),
    }


def test_an_accented_name_prints_and_scans_exactly() -> None:
    name = "José Núñez-Ölçer"
    patient = Patient(
        "p-jose",
        name,
        date(1975, 12, 31),
        Population.GENERAL,
        False,
        "dr-okafor",
        TreatmentStatus.ENROLLED,
        1,
        TODAY,
        MonitoringFrequency.WEEKLY,
        TODAY,
    )
    data = render(fill.anc_lab_report(patient, CLINIC.ledger.prescriber("dr-okafor"), []))
    pages = page_texts(data)
    assert all(f"Patient: {name}" in page for page in pages)
    assert qr_payload.decode(qr_texts(data))["data"]["patient_name"] == name  # type: ignore[index]


def test_a_long_form_spreads_its_data_over_several_codes_that_read_back_whole() -> None:
    form = filled("psf")
    form.values["treatment_rationale"] = "Stable on clozapine for years; " * 80
    data = render(form)
    codes = qr_texts(data)
    assert len(codes) > 1
    assert qr_payload.decode(reversed(codes))["data"] == form.values
    assert "Stable on clozapine for years;" in "".join(page_texts(data))


def test_the_same_form_gives_the_same_bytes() -> None:
    assert render(filled("psf")) == render(filled("psf"))


def test_patient_forms_are_the_three_that_name_a_patient() -> None:
    assert {n for n, s in FORM_NAMES.items() if s.subject == "patient"} == PATIENT_FORMS
    assert len(forms.ALL) == 8


def test_the_cover_sheet_names_no_patient() -> None:
    text = "".join(page_texts(render(filled("fax-cover"))))
    assert "CONFIDENTIALITY NOTICE" in text
    for patient in CLINIC.ledger.patients():
        assert patient.name not in text
