"""Fax-ready forms, read back as their receiver would: every filled value is in the text,
every QR code decodes to exactly the form's data, blank forms have every box and no data,
and the fax rules (Letter, black on white, 10 pt text, 1 pt rules, embedded font) hold."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
import requests
from pypdf import PdfReader
from pypdf.generic import ContentStream, DictionaryObject

from app.anc import Population
from app.clock import ManualClock
from app.records import Patient
from app.signatures import PRESCRIBER_MEANING, Signature, content_hash
from app.statuses import MonitoringFrequency, TreatmentStatus
from cli.print_forms import FORM_NAMES, PATIENT_FORMS, build
from desk import filled_forms
from desk.demo.clinic import build_demo_clinic
from local_store.session import Session
from printing import fill, forms, qr_payload
from printing.render import DRAFT_MARK, ProgramContact, render, render_packet
from printing.spec import Field, FormData, FormSpec, Kind
from registry.settings import Settings
from sync.client import KeyringTokens, RegistryClient
from sync.engine import sync_once
from tests.support.pdf_reading import page_texts, qr_texts
from tests.support.registry_server import registry_settings, serve_in_thread
from tests.support.store_world import CANARY_ACCENTED, certify_office, enroll

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
    # A cover sheet is page 1 of the fax it announces (three pages here).
    total = 3 if name == "fax-cover" else len(pages)
    for number, page in enumerate(pages, 1):
        assert form.spec.title in page
        assert f"Page {number} of {total}" in page
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


FAQ_CONTACT = ProgramContact(
    label="Clozapine REMS Contact Center (numbers from the 2023 program FAQ)",
    phone="888-586-0758",
    fax="800-878-5927",
)


def test_a_fax_counts_its_real_pages_on_the_cover_and_on_every_page_behind_it() -> None:
    cover = fill.fax_cover(from_office="Okafor Psychiatry", on=TODAY, enclosed=["PSF"])
    form = filled("psf")
    pages = page_texts(render_packet([cover, form], FAQ_CONTACT))
    own = len(page_texts(render(form)))
    assert len(pages) == 1 + own >= 3  # the PSF takes two pages: the fax is three
    assert f"Page 1 of {len(pages)}" in pages[0]
    assert f"Pages, including this one\n {len(pages)}" in pages[0]
    for number, page in enumerate(pages[1:], 2):
        assert f"Fax page {number} of {len(pages)}" in page
        assert f"Page {number - 1} of {own}" in page  # the form still numbers its own


def test_forms_print_the_numbers_supplied_or_say_which_fax_to_use_never_a_blank() -> None:
    cover = fill.fax_cover(from_office="Okafor Psychiatry", on=TODAY, pages=2)
    with_numbers = "".join(page_texts(render_packet([cover, filled("psf")], FAQ_CONTACT)))
    assert squeeze("To: Clozapine REMS Contact Center (numbers from the 2023 program FAQ)") in (
        squeeze(with_numbers)
    )
    assert "Fax 800-878-5927" in with_numbers and "Phone 888-586-0758" in with_numbers
    assert "___" not in with_numbers
    without = page_texts(render_packet([cover, filled("psf")]))
    for page in without:
        assert squeeze("Use the fax number of the Clozapine REMS program you report to") in (
            squeeze(page)
        )
        assert "___" not in page and "Fax \n" not in page
    assert "To: the Clozapine REMS program you report to" in without[0]


def test_the_registry_supplies_its_numbers_the_desk_keeps_them_and_prints_them_offline(
    tmp_path: Path, prescriber_session: Session, store_clock: ManualClock
) -> None:
    certify_office(prescriber_session, store_clock)
    enroll(prescriber_session, store_clock, "p1", CANARY_ACCENTED, "1975-12-31")
    own = registry_settings(
        f"sqlite:///{tmp_path / 'own.db'}",
        contact_phone="555-0100",
        contact_fax="555-0199",
        contact_label="Test State REMS Program",
    )
    none = Settings(db_url=f"sqlite:///{tmp_path / 'none.db'}")  # no test clock: not training

    def connect(settings: Settings) -> dict[str, object]:
        """The desk's handshake with a registry served over HTTP, then the registry is gone."""
        with serve_in_thread(settings) as served:
            hello: dict[str, object] = requests.get(served.url + "/v1/handshake", timeout=10).json()
            db = prescriber_session.second_connection()
            sync_once(db, RegistryClient(served.url, KeyringTokens("contact-test")), _now)
            db.close()
        return hello

    def printed() -> str:
        packet = filled_forms.psf_packet(prescriber_session, TODAY, patient_id="p1")
        return "".join(page_texts(packet.pdf()))

    assert "Use the fax number of the Clozapine REMS program" in squeeze_spaces(printed())
    training = connect(registry_settings(f"sqlite:///{tmp_path / 'training.db'}"))
    assert training["contact"] == {
        "phone": "888-586-0758",
        "fax": "800-878-5927",
        "label": "Clozapine REMS Contact Center (numbers from the 2023 program FAQ)",
    }
    text = printed()  # the registry is stopped: the store kept the numbers
    assert "Fax 800-878-5927" in text and "numbers from the 2023 program FAQ" in text
    assert connect(own)["contact"] == {
        "phone": "555-0100",
        "fax": "555-0199",
        "label": "Test State REMS Program",
    }
    text = printed()
    assert "Send to: Test State REMS Program" in text and "Fax 555-0199" in text
    assert "800-878-5927" not in text
    assert connect(none)["contact"] is None
    assert "Use the fax number of the Clozapine REMS program" in squeeze_spaces(printed())


def squeeze_spaces(text: str) -> str:
    return " ".join(text.split())


def _now() -> datetime:
    return datetime.now(UTC)


def test_registry_serve_passes_its_contact_numbers_to_every_worker(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from registry import server

    monkeypatch.setenv("CLOZAPINE_REGISTRY_DB", "sqlite://")
    for field, name in server._ENV_CONTACT.items():
        monkeypatch.setenv(name, {"contact_phone": "1", "contact_fax": "2"}.get(field, "Us"))
    assert server._settings_from_env().program_contact() == {
        "phone": "1",
        "fax": "2",
        "label": "Us",
    }
