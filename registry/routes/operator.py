"""The program's own audit trail (the Contact Center reads it; the reading is audited too)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from sqlalchemy import Connection

from app.records import Account
from app.roles import Action
from registry import acts, limits, queries
from registry.deps import Reg, allowed
from registry.openapi_answers import answers

router = APIRouter(tags=["program"])
Operator = Annotated[
    Account,
    Depends(allowed(Action.READ_PROGRAM_AUDIT, "Only the program can read its audit trail.")),
]


@router.get("/v1/operator/audit", responses=answers(400, 401, 403))
def operator_audit(
    reg: Reg, account: Operator, since: Annotated[int, Query(ge=0, le=limits.MAX_INT64)] = 0
) -> dict[str, Any]:
    def run(conn: Connection) -> dict[str, Any]:
        entries = queries.operator_audit(conn, since)
        acts.audit(
            conn, reg.settings.now(), account.id, "read_audit", "operator_audit", f"after {since}"
        )
        return {"entries": entries}

    result: dict[str, Any] = reg.write(run)
    return result
