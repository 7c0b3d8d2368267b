"""Dispensing: the REMS Dispense Authorization and the Dispense Rationale."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from registry import acts, schemas
from registry.deps import CurrentAccount, IdempotencyKey, Reg
from registry.openapi_answers import answers

router = APIRouter(tags=["dispensing"])
_ACT = answers(400, 401, 403, 404, 409, 413, 422)


@router.post("/v1/rda", responses=_ACT)
def request_rda(body: schemas.RdaIn, reg: Reg, account: CurrentAccount, key: IdempotencyKey) -> Any:
    data = body.model_dump(mode="json")
    return reg.post("/v1/rda", key, account, body, lambda ctx: acts.request_rda(ctx, data))


@router.post("/v1/dispense-rationales", responses=_ACT)
def dispense_rationale(
    body: schemas.DispenseRationaleIn,
    reg: Reg,
    account: CurrentAccount,
    key: IdempotencyKey,
) -> JSONResponse:
    data = body.model_dump(mode="json")
    return reg.post(
        "/v1/dispense-rationales",
        key,
        account,
        body,
        lambda ctx: acts.dispense_rationale(ctx, data),
    )
