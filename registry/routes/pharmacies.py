"""Pharmacies: reconfirmation, deactivation, a certification check, the AR's staff list,
and the certified-pharmacy list wholesalers and offices search."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import JSONResponse
from sqlalchemy import Connection

from app.records import Account
from app.roles import Action
from app.use_cases.access import pharmacy_actor
from registry import acts, limits, queries, schemas
from registry.deps import CurrentAccount, IdempotencyKey, Reg, allowed
from registry.openapi_answers import answers

router = APIRouter(tags=["pharmacies"])
PharmacyId = Annotated[
    str,
    schemas.NoNul,
    Path(min_length=1, max_length=limits.ID, json_schema_extra=schemas.NO_NUL_SCHEMA),
]
StaffReader = Annotated[
    Account,
    Depends(
        allowed(
            Action.SEE_PHARMACY_STAFF,
            "Only the pharmacy's Authorized Representative sees its staff.",
        )
    ),
]
PharmacyFinder = Annotated[
    Account, Depends(allowed(Action.LOOK_UP_PHARMACY, "This account cannot look up pharmacies."))
]


@router.post("/v1/pharmacies/{pharmacy_id}/reconfirm", responses=answers(400, 401, 403, 409, 422))
def reconfirm(
    pharmacy_id: PharmacyId, reg: Reg, account: CurrentAccount, key: IdempotencyKey
) -> JSONResponse:
    return reg.post(
        f"/v1/pharmacies/{pharmacy_id}/reconfirm",
        key,
        account,
        None,
        lambda ctx: acts.reconfirm_pharmacy(ctx, pharmacy_id),
    )


@router.post("/v1/pharmacies/{pharmacy_id}/deactivate", responses=answers(400, 401, 403, 409, 422))
def deactivate_pharmacy(
    pharmacy_id: PharmacyId, reg: Reg, account: CurrentAccount, key: IdempotencyKey
) -> JSONResponse:
    return reg.post(
        f"/v1/pharmacies/{pharmacy_id}/deactivate",
        key,
        account,
        None,
        lambda ctx: acts.deactivate_pharmacy(ctx, pharmacy_id),
    )


@router.get("/v1/pharmacies/{pharmacy_id}/certification", responses=answers(400, 401, 403, 422))
def pharmacy_certification(
    pharmacy_id: PharmacyId, reg: Reg, account: CurrentAccount
) -> dict[str, Any]:
    def run(conn: Connection) -> dict[str, Any]:
        ctx = reg.context(conn, account, "")
        certified = ctx.program.check_pharmacy(pharmacy_id, account.id)
        ctx.audit_operator("check_pharmacy", f"pharmacy:{pharmacy_id}")
        return {"pharmacy_id": pharmacy_id, "certified": certified}

    result: dict[str, Any] = reg.audited(account, run)
    return result


@router.get("/v1/pharmacies/{pharmacy_id}/staff", responses=answers(400, 401, 403))
def pharmacy_staff(pharmacy_id: PharmacyId, reg: Reg, account: StaffReader) -> dict[str, Any]:
    """The pharmacy's people and the invitations not yet accepted: for the AR it names
    (one AR may represent several pharmacies, rules.md §13 R19)."""
    now = reg.settings.now().isoformat()

    def run(conn: Connection) -> dict[str, Any]:
        ctx = reg.context(conn, account, "")
        pharmacy_actor(ctx.ledger, account.id, pharmacy_id, Action.SEE_PHARMACY_STAFF)
        return queries.pharmacy_staff(conn, pharmacy_id, now)

    result: dict[str, Any] = reg.read(run)
    return result


@router.get("/v1/pharmacies", responses=answers(400, 401, 403))
def certified_pharmacies(
    reg: Reg,
    account: PharmacyFinder,
    q: Annotated[
        str, schemas.NoNul, Query(max_length=limits.NAME, json_schema_extra=schemas.NO_NUL_SCHEMA)
    ] = "",
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> dict[str, Any]:
    """The certified-pharmacy list: wholesalers check orders, offices and patients find one."""

    def run(conn: Connection) -> dict[str, Any]:
        ctx = reg.context(conn, account, "")
        today = ctx.program.clock.today()
        found = []
        for pharmacy in ctx.ledger.pharmacies():
            if q and q.casefold() not in pharmacy.name.casefold():
                continue
            if ctx.program.check_pharmacy(pharmacy.id):
                found.append(
                    {
                        "pharmacy_id": pharmacy.id,
                        "name": pharmacy.name,
                        "setting": pharmacy.setting.value,
                    }
                )
        return {"as_of": today.isoformat(), "pharmacies": found[:limit]}

    result: dict[str, Any] = reg.read(run)
    return result
