"""Form documents round-trip exactly: what a draft saves is what the form shows again."""

from __future__ import annotations

import json

import pytest

from app.anc import Population
from app.enrollment_document import enrollment_from_document, enrollment_to_document
from app.entered_anc import EnteredAnc
from app.errors import ErrorCode, InvalidEntry
from app.psf import PsfSubmission
from app.psf_document import psf_from_document, psf_to_document
from app.signatures import content_hash
from app.statuses import MonitoringFrequency, TreatmentStatus
from app.use_cases.enrollment import EnrollmentForm


def test_a_psf_document_carries_numbers_with_the_text_as_typed_beside_them() -> None:
    typed = PsfSubmission(
        "p1",
        MonitoringFrequency.WEEKLY,
        (
            EnteredAnc.typed("1,650", "/µL", "2026-03-01"),
            EnteredAnc.typed(" 1.45 ", "K/uL", "2026-03-08"),
        ),
    )
    document = psf_to_document(typed)
    sent = document["ancs"]
    assert [a["value"] for a in sent] == [1650, 1.45]  # type: ignore[attr-defined]  # R16
    assert [a["as_entered"] for a in sent] == ["1,650", "1.45"]  # type: ignore[attr-defined]
    back = psf_from_document(json.loads(json.dumps(document)))
    assert [a.parse().per_ul for a in back.ancs] == [1650, 1450]
    assert [a.shown for a in back.ancs] == ["1,650", "1.45"]  # what the record prints


def test_a_value_sent_as_text_stays_text_through_a_document_and_is_refused() -> None:
    # A program (not a person) that sends "2000" as the value is refused on every surface
    # alike (rules.md §13 R16); the document must not quietly make it a number on the way.
    document = psf_to_document(
        PsfSubmission("p1", MonitoringFrequency.WEEKLY, (EnteredAnc("2000", "2026-03-01"),))
    )
    (entry,) = psf_from_document(json.loads(json.dumps(document))).ancs
    assert entry.value == "2000"
    with pytest.raises(InvalidEntry, match="sent as text") as refused:
        entry.parse()
    assert refused.value.code is ErrorCode.INVALID_ANC


def test_typed_text_with_an_exponent_is_never_a_number() -> None:
    # "1e1000000" once cost the registry 40 s to turn into a number; now it is never one.
    entry = EnteredAnc.typed("1e1000000", "/uL", "2026-03-01")
    assert entry.value == "1e1000000"
    with pytest.raises(InvalidEntry, match="not a number as a lab report prints it"):
        entry.parse()
    with pytest.raises(InvalidEntry):
        entry.number()  # nothing but a number is queued


def test_a_version_1_document_of_text_values_is_still_read() -> None:
    # Drafts saved and forms signed before version 2 keep their meaning and their hash.
    old = {
        "format": "psf/1",
        "patient_id": "p1",
        "monitoring": "weekly",
        "ancs": [{"value": "1,650", "unit": "/uL", "drawn": "2026-03-01"}],
    }
    (entry,) = psf_from_document(old).ancs
    assert (entry.value, entry.shown, entry.parse().per_ul) == (1650, "1,650", 1650)
    enrollment = enrollment_from_document(
        {**old, "format": "enrollment/1", "name": "Lee Park", "dob": "1980-01-01",
         "population": "general"}
    )  # fmt: skip
    assert enrollment.ancs == (entry,)


def test_a_psf_document_round_trips() -> None:
    form = PsfSubmission(
        "p1",
        MonitoringFrequency.EVERY_2_WEEKS,
        (EnteredAnc(1650, "2026-03-01", "/µL"), EnteredAnc(1.45, "2026-03-08", "K/uL", "1.45")),
        treatment_status=TreatmentStatus.INTERRUPTED,
        treatment_rationale=None,
        hospice=True,
        adverse_event="rash",
    )
    document = psf_to_document(form)
    again = psf_from_document(document)
    assert psf_to_document(again) == document
    assert again.treatment_status is TreatmentStatus.INTERRUPTED and again.hospice is True


def test_an_enrollment_document_round_trips_and_refuses_another_kind() -> None:
    form = EnrollmentForm(
        "p9",
        "José Núñez-Ölçer",
        "1975-12-31",
        Population.GENERAL,
        (EnteredAnc(2100, "2026-03-01"),),
    )
    document = enrollment_to_document(form)
    assert enrollment_to_document(enrollment_from_document(document)) == document
    with pytest.raises(ValueError, match="Not a Patient Enrollment Form"):
        enrollment_from_document(psf_to_document(PsfSubmission("p", MonitoringFrequency.WEEKLY)))


def test_the_content_hash_changes_with_any_character_and_not_with_key_order() -> None:
    document = {"a": "1500", "b": ["x", "y"]}
    assert content_hash(document) == content_hash({"b": ["x", "y"], "a": "1500"})
    assert content_hash(document) != content_hash({"a": "1501", "b": ["x", "y"]})
