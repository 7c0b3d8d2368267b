"""Form documents round-trip exactly: what a draft saves is what the form shows again."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.anc import Population
from app.enrollment_document import enrollment_from_document, enrollment_to_document
from app.psf import AncEntry, PsfSubmission
from app.psf_document import psf_from_document, psf_to_document
from app.signatures import content_hash
from app.statuses import MonitoringFrequency, TreatmentStatus
from app.use_cases.enrollment import EnrollmentForm


def test_a_psf_document_keeps_values_as_typed_and_gives_the_rules_numbers() -> None:
    typed = PsfSubmission(
        "p1",
        MonitoringFrequency.WEEKLY,
        (AncEntry("1,650", "2026-03-01", "/µL"), AncEntry("1.45", "2026-03-08", "K/uL")),
    )
    document = psf_to_document(typed)
    assert [a["value"] for a in document["ancs"]] == ["1,650", "1.45"]  # type: ignore[attr-defined]
    values = [a.value for a in psf_from_document(document).ancs]
    assert values == [1650, 1.45]  # JSON numbers (rules.md §13 R16)
    assert [a.as_entered for a in psf_from_document(document).ancs] == ["1,650", "1.45"]


def test_a_document_value_with_an_exponent_stays_text_for_the_rules_to_refuse() -> None:
    # "1e1000000" once cost the registry 40 s to turn into a number; now it is never one.
    document = psf_to_document(
        PsfSubmission("p1", MonitoringFrequency.WEEKLY, (AncEntry("1e1000000", "2026-03-01"),))
    )
    assert [a.value for a in psf_from_document(document).ancs] == ["1e1000000"]


def test_a_psf_document_round_trips() -> None:
    form = PsfSubmission(
        "p1",
        MonitoringFrequency.EVERY_2_WEEKS,
        (AncEntry(1650, "2026-03-01", "/µL"), AncEntry(Decimal("1.45"), "2026-03-08", "K/uL")),
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
        "p9", "José Núñez-Ölçer", "1975-12-31", Population.GENERAL, (AncEntry(2100, "2026-03-01"),)
    )
    document = enrollment_to_document(form)
    assert enrollment_to_document(enrollment_from_document(document)) == document
    with pytest.raises(ValueError, match="Not a Patient Enrollment Form"):
        enrollment_from_document(psf_to_document(PsfSubmission("p", MonitoringFrequency.WEEKLY)))


def test_the_content_hash_changes_with_any_character_and_not_with_key_order() -> None:
    document = {"a": "1500", "b": ["x", "y"]}
    assert content_hash(document) == content_hash({"b": ["x", "y"], "a": "1500"})
    assert content_hash(document) != content_hash({"a": "1501", "b": ["x", "y"]})
