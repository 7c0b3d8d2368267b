"""The single POST routes of the acts a desktop queues (enrollment, ANC, PSF, a patient's
removal from the list, RDA, Dispense Rationale), one per entry of registry/queued.py's table,
which /v1/batch reads too: a path cannot be known to one and not the other. Each route
declares its path values and body from the entry, so the OpenAPI document and the checks are
the entry's."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from registry import queued
from registry.deps import BearerToken, IdempotencyKey, Reg
from registry.openapi_answers import answers
from registry.service import Registry

router = APIRouter()
_ACT = answers(400, 401, 403, 404, 409, 413, 422)


def _endpoint(entry: queued.QueuedAct) -> Callable[..., Awaitable[JSONResponse]]:
    async def endpoint(
        *, reg: Registry, token: str, key: str, body: BaseModel | None, **args: str
    ) -> JSONResponse:
        def act() -> JSONResponse:
            # The token is checked on the act's thread, in its transaction: one hand-off and
            # one transaction per request. A body-less act may come with no body: read as {}
            # (as the batch reads it).
            return reg.post_queued(entry, args, key, token, body or entry.body())

        return await reg.on_act_thread(act)

    # FastAPI reads what to parse from the signature: the entry's path values and body.
    keyword = inspect.Parameter.KEYWORD_ONLY
    parameters = [
        inspect.Parameter(name, keyword, annotation=queued.PATH_VALUES[name])
        for name in entry.params
    ]
    parameters += [
        inspect.Parameter("body", keyword, annotation=entry.body)
        if entry.body.model_fields
        else inspect.Parameter("body", keyword, annotation=entry.body | None, default=None),
        inspect.Parameter("reg", keyword, annotation=Reg),
        inspect.Parameter("token", keyword, annotation=BearerToken),
        inspect.Parameter("key", keyword, annotation=IdempotencyKey),
    ]
    signature: Any = inspect.Signature(parameters, return_annotation=JSONResponse)
    endpoint.__signature__ = signature  # type: ignore[attr-defined]
    endpoint.__name__ = entry.name
    return endpoint


for _entry in queued.QUEUED_ACTS.values():
    router.add_api_route(
        _entry.pattern,
        _endpoint(_entry),
        methods=["POST"],
        name=_entry.name,
        tags=[_entry.tag],
        status_code=_entry.status_code,
        responses=_ACT,
    )
