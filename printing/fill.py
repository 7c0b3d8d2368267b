"""Form data from app/ models: what each printed form says, as plain values.

Values are machine-friendly (ISO dates, the program's own words for choices, ANCs exactly
as typed), so the QR code carries data our app reads back; `printing.render` turns them into
what a person reads (MM/DD/YYYY, ticked boxes).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from app.anc import Population
from app.entered_anc import EnteredAnc
from app.records import Account, AncReport, Patient, Pharmacy, Prescriber
from app.signatures import Signature
from app.statuses import PharmacySetting
from printing import forms
from printing.spec import FormData, FormSpec, SignatureMark, Value


@dataclass(frozen=True)
class Contact:
    """Phone, fax and email of a prescriber or office (the program's records hold none)."""

    phone: str = ""
    fax: str = ""
    email: str = ""
    dea: str = ""


def blank(spec: FormSpec) -> FormData:
    return FormData(spec=spec)


def signature_mark(signature: Signature) -> SignatureMark:
    at = signature.signed_at
    zone = at.tzname() or at.strftime("UTC%z")
    return SignatureMark(
        printed_name=signature.printed_name,
        signed_at=f"{at:%m/%d/%Y %H:%M} {zone}",
        meaning=signature.meaning,
        content_sha256=signature.content_sha256,
    )


def psf(
    patient: Patient,
    prescriber: Prescriber | None,
    document: Mapping[str, object],
    *,
    period: tuple[date, date] | None = None,
    submitted_by: str = "",
    submitter_name: str = "",
    contact: Contact = Contact(),
    signature: Signature | None = None,
) -> FormData:
    """A Patient Status Form from its document (`app.psf_document`)."""
    values: dict[str, Value] = {
        **_patient_values(patient),
        **_prescriber_values(prescriber, contact),
        "ancs": _anc_rows(document.get("ancs")),
        "monitoring": str(document.get("monitoring") or ""),
        "treatment_status": str(document.get("treatment_status") or "no_change"),
        "authorize_missing_labs": bool(document.get("authorize_missing_labs")),
        "treatment_rationale": str(document.get("treatment_rationale") or ""),
        "ben": _tri(document.get("ben")),
        "hospice": _tri(document.get("hospice")),
        "adverse_event": str(document.get("adverse_event") or ""),
        "submitted_by": submitted_by,
        "submitter_name": submitter_name,
    }
    if period is not None:
        values["period_start"], values["period_end"] = period[0].isoformat(), period[1].isoformat()
    return _form(forms.PSF, values, patient.name, f"{patient.dob:%m/%d/%Y}", signature)


def patient_enrollment(
    document: Mapping[str, object],
    prescriber: Prescriber | None,
    *,
    patient_id: str = "",
    contact: Contact = Contact(),
    signature: Signature | None = None,
) -> FormData:
    """A Patient Enrollment Form from its document (`app.enrollment_document`)."""
    name, dob = str(document.get("name") or ""), str(document.get("dob") or "")
    values: dict[str, Value] = {
        "patient_name": name,
        "patient_dob": dob,
        "patient_id": patient_id,
        "population": str(document.get("population") or Population.GENERAL.value),
        "hospice": bool(document.get("hospice")),
        "monitoring": str(document.get("monitoring") or ""),
        "ancs": _anc_rows(document.get("ancs")),
        **_prescriber_values(prescriber, contact),
    }
    return _form(forms.PATIENT_ENROLLMENT, values, name, _us(dob), signature)


def anc_lab_report(
    patient: Patient,
    prescriber: Prescriber | None,
    reports: Sequence[AncReport],
    *,
    submitted_by: str = "",
    submitter_name: str = "",
    contact: Contact = Contact(),
    signature: Signature | None = None,
) -> FormData:
    values: dict[str, Value] = {
        **_patient_values(patient),
        **_prescriber_values(prescriber, contact),
        "submitted_by": submitted_by,
        "submitter_name": submitter_name,
        "ancs": [_anc_row(EnteredAnc.recorded(r)) for r in reports],
    }
    return _form(forms.ANC_LAB_REPORT, values, patient.name, f"{patient.dob:%m/%d/%Y}", signature)


def prescriber_enrollment(
    prescriber: Prescriber, details: Mapping[str, str], contact: Contact = Contact()
) -> FormData:
    values: dict[str, Value] = {
        "prescriber_name": prescriber.name,
        "prescriber_npi": prescriber.npi,
        "prescriber_dea": contact.dea,
        "practice_phone": contact.phone,
        "practice_fax": contact.fax,
        "practice_email": contact.email,
        **details,
    }
    return FormData(forms.PRESCRIBER_ENROLLMENT, _drop_empty(values), prescriber.name)


def designee_enrollment(
    designee: Account, prescriber: Prescriber, details: Mapping[str, str]
) -> FormData:
    values: dict[str, Value] = {
        "designee_name": designee.name,
        "prescriber_name": prescriber.name,
        "prescriber_npi": prescriber.npi,
        **{k: v for k, v in details.items() if v},
    }
    return FormData(forms.DESIGNEE_ENROLLMENT, _drop_empty(values), designee.name)


def pharmacy_enrollment(pharmacy: Pharmacy, ar_name: str, details: Mapping[str, str]) -> FormData:
    spec = (
        forms.INPATIENT_PHARMACY_ENROLLMENT
        if pharmacy.setting is PharmacySetting.INPATIENT
        else forms.OUTPATIENT_PHARMACY_ENROLLMENT
    )
    values: dict[str, Value] = {
        "pharmacy_name": pharmacy.name,
        "ar_name": ar_name,
        **{k: v for k, v in details.items() if v},
    }
    return FormData(spec, _drop_empty(values), pharmacy.name)


def fax_cover(
    *,
    from_office: str,
    from_contact: str = "",
    from_phone: str = "",
    from_fax: str = "",
    on: date,
    pages: int | None = None,
    enclosed: Sequence[str] = (),
    message: str = "",
    urgent: bool = False,
) -> FormData:
    """A cover sheet. It names no patient: the forms behind it do (minimum necessary).
    Printed ahead of its forms (`render_packet`), it counts their pages itself."""
    values: dict[str, Value] = {
        "from_office": from_office,
        "from_contact": from_contact,
        "from_phone": from_phone,
        "from_fax": from_fax,
        "date": on.isoformat(),
        "pages": "" if pages is None else str(pages),
        "enclosed": "; ".join(enclosed),
        "message": message,
        "urgent": urgent,
    }
    return FormData(forms.FAX_COVER, _drop_empty(values), subject_name=from_office)


def _form(
    spec: FormSpec, values: dict[str, Value], name: str, dob: str, signature: Signature | None
) -> FormData:
    """A patient form: its non-empty values, whom the header names, and its signature."""
    mark = signature_mark(signature) if signature else None
    return FormData(spec, _drop_empty(values), name, dob, mark)


def _patient_values(patient: Patient) -> dict[str, Value]:
    return {
        "patient_name": patient.name,
        "patient_dob": patient.dob.isoformat(),
        "patient_id": patient.id,
    }


def _prescriber_values(prescriber: Prescriber | None, contact: Contact) -> dict[str, Value]:
    if prescriber is None:
        return {}
    return {
        "prescriber_name": prescriber.name,
        "prescriber_npi": prescriber.npi,
        "prescriber_dea": contact.dea,
        "prescriber_phone": contact.phone,
        "prescriber_fax": contact.fax,
        "prescriber_email": contact.email,
    }


def _anc_rows(raw: object) -> list[dict[str, str]]:
    if not isinstance(raw, list):
        return []
    entries = [EnteredAnc.from_json(a) for a in raw if isinstance(a, dict)]
    return [_anc_row(entry) for entry in entries]


def _anc_row(entry: EnteredAnc) -> dict[str, str]:
    """An ANC as the lab slip said it: the text as typed, not the number read from it."""
    drawn = entry.drawn.isoformat() if isinstance(entry.drawn, date) else entry.drawn
    return {"drawn": drawn, "value": entry.shown, "unit": entry.unit}


def _tri(value: object) -> str:
    return "no_change" if value is None else "yes" if value else "no"


def _drop_empty(values: dict[str, Value]) -> dict[str, Value]:
    """Empty text is no data: it stays out of the QR code, and its box prints empty."""
    return {k: v for k, v in values.items() if v != "" and v != []}


def _us(iso: str) -> str:
    try:
        return f"{date.fromisoformat(iso):%m/%d/%Y}"
    except ValueError:
        return iso
