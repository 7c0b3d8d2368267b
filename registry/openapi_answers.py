"""The error answers each route documents in the OpenAPI document (all {error, message}).
Every route may answer 503 when the registry loses its database (DATABASE_INTERRUPTED)."""

from __future__ import annotations

from typing import Any

from registry.schemas import ErrorOut

_MEANING = {
    400: "The request is malformed: a field is missing, too long or of the wrong type",
    401: "Sign in (again): no access token, or it has ended",
    403: "Not allowed: the role, the patient's or pharmacy's scope, or certification",
    404: "Unknown patient",
    409: "The same request (its Idempotency-Key) is still being processed",
    410: "The change feed needs a full download again",
    413: "The request body is larger than the registry accepts",
    422: "The rules refuse it, or the Idempotency-Key was used for another request",
    429: "Too many attempts: wait the Retry-After seconds",
    503: "Busy (signing others in), or the registry lost its database connection while "
    "answering (if it was a change, it may or may not have been saved): wait the "
    "Retry-After seconds",
}


def answers(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {s: {"model": ErrorOut, "description": _MEANING[s]} for s in sorted({*statuses, 503})}
