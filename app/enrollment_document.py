"""A Patient Enrollment Form as a document: the plain, versioned data a draft saves, a
signature hashes and the outbox carries (the counterpart of `app.psf_document`)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from app.anc import Population
from app.psf_document import anc_entries_from, anc_entries_to
from app.statuses import MonitoringFrequency
from app.use_cases.enrollment import EnrollmentForm

FORMAT = "enrollment/2"
FORMAT_V1 = "enrollment/1"  # ANC values as text; still read (see app.psf_document)


def enrollment_to_document(form: EnrollmentForm) -> dict[str, object]:
    return {
        "format": FORMAT,
        "patient_id": form.patient_id,
        "name": form.name,
        "dob": form.dob.isoformat() if isinstance(form.dob, date) else form.dob,
        "population": form.population.value,
        "hospice": form.hospice,
        "monitoring": form.monitoring.value,
        "ancs": anc_entries_to(form.ancs),
    }


def enrollment_from_document(document: Mapping[str, object]) -> EnrollmentForm:
    kind = document.get("format")
    if kind not in (FORMAT, FORMAT_V1):
        raise ValueError(f"Not a Patient Enrollment Form document: {kind!r}")
    ancs = anc_entries_from(document.get("ancs"), as_text=kind == FORMAT_V1)
    return EnrollmentForm(
        patient_id=str(document["patient_id"]),
        name=str(document["name"]),
        dob=str(document["dob"]),
        population=Population(str(document["population"])),
        ancs=ancs,
        hospice=bool(document.get("hospice")),
        monitoring=MonitoringFrequency(str(document["monitoring"])),
    )
