"""The short way in for `POST /v1/rda` (registry/fast_rda.py) answers exactly as FastAPI's
route does, over real HTTP: the same RDA sent whole (the short way) and sent in chunks (no
Content-Length: handed to FastAPI) gets the same decision, the same refusals in the same
words, the same replay under one key; a signed-out token, a missing key, NaN, a doubled
header and a body over the cap are FastAPI's answers."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import requests

from tests.support.registry_server import ServedRegistry
from tests.support.registry_world import World, ok


def _rda(world: World, **extra: Any) -> dict[str, Any]:
    return {
        "pharmacy_id": world.ids["rx_x"],
        "patient_id": world.ids["p1"],
        "prescriber_id": world.ids["dr_a"],
        **extra,
    }


def _send(
    served: ServedRegistry,
    token: str,
    body: bytes,
    *,
    key: str | None = None,
    chunked: bool = False,
    headers: dict[str, str] | None = None,
) -> requests.Response:
    sent: dict[str, str] = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    if key != "":
        sent["Idempotency-Key"] = key or str(uuid.uuid4())
    sent.update(headers or {})

    def pieces() -> Iterator[bytes]:
        yield body[:10]
        yield body[10:]

    data: Any = pieces() if chunked else body
    return requests.post(served.url + "/v1/rda", data=data, headers=sent, timeout=30)


def _same(a: requests.Response, b: requests.Response) -> None:
    assert a.status_code == b.status_code, (a.text, b.text)
    assert a.headers["content-type"] == b.headers["content-type"]
    assert a.json() == b.json()


def test_the_short_way_and_fastapis_answer_alike(
    world: World, served_registry: ServedRegistry
) -> None:
    ar = world.client("ar_rx_x")
    token = ar.access_token
    assert token is not None
    # A refusal first (the pharmacy never looked the patient up), both ways, same words.
    refused = json.dumps(_rda(world)).encode()
    short, long = (
        _send(served_registry, token, refused),
        _send(served_registry, token, refused, chunked=True),
    )
    _same(short, long)
    assert short.json()["error"] == "NOT_PERMITTED"
    # Looked up by name and date of birth with the request: authorized, both ways.
    named = json.dumps(_rda(world, name="Rosa Test", dob="1980-01-01")).encode()
    first = _send(served_registry, token, named)
    second = _send(served_registry, token, named, chunked=True)
    assert first.status_code == second.status_code == 200
    assert "authorized" in first.json() and first.json().keys() == second.json().keys()
    # One key: sent the short way, retried in chunks, the first answer replayed.
    key = str(uuid.uuid4())
    once = _send(served_registry, token, named, key=key)
    again = _send(served_registry, token, named, key=key, chunked=True)
    assert again.headers.get("Idempotent-Replay") == "1" and again.json() == once.json()
    # The same key with another body: 422 either way.
    other = json.dumps(_rda(world, name="Rosa Test", dob="1980-01-01", prescriber_id="x")).encode()
    _same(
        _send(served_registry, token, other, key=key),
        _send(served_registry, token, other, key=key, chunked=True),
    )


def test_what_is_unusual_is_fastapis_to_answer(
    world: World, served_registry: ServedRegistry
) -> None:
    ar = world.client("ar_rx_x")
    token = ar.access_token
    assert token is not None
    body = json.dumps(_rda(world)).encode()
    missing_key = _send(served_registry, token, body, key="")
    assert (missing_key.status_code, missing_key.json()["error"]) == (
        400,
        "IDEMPOTENCY_KEY_REQUIRED",
    )
    nan = body.replace(b'"pharmacy_id"', b'"anc": {"value": NaN, "unit": "/uL", "drawn": '
                       b'"2024-01-03"}, "pharmacy_id"')  # fmt: skip
    _same(_send(served_registry, token, nan), _send(served_registry, token, nan, chunked=True))
    assert 400 <= _send(served_registry, token, nan).status_code < 500
    big = json.dumps({**_rda(world), "name": "A" * 300_000}).encode()
    too_large = _send(served_registry, token, big)
    assert (too_large.status_code, too_large.json()["error"]) == (413, "REQUEST_TOO_LARGE")
    not_an_object = _send(served_registry, token, b"[1, 2]")
    assert not_an_object.status_code in (400, 422)
    ar.sign_out()  # the token is revoked: 401 in words, the short way too
    signed_out = _send(served_registry, token, body)
    assert (signed_out.status_code, signed_out.json()["error"]) == (401, "SIGN_IN_REQUIRED")
    ok(world.operator.get("/v1/handshake"))  # the registry goes on
