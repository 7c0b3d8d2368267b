"""A Patient Status Form as a document: the plain, versioned data a draft saves, a signature
hashes, the outbox carries and a printed form's QR code holds.

Version 2 keeps each ANC as `EnteredAnc.to_json` writes it: the value the rules read (a
number, rules.md §13 R16, or exactly what a sender gave) beside the text as typed, so a
half-typed draft round-trips unchanged, the signature covers exactly what the prescriber saw,
and a string sent as a value reaches the registry as a string. Version 1 (every value as
text) is still read: drafts and signatures made before it stay valid.
"""

from __future__ import annotations

from collections.abc import Mapping

from app.entered_anc import EnteredAnc
from app.psf import PsfSubmission
from app.statuses import MonitoringFrequency, TreatmentStatus

FORMAT = "psf/2"
FORMAT_V1 = "psf/1"


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
    kind = document.get("format")
    if kind not in (FORMAT, FORMAT_V1):
        raise ValueError(f"Not a Patient Status Form document: {kind!r}")
    ancs = anc_entries_from(document.get("ancs"), as_text=kind == FORMAT_V1)
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


def anc_entries_to(entries: tuple[EnteredAnc, ...]) -> list[dict[str, object]]:
    return [entry.to_json() for entry in entries]


def anc_entries_from(raw: object, *, as_text: bool = False) -> tuple[EnteredAnc, ...]:
    """A document's ANCs; `as_text` for a version 1 document, whose values are text as typed."""
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(a, Mapping) for a in raw):
        raise ValueError("A form's ANCs must be a list of objects.")
    if as_text:
        return tuple(
            EnteredAnc.typed(str(a["value"]), str(a["unit"]), str(a["drawn"])) for a in raw
        )
    return tuple(EnteredAnc.from_json(a) for a in raw)


def _optional_text(value: object) -> str | None:
    return None if value is None else str(value)


def _optional_bool(value: object) -> bool | None:
    return None if value is None else bool(value)
