"""Enrollment and certification: prescribers, pharmacies, the knowledge assessment,
invitations (designees, pharmacy staff, a new Authorized Representative), wholesalers."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from app.records import Account
from app.roles import Action
from registry import acts, assessment, queries, schemas
from registry.deps import CurrentAccount, IdempotencyKey, Reg, allowed
from registry.openapi_answers import answers

router = APIRouter(tags=["participants"])
_SIGNED_IN_ACT = answers(400, 401, 403, 409, 413, 422)
DesigneeReader = Annotated[
    Account,
    Depends(allowed(Action.SEE_DESIGNEES, "Only a prescriber sees and invites their designees.")),
]


@router.post("/v1/prescribers", status_code=201, responses=answers(400, 409, 413, 422))
def enroll_prescriber(body: schemas.NewPrescriber, reg: Reg, key: IdempotencyKey) -> Any:
    return reg.post(
        "/v1/prescribers",
        key,
        None,
        body,
        lambda ctx: acts.enroll_prescriber(ctx, body.model_dump()),
    )


@router.post("/v1/pharmacies", status_code=201, responses=answers(400, 409, 413, 422))
def enroll_pharmacy(body: schemas.NewPharmacy, reg: Reg, key: IdempotencyKey) -> Any:
    return reg.post(
        "/v1/pharmacies", key, None, body, lambda ctx: acts.enroll_pharmacy(ctx, body.model_dump())
    )


@router.post("/v1/pharmacies/represented", status_code=201, responses=_SIGNED_IN_ACT)
def enroll_another_pharmacy(
    body: schemas.AnotherPharmacy, reg: Reg, account: CurrentAccount, key: IdempotencyKey
) -> Any:
    return reg.post(
        "/v1/pharmacies/represented",
        key,
        account,
        body,
        lambda ctx: acts.enroll_another_pharmacy(ctx, body.model_dump()),
    )


@router.get("/v1/assessment", responses=answers(401, 403))
def assessment_questions(account: CurrentAccount) -> dict[str, Any]:
    return {
        "questions": [
            {"id": q.id, "text": q.text, "choices": list(q.choices)}
            for q in assessment.questions_for(account.role)
        ]
    }


@router.post("/v1/assessment", responses=_SIGNED_IN_ACT)
def take_assessment(
    body: schemas.AssessmentAnswers, reg: Reg, account: CurrentAccount, key: IdempotencyKey
) -> JSONResponse:
    return reg.post(
        "/v1/assessment",
        key,
        account,
        body,
        lambda ctx: acts.take_assessment(ctx, body.model_dump()),
    )


@router.post("/v1/invitations", status_code=201, responses=_SIGNED_IN_ACT)
def invite(body: schemas.Invitation, reg: Reg, account: CurrentAccount, key: IdempotencyKey) -> Any:
    return reg.post(
        "/v1/invitations", key, account, body, lambda ctx: acts.invite(ctx, body.model_dump())
    )


@router.get("/v1/designees", responses=answers(401, 403))
def designees(reg: Reg, account: DesigneeReader) -> dict[str, Any]:
    """The prescriber's designees and the invitations not yet accepted (Manage Designees)."""
    prescriber_id = account.prescriber_id or ""
    now = reg.settings.now().isoformat()
    result: dict[str, Any] = reg.read(
        lambda conn: queries.office_designees(conn, prescriber_id, now)
    )
    return result


@router.post("/v1/invitations/accept", status_code=201, responses=answers(400, 403, 409, 413, 422))
def accept(body: schemas.AcceptInvitation, reg: Reg, key: IdempotencyKey) -> JSONResponse:
    return reg.post(
        "/v1/invitations/accept",
        key,
        None,
        body,
        lambda ctx: acts.accept_invitation(ctx, body.model_dump()),
    )


@router.post("/v1/wholesalers", status_code=201, responses=_SIGNED_IN_ACT)
def add_wholesaler(
    body: schemas.NewWholesaler, reg: Reg, account: CurrentAccount, key: IdempotencyKey
) -> JSONResponse:
    return reg.post(
        "/v1/wholesalers",
        key,
        account,
        body,
        lambda ctx: acts.add_wholesaler(ctx, body.model_dump()),
    )
