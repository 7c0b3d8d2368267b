"""How big anything sent to the registry may be, checked before it is parsed.

A request body over `MAX_BODY_BYTES` is refused 413 while it arrives (nothing buffers past
the cap); every string field has a length; integers stay within 64 bits, the database's.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_BODY_BYTES = 256 * 1024
MAX_INT64 = 2**63 - 1
ID = 64  # ids and Idempotency-Keys
NAME = 200  # a person's, a pharmacy's name
EMAIL = 254  # RFC 5321's limit
PASSWORD = 256  # app.passwords.MAX_LENGTH
TOKEN = 128
SHORT = 40  # dates, units, codes, timestamps
TEXT = 2000  # a reason, a meaning


TOO_LARGE = "REQUEST_TOO_LARGE"


class BodyTooLarge(HTTPException):
    """Raised while the body streams in; FastAPI passes an HTTPException through unwrapped."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, _too_large_text(limit))


def _too_large_text(limit: int) -> str:
    return (
        f"This request is larger than the registry accepts ({limit // 1024} KiB). "
        "Check what is being sent."
    )


class BodyCap:
    """ASGI middleware: 413 for a body over the cap, by its Content-Length or as it streams."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or ()).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await _too_large(send, self.limit)
            return
        seen = 0
        started = False

        async def capped_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise BodyTooLarge(self.limit)
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, capped_receive, watched_send)
        except BodyTooLarge:
            if not started:
                await _too_large(send, self.limit)


async def _too_large(send: Send, limit: int) -> None:
    body = json.dumps({"error": TOO_LARGE, "message": _too_large_text(limit)}).encode()
    headers: list[Any] = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
    ]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})


# A form's document is free-form JSON inside the body cap; its fields that end up in a
# record have lengths too (a 5,000-character patient id could be stored but never opened).
_DOCUMENT_FIELDS = {"patient_id": ID, "name": NAME, "dob": SHORT, "prescriber_id": ID}


def check_document(document: dict[str, Any]) -> None:
    """ValueError, in words, for a form field longer than a record keeps (the act answers
    422 INVALID_REQUEST with it); every other text at most `TEXT`, every list 100 items."""
    for field, value in document.items():
        limit = _DOCUMENT_FIELDS.get(field, TEXT)
        if isinstance(value, str) and len(value) > limit:
            raise ValueError(f"{field} is longer than {limit} characters")
        if isinstance(value, list) and len(value) > 100:
            raise ValueError(f"{field} has more than 100 entries")
