"""A workstation's audit-log head, shown at each sync and compared with the last one seen
(registry/chain_heads.py), so a log rewritten on the workstation shows here too."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field
from sqlalchemy import Connection

from registry import chain_heads, limits
from registry.deps import CurrentAccount, Reg
from registry.openapi_answers import answers
from registry.schemas import NO_NUL_SCHEMA, Body, ErrorOut, NoNul
from registry.service import ApiError

router = APIRouter(tags=["workstations"])
StoreId = Annotated[
    str,
    NoNul,
    Path(
        min_length=1,
        max_length=limits.ID,
        description="The workstation store's own id (a random UUID made with the store)",
        json_schema_extra=NO_NUL_SCHEMA,
    ),
]
REWOUND_ANSWER: dict[int | str, dict[str, Any]] = {
    409: {
        "model": ErrorOut,
        "description": f"{chain_heads.REWOUND}: the workstation's audit log no longer holds "
        "the entry the registry saw last (entries removed, or the log rewritten)",
    }
}


class ChainPoint(Body):
    seq: Annotated[int, Field(ge=1, le=limits.MAX_INT64, description="An entry's number")]
    mac: Annotated[
        str, Field(pattern="^[0-9a-f]{64}$", description="That entry's HMAC-SHA256, as hex")
    ]


class AuditHeadIn(ChainPoint):
    """The log's last entry, and the entry it holds now at the number the registry saw last
    (none the first time)."""

    at_seen: ChainPoint | None = None


class AuditHeadOut(BaseModel):
    store_id: str
    seq: int  # 0: never seen
    seen_at: str | None


@router.get(
    "/v1/workstations/{store_id}/audit-head",
    response_model=AuditHeadOut,
    responses=answers(400, 401, 403),
)
def seen_head(store_id: StoreId, reg: Reg, account: CurrentAccount) -> dict[str, Any]:
    """The head the registry saw last from this store, for this account."""

    def run(conn: Connection) -> chain_heads.Seen | None:
        return chain_heads.last_seen(conn, account.id, store_id)

    seen = reg.read(run)
    return {
        "store_id": store_id,
        "seq": seen.seq if seen else 0,
        "seen_at": seen.seen_at if seen else None,
    }


@router.put(
    "/v1/workstations/{store_id}/audit-head",
    response_model=AuditHeadOut,
    responses={**answers(400, 401, 403), **REWOUND_ANSWER},
)
def show_head(
    store_id: StoreId, body: AuditHeadIn, reg: Reg, account: CurrentAccount
) -> dict[str, Any]:
    """Kept if it continues the chain seen last; 409 AUDIT_CHAIN_REWOUND if it does not
    (the head seen last stays, and the store is flagged)."""
    now = reg.settings.now()
    head = chain_heads.Head(body.seq, body.mac)
    at_seen = chain_heads.Head(body.at_seen.seq, body.at_seen.mac) if body.at_seen else None

    def run(conn: Connection) -> chain_heads.Verdict:
        return chain_heads.compare_and_keep(conn, account.id, store_id, head, at_seen, now)

    verdict: chain_heads.Verdict = reg.write(run)
    if not verdict.kept:
        raise ApiError(409, chain_heads.REWOUND, verdict.message)
    return {"store_id": store_id, "seq": body.seq, "seen_at": now.isoformat()}
