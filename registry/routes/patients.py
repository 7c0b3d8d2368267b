"""Patients: deactivation, the pharmacy's look-up, the chart summary, the Contact Center's
correction, and the office's notifications. Enrollment, ANCs and Patient Status Forms are
queued acts: their routes are made from registry/queued.py (registry/routes/queued.py)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse
from sqlalchemy import Connection

from app.records import Account
from app.roles import Action
from registry import acts, limits, queries, queued, schemas
from registry.deps import CurrentAccount, IdempotencyKey, Reg, allowed
from registry.openapi_answers import answers
from registry.service import ApiError

router = APIRouter(tags=["patients"])
PatientId = queued.PatientId
Since = Annotated[int, Query(ge=0, le=limits.MAX_INT64)]
Office = Annotated[
    Account,
    Depends(allowed(Action.READ_NOTIFICATIONS, "Notifications go to the prescriber's office.")),
]
Corrector = Annotated[
    Account, Depends(allowed(Action.CORRECT_PATIENT, "Only the program can correct a record."))
]
_ACT = answers(400, 401, 403, 404, 409, 413, 422)


@router.post("/v1/patients/lookup", responses=_ACT)
def look_up(
    body: schemas.PatientLookup, reg: Reg, account: CurrentAccount, key: IdempotencyKey
) -> Any:
    return reg.post(
        "/v1/patients/lookup",
        key,
        account,
        body,
        lambda ctx: acts.look_up_patient(ctx, body.model_dump()),
    )


@router.get("/v1/patients/{patient_id}", responses=answers(400, 401, 403, 404))
def patient(patient_id: PatientId, reg: Reg, account: CurrentAccount) -> dict[str, Any]:
    def run(conn: Connection) -> dict[str, Any]:
        ctx = reg.context(conn, account, "")
        acts.check_patient_scope(ctx, patient_id)
        summary = ctx.program.patient_summary(patient_id)
        ctx.audit_operator("view_patient", f"patient:{patient_id}")
        return {
            "patient_id": summary.patient_id,
            "name": summary.name,
            "dob": summary.dob.isoformat(),
            "population": summary.population.value,
            "hospice": summary.hospice,
            "prescriber_id": summary.prescriber_id,
            "treatment_status": summary.treatment_status.value,
            "monitoring": summary.monitoring.value,
            "recommended_monitoring": summary.recommended_monitoring.value,
            "next_anc_due": summary.next_anc_due.isoformat() if summary.next_anc_due else None,
            "psf_due": summary.psf_due.isoformat() if summary.psf_due else None,
            "dispense_rationales_used": summary.dispense_rationales_used,
        }

    result: dict[str, Any] = reg.audited(account, run)
    return result


@router.patch("/v1/operator/patients/{patient_id}", responses=_ACT)
def correct_patient(
    patient_id: PatientId,
    body: schemas.PatientCorrection,
    reg: Reg,
    account: Corrector,
    key: IdempotencyKey,
) -> JSONResponse:
    return reg.post(
        f"/v1/operator/patients/{patient_id}",
        key,
        account,
        body,
        lambda ctx: acts.correct_patient(ctx, patient_id, body.model_dump()),
    )


@router.get("/v1/notifications", responses=answers(400, 401, 403))
def notifications(
    reg: Reg,
    account: Office,
    since: Since = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> dict[str, Any]:
    """The office's neutropenia notifications after `since` (their seq), oldest first.
    They also come through the change feed; this is for a quick look at sign-in."""
    prescriber_id = account.prescriber_id
    if not prescriber_id:  # scope: an office account names its prescriber
        raise ApiError(403, "NOT_PERMITTED", "Notifications go to the prescriber's office.")
    found = reg.read(lambda conn: queries.office_notifications(conn, prescriber_id, since, limit))
    return {"notifications": found}
