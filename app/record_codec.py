"""Records as plain JSON objects and back: what the registry's change feed carries and the
desktop's sync client applies to its mirror. One place, so both sides agree field by field.

Every record that is appended rather than replaced (an ANC, a PSF, a dispense, a
notification, a status change) carries the registry's `seq`, so applying it twice is one row.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from app.anc import Anc, Population
from app.records import (
    AncReport,
    Dispense,
    Interruption,
    Notification,
    Patient,
    Pharmacy,
    Prescriber,
    PsfRecord,
    StatusChange,
)
from app.statuses import (
    AncSource,
    DispenseVia,
    MonitoringFrequency,
    NotificationCode,
    PharmacySetting,
    TreatmentStatus,
)

Json = dict[str, Any]


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _date(value: object) -> date | None:
    return date.fromisoformat(str(value)) if value else None


def _req_date(value: object) -> date:
    return date.fromisoformat(str(value))


def prescriber_to(p: Prescriber) -> Json:
    return {"id": p.id, "npi": p.npi, "certified": p.certified, "name": p.name}


def prescriber_from(j: Json) -> Prescriber:
    return Prescriber(j["id"], j["npi"], bool(j["certified"]), j.get("name", ""))


def pharmacy_to(p: Pharmacy) -> Json:
    return {
        "id": p.id,
        "setting": p.setting.value,
        "ar_account_id": p.ar_account_id,
        "name": p.name,
        "certified_on": _iso(p.certified_on),
        "attested_on": _iso(p.attested_on),
        "deactivated_on": _iso(p.deactivated_on),
    }


def pharmacy_from(j: Json) -> Pharmacy:
    return Pharmacy(
        j["id"],
        PharmacySetting(j["setting"]),
        j["ar_account_id"],
        j.get("name", ""),
        _date(j.get("certified_on")),
        _date(j.get("attested_on")),
        _date(j.get("deactivated_on")),
    )


def patient_to(p: Patient) -> Json:
    return {
        "id": p.id,
        "name": p.name,
        "dob": p.dob.isoformat(),
        "population": p.population.value,
        "hospice": p.hospice,
        "prescriber_id": p.prescriber_id,
        "treatment_status": p.treatment_status.value,
        "enrollment_id": p.enrollment_id,
        "enrolled_on": p.enrolled_on.isoformat(),
        "monitoring": p.monitoring.value,
        "monitoring_clock_start": p.monitoring_clock_start.isoformat(),
        "interruption_since": _iso(p.interruption.since) if p.interruption else None,
        "interruption_severe": p.interruption.severe if p.interruption else None,
        "rationale_through": _iso(p.rationale_through),
    }


def patient_from(j: Json) -> Patient:
    since = _date(j.get("interruption_since"))
    return Patient(
        id=j["id"],
        name=j["name"],
        dob=_req_date(j["dob"]),
        population=Population(j["population"]),
        hospice=bool(j["hospice"]),
        prescriber_id=j.get("prescriber_id"),
        treatment_status=TreatmentStatus(j["treatment_status"]),
        enrollment_id=int(j["enrollment_id"]),
        enrolled_on=_req_date(j["enrolled_on"]),
        monitoring=MonitoringFrequency(j["monitoring"]),
        monitoring_clock_start=_req_date(j["monitoring_clock_start"]),
        interruption=Interruption(since, bool(j.get("interruption_severe"))) if since else None,
        rationale_through=_date(j.get("rationale_through")),
    )


def anc_to(r: AncReport) -> Json:
    return {
        "seq": r.seq,
        "patient_id": r.patient_id,
        "per_ul": r.anc.per_ul,
        "drawn": r.drawn.isoformat(),
        "reported_on": r.reported_on.isoformat(),
        "source": r.source.value,
        "reported_by": r.reported_by,
        "entered_value": r.entered_value,
        "entered_unit": r.entered_unit,
    }


def anc_from(j: Json) -> AncReport:
    return AncReport(
        patient_id=j["patient_id"],
        anc=Anc(int(j["per_ul"])),
        drawn=_req_date(j["drawn"]),
        reported_on=_req_date(j["reported_on"]),
        source=AncSource(j["source"]),
        reported_by=j["reported_by"],
        seq=int(j["seq"]),
        entered_value=j.get("entered_value", ""),
        entered_unit=j.get("entered_unit", ""),
    )


def psf_to(p: PsfRecord) -> Json:
    return {
        "id": p.id,
        "patient_id": p.patient_id,
        "dated": p.dated.isoformat(),
        "monitoring": p.monitoring.value,
        "labs_missing": p.labs_missing,
        "missing_labs_authorized": p.missing_labs_authorized,
        "submitted_by": p.submitted_by,
        "is_enrollment": p.is_enrollment,
        "signed_by": p.signed_by,
        "requested_status": p.requested_status.value if p.requested_status else None,
        "treatment_rationale": p.treatment_rationale,
        "ben": p.ben,
        "hospice": p.hospice,
        "adverse_event": p.adverse_event,
    }


def psf_from(j: Json) -> PsfRecord:
    status = j.get("requested_status")
    return PsfRecord(
        id=j["id"],
        patient_id=j["patient_id"],
        dated=_req_date(j["dated"]),
        monitoring=MonitoringFrequency(j["monitoring"]),
        labs_missing=bool(j["labs_missing"]),
        missing_labs_authorized=bool(j["missing_labs_authorized"]),
        submitted_by=j["submitted_by"],
        is_enrollment=bool(j.get("is_enrollment")),
        signed_by=j.get("signed_by"),
        requested_status=TreatmentStatus(status) if status else None,
        treatment_rationale=j.get("treatment_rationale"),
        ben=j.get("ben"),
        hospice=j.get("hospice"),
        adverse_event=j.get("adverse_event"),
    )


def dispense_to(d: Dispense) -> Json:
    return {
        "patient_id": d.patient_id,
        "pharmacy_id": d.pharmacy_id,
        "pharmacy_setting": d.pharmacy_setting.value,
        "on": d.on.isoformat(),
        "enrollment_id": d.enrollment_id,
        "via": d.via.value,
        "requested_by": d.requested_by,
        "prescriber_npi": d.prescriber_npi,
    }


def dispense_from(j: Json) -> Dispense:
    return Dispense(
        patient_id=j["patient_id"],
        pharmacy_id=j["pharmacy_id"],
        pharmacy_setting=PharmacySetting(j["pharmacy_setting"]),
        on=_req_date(j["on"]),
        enrollment_id=int(j["enrollment_id"]),
        via=DispenseVia(j["via"]),
        requested_by=j["requested_by"],
        prescriber_npi=j.get("prescriber_npi"),
    )


def notification_to(n: Notification) -> Json:
    return {
        "patient_id": n.patient_id,
        "prescriber_id": n.prescriber_id,
        "code": n.code.value,
        "per_ul": n.anc.per_ul,
        "drawn": n.drawn.isoformat(),
        "on": n.on.isoformat(),
    }


def notification_from(j: Json) -> Notification:
    return Notification(
        patient_id=j["patient_id"],
        prescriber_id=j.get("prescriber_id"),
        code=NotificationCode(j["code"]),
        anc=Anc(int(j["per_ul"])),
        drawn=_req_date(j["drawn"]),
        on=_req_date(j["on"]),
    )


def status_change_to(c: StatusChange) -> Json:
    return {
        "patient_id": c.patient_id,
        "on": c.on.isoformat(),
        "from_status": c.from_status.value if c.from_status else None,
        "to_status": c.to_status.value,
        "reason": c.reason,
        "by": c.by,
    }


def status_change_from(j: Json) -> StatusChange:
    before = j.get("from_status")
    return StatusChange(
        patient_id=j["patient_id"],
        on=_req_date(j["on"]),
        from_status=TreatmentStatus(before) if before else None,
        to_status=TreatmentStatus(j["to_status"]),
        reason=j["reason"],
        by=j["by"],
    )
