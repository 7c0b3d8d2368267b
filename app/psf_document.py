"""A Patient Status Form as a document: the plain, versioned data a draft saves, a signature
hashes, the outbox carries and a printed form's QR code holds.

Values are kept as typed (an ANC value and its unit as strings), so a half-typed draft
round-trips unchanged and the signature covers exactly what the prescriber saw.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from app.anc import anc_number
from app.errors import InvalidEntry
from app.psf import AncEntry, PsfSubmission
from app.statuses import MonitoringFrequency, TreatmentStatus

FORMAT = "psf/1"


def psf_to_document(form: PsfSubmission) -> dict[str, object]:
    """The form's data; `signed_by` is not part of it (the signature is kept beside it)."""
    return {
        "format": FORMAT,
        "patient_id": form.patient_id,
        "monitoring": form.monitoring.value,
        "ancs": anc_entries_to(form.ancs),
        "treatment_status": form.treatment_status.value if form.treatment_status else None,
        "treatment_rationale": form.treatment_rationale,
        "authorize_missing_labs": form.authorize_missing_labs,
        "ben": form.ben,
        "hospice": form.hospice,
        "adverse_event": form.adverse_event,
    }


def psf_from_document(
    document: Mapping[str, object], signed_by: str | None = None
) -> PsfSubmission:
    """The submission a document describes; raises ValueError for a document of another kind."""
    if document.get("format") != FORMAT:
        raise ValueError(f"Not a Patient Status Form document: {document.get('format')!r}")
    ancs = anc_entries_from(document.get("ancs"))
    status = document.get("treatment_status")
    return PsfSubmission(
        patient_id=str(document["patient_id"]),
        monitoring=MonitoringFrequency(str(document["monitoring"])),
        ancs=ancs,
        treatment_status=TreatmentStatus(str(status)) if status else None,
        treatment_rationale=_optional_text(document.get("treatment_rationale")),
        authorize_missing_labs=bool(document.get("authorize_missing_labs")),
        ben=_optional_bool(document.get("ben")),
        hospice=_optional_bool(document.get("hospice")),
        adverse_event=_optional_text(document.get("adverse_event")),
        signed_by=signed_by,
    )


def anc_entries_to(entries: tuple[AncEntry, ...]) -> list[dict[str, str]]:
    """ANCs as typed: the value and unit as strings, the draw date as ISO (or as typed)."""
    return [
        {
            "value": str(entry.value),
            "unit": entry.unit,
            "drawn": entry.drawn.isoformat() if isinstance(entry.drawn, date) else entry.drawn,
        }
        for entry in entries
    ]


def anc_entries_from(raw: object) -> tuple[AncEntry, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise ValueError("A form's ANCs must be a list.")
    return tuple(
        AncEntry(
            value=typed_number(a["value"]),
            drawn=str(a["drawn"]),
            unit=str(a["unit"]),
            as_entered=str(a["value"]),
        )
        for a in raw
    )


def typed_number(value: object) -> object:
    """A value as typed becomes a number when it is a plain decimal (rules.md §13 R16: no
    exponents, at most 10 significant digits); anything else is left for the rules to refuse
    with their own message, and costs nothing to read."""
    if not isinstance(value, str):
        return value
    try:
        return anc_number(value)
    except InvalidEntry:
        return value


def _optional_text(value: object) -> str | None:
    return None if value is None else str(value)


def _optional_bool(value: object) -> bool | None:
    return None if value is None else bool(value)
