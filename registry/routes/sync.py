"""What desktops sync with: the batch of queued items and the change feed."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from sqlalchemy import Connection

from app.use_cases.scope import sight_of
from registry import acts, feed, limits, schemas
from registry.deps import BearerToken, CurrentAccount, Reg
from registry.openapi_answers import answers
from registry.service import ApiError, audiences

router = APIRouter(tags=["sync"])


@router.post("/v1/batch", responses=answers(400, 401, 403, 413))
async def batch(body: schemas.BatchIn, reg: Reg, token: BearerToken) -> dict[str, Any]:
    """Up to 100 queued items, each {key, path, body} with its own Idempotency-Key; each
    item's answer is its own (one item's refusal never touches another's)."""

    def act() -> dict[str, Any]:  # on the acts' threads, as a queued act sent alone
        account = reg.account_for_token(token)
        return {"results": reg.batch(account, [item.model_dump() for item in body.items])}

    return await reg.on_act_thread(act)


@router.get("/v1/changes", responses=answers(400, 401, 403, 410))
def changes(
    reg: Reg,
    account: CurrentAccount,
    since: Annotated[int, Query(ge=0, le=limits.MAX_INT64)] = 0,
    limit: Annotated[int, Query(ge=1, le=feed.MAX_PAGE)] = 1000,
) -> Response:
    """{"changes": [{seq, kind, key, op, body}], "cursor": N, "more": bool}"""
    wanted = audiences(account)

    def run(conn: Connection) -> feed.Page:
        found = feed.page(conn, wanted, since, limit)
        if sight_of(account).audited:
            acts.audit(
                conn,
                reg.settings.now(),
                account.id,
                "read_changes",
                "feed",
                f"{found.count} changes after {since}",
            )
        return found

    try:
        found: feed.Page = reg.audited(account, run)
    except feed.ResyncRequired:
        raise ApiError(
            410,
            "RESYNC_REQUIRED",
            "This workstation has been offline longer than the registry keeps changes. "
            "It will download everything again.",
        ) from None
    return Response(found.as_json(), media_type="application/json")
