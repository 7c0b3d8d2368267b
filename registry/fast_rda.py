"""A short way in for the request a pharmacy counter waits on: a well-formed `POST /v1/rda`
goes straight to the act, past FastAPI's routing, dependency solving and exception layers
(about a fifth of an RDA's CPU, docs/perf/). Everything else, and every RDA request with
anything unusual about it (no bearer token, no key or a long one, not JSON, NaN, a body the
model refuses, a body too large or sent in chunks), is handed to FastAPI untouched, with the
body it sent: so every refusal is FastAPI's own, and an accepted RDA is decided by the same
`Registry.post_queued` on the same act threads as the route would."""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import RemsError
from registry import limits, queued
from registry.service import ApiError, Registry, database_interrupted, error_response

_PATH = "/v1/rda"


def _refuse_constant(name: str) -> Any:
    raise ValueError(name)  # NaN, Infinity: FastAPI answers those


class FastRda:
    def __init__(self, app: ASGIApp, registry: Registry) -> None:
        self.app = app
        self.registry = registry
        self.entry = queued.request_for(_PATH).act

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != _PATH or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        token, key = headers.get(b"authorization", b""), headers.get(b"idempotency-key", b"")
        length = headers.get(b"content-length", b"")
        plain = (
            token[:7] == b"Bearer "
            and len(token) > 7
            and 0 < len(key) <= limits.ID
            and length.isdigit()
            and int(length) <= limits.MAX_BODY_BYTES
            and headers.get(b"content-type", b"").startswith(b"application/json")
        )
        if not plain:
            await self.app(scope, receive, send)
            return
        body, replay = await _read(receive)
        parsed = _parsed(self.entry.body, body) if body is not None else None
        if parsed is None:  # handed on, with the body it sent
            await self.app(scope, replay, send)
            return
        reg, entry = self.registry, self.entry
        bearer, idempotency_key = token[7:].decode("latin-1"), key.decode("latin-1")

        def act() -> JSONResponse:
            try:
                return reg.post_queued(entry, {}, idempotency_key, bearer, parsed)
            except (ApiError, RemsError) as error:  # as the app's handlers answer them
                return error_response(error)
            except DBAPIError as error:
                answer = database_interrupted(error)
                if answer is None:
                    raise
                return answer

        response = await reg.on_act_thread(act)
        await response(scope, replay, send)


def _headers(scope: Scope) -> dict[bytes, bytes]:
    found: dict[bytes, bytes] = {}
    for name, value in scope["headers"]:
        lowered = name.lower()
        if lowered in found:  # a header sent twice: FastAPI decides what that means
            found[lowered] = b""
            continue
        found[lowered] = value
    return found


async def _read(receive: Receive) -> tuple[bytes | None, Receive]:
    """The whole body (None if the client went away or sent more than the cap), and a
    `receive` that gives what was read again, then the connection's own messages."""
    chunks: list[bytes] = []
    size, ended = 0, False
    while not ended and size <= limits.MAX_BODY_BYTES:
        message = await receive()
        if message["type"] != "http.request":
            return None, _replaying([message], receive)
        chunk = message.get("body", b"")
        size += len(chunk)
        chunks.append(chunk)
        ended = not message.get("more_body", False)
    body = b"".join(chunks)
    first: Message = {"type": "http.request", "body": body, "more_body": not ended}
    return (body if ended and size <= limits.MAX_BODY_BYTES else None), _replaying([first], receive)


def _replaying(messages: list[Message], receive: Receive) -> Receive:
    async def again() -> Message:
        if messages:
            return messages.pop(0)
        return await receive()

    return again


def _parsed(model: Any, body: bytes) -> Any:
    """The body as the route's model, or None for anything FastAPI should answer."""
    try:
        data = json.loads(body, parse_constant=_refuse_constant)
        if not isinstance(data, dict):
            return None
        return model.model_validate(data)
    except (ValueError, ValidationError, RecursionError):
        return None
