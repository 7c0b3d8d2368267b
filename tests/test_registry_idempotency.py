"""Idempotency-Key: the same key and body give the original answer and take effect once;
another body is 422; a request still in flight is 409; keys are kept at least 30 days."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from registry import idempotency
from registry import tables as t
from registry.process import OPERATOR_EMAIL
from registry.settings import Settings
from sync.client import RegistryClient
from tests.support.registry_server import OPERATOR_PASSWORD, ServedRegistry
from tests.support.registry_world import World, ok


def _psf(world: World, value: str = "2000") -> dict[str, Any]:
    return {
        "document": {
            "format": "psf/1",
            "patient_id": world.ids["p1"],
            "monitoring": "weekly",
            "ancs": [{"value": value, "unit": "/uL", "drawn": "2024-01-03"}],
        }
    }


def _count(served: ServedRegistry, table: Any) -> int:
    with served.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def test_the_same_key_and_body_take_effect_once(
    world: World, served_registry: ServedRegistry
) -> None:
    dr = world.client("dr_a")
    key = str(uuid.uuid4())
    psfs, ancs = _count(served_registry, t.psfs), _count(served_registry, t.anc_results)
    first = dr.post("/v1/psfs", _psf(world), key=key)
    again = dr.post("/v1/psfs", _psf(world), key=key)
    assert first.status == again.status == 201
    assert again.body == first.body and again.replayed and not first.replayed
    assert _count(served_registry, t.psfs) == psfs + 1
    assert _count(served_registry, t.anc_results) == ancs + 1


def test_the_same_key_with_another_body_is_422(world: World) -> None:
    dr = world.client("dr_a")
    key = str(uuid.uuid4())
    ok(dr.post("/v1/psfs", _psf(world, "2000"), key=key))
    other = dr.post("/v1/psfs", _psf(world, "2500"), key=key)
    assert (other.status, other.error) == (422, "IDEMPOTENCY_KEY_REUSED")
    # Another account using someone's key is a different request too.
    des = world.client("des_a").post("/v1/psfs", _psf(world, "2000"), key=key)
    assert (des.status, des.error) == (422, "IDEMPOTENCY_KEY_REUSED")


def test_a_refusal_is_replayed_as_it_was_given(
    world: World, served_registry: ServedRegistry
) -> None:
    dr_b = world.client("dr_b")
    key = str(uuid.uuid4())
    body = _psf(world)
    first = dr_b.post("/v1/psfs", body, key=key)
    assert (first.status, first.error) == (403, "NOT_PERMITTED")
    psfs = _count(served_registry, t.psfs)
    again = dr_b.post("/v1/psfs", body, key=key)
    assert again.replayed and (again.status, again.body) == (first.status, first.body)
    assert _count(served_registry, t.psfs) == psfs


def test_a_request_still_in_flight_is_409_until_its_worker_is_presumed_dead(
    world: World, served_registry: ServedRegistry
) -> None:
    dr = world.client("dr_a")
    body = _psf(world)
    key = str(uuid.uuid4())
    settings: Settings = served_registry.settings
    wall = served_registry.wall
    assert wall is not None
    digest = idempotency.request_hash(
        "POST", "/v1/psfs", body | {"signature": None, "supersedes": None}
    )
    with served_registry.engine.begin() as conn:  # another worker has claimed it
        claim = idempotency.claim(
            conn,
            key,
            world.ids["dr_a"],
            digest,
            wall.now(),
            timedelta(seconds=settings.in_flight_takeover_seconds),
        )
    assert isinstance(claim, idempotency.Claimed)
    busy = dr.post("/v1/psfs", body, key=key)
    assert (busy.status, busy.error) == (409, "IN_FLIGHT")
    wall.advance(timedelta(seconds=settings.in_flight_takeover_seconds + 1))
    taken_over = dr.post("/v1/psfs", body, key=key)
    assert taken_over.status == 201


def test_a_post_without_a_key_is_refused_and_does_nothing(
    world: World, served_registry: ServedRegistry
) -> None:
    dr = world.client("dr_a")
    psfs = _count(served_registry, t.psfs)
    answer = dr._authorized("POST", "/v1/psfs", json=_psf(world))
    assert (answer.status, answer.error) == (400, "IDEMPOTENCY_KEY_REQUIRED")
    assert _count(served_registry, t.psfs) == psfs


def test_keys_are_kept_at_least_30_days(world: World, served_registry: ServedRegistry) -> None:
    wall = served_registry.wall
    assert wall is not None
    dr = world.client("dr_a")
    key = str(uuid.uuid4())
    first = ok(dr.post("/v1/psfs", _psf(world), key=key))
    wall.advance(timedelta(days=29, hours=23))
    with served_registry.engine.begin() as conn:
        idempotency.prune(conn, wall.now() - timedelta(days=30))
    # The access token expired long ago: the client signs in again with its refresh token
    # (good for 30 days), and the retried item is still answered from the record.
    again = dr.post("/v1/psfs", _psf(world), key=key)
    assert again.replayed and again.body == first
    wall.advance(timedelta(days=2))
    with served_registry.engine.begin() as conn:
        assert idempotency.prune(conn, wall.now() - timedelta(days=30)) >= 1


def test_the_operator_account_signs_in(served_registry: ServedRegistry) -> None:
    client = RegistryClient(served_registry.url)
    assert ok(client.sign_in(OPERATOR_EMAIL, OPERATOR_PASSWORD))["account"]["role"] == (
        "program_operator"
    )


def test_a_fault_in_one_batched_item_fails_it_alone_and_leaves_its_key_free(
    world: World, served_registry: ServedRegistry, monkeypatch: Any
) -> None:
    import dataclasses

    from registry import queued

    poisoned = {"on": True}
    real = queued.QUEUED_ACTS["/v1/psfs"]

    def flaky(ctx: Any, args: Any, data: dict[str, Any]) -> Any:
        if poisoned["on"] and data["document"]["ancs"][0]["value"] == "1999":
            raise RuntimeError("a bug in the registry")
        return real.act(ctx, args, data)

    monkeypatch.setitem(queued.QUEUED_ACTS, "/v1/psfs", dataclasses.replace(real, act=flaky))
    keys = [str(uuid.uuid4()) for _ in range(3)]
    items = [
        {"key": k, "path": "/v1/psfs", "body": _psf(world, v)}
        for k, v in zip(keys, ("2000", "1999", "2001"), strict=True)
    ]
    results = ok(world.client("dr_a").batch(items))["results"]
    assert [r["status"] for r in results] == [201, 500, 201]
    assert results[1]["body"]["error"] == "INTERNAL_ERROR"
    poisoned["on"] = False  # fixed; the item is sent again with its key
    again = ok(world.client("dr_a").batch([items[1]]))["results"][0]
    assert again["status"] == 201


def test_a_single_post_refused_after_it_wrote_keeps_only_its_answer(
    world: World, served_registry: ServedRegistry, monkeypatch: Any
) -> None:
    """A request alone in its transaction has no savepoint: a refusal (or a fault of ours)
    after the act wrote must still leave nothing it wrote, and keep the refusal (not the
    fault) with its key."""
    from app.errors import ErrorCode, RemsError
    from registry import acts

    real = acts.report_anc
    how: dict[str, Exception | None] = {
        "fail": RemsError(ErrorCode.NOT_PERMITTED, "Refused after writing, for the test.")
    }

    def writes_then_fails(ctx: Any, patient_id: str, body: dict[str, Any]) -> Any:
        answer = real(ctx, patient_id, body)  # the ANC is written
        if how["fail"] is not None:
            raise how["fail"]
        return answer

    monkeypatch.setattr(acts, "report_anc", writes_then_fails)
    dr_a, patient = world.client("dr_a"), world.ids["p1"]
    ancs, changes = _count(served_registry, t.anc_results), _count(served_registry, t.changes)
    body, key = {"value": 1700, "drawn": "2024-01-03"}, str(uuid.uuid4())
    first = dr_a.post(f"/v1/patients/{patient}/ancs", body, key=key)
    assert (first.status, first.error) == (422, "NOT_PERMITTED")  # a rule's refusal
    assert _count(served_registry, t.anc_results) == ancs  # rolled back
    assert _count(served_registry, t.changes) == changes  # and no feed row for it
    again = dr_a.post(f"/v1/patients/{patient}/ancs", body, key=key)
    assert again.replayed and (again.status, again.body) == (first.status, first.body)

    how["fail"] = RuntimeError("a bug in the registry")
    other = str(uuid.uuid4())
    faulted = dr_a.post(f"/v1/patients/{patient}/ancs", body, key=other)
    assert (faulted.status, faulted.error) == (500, "INTERNAL_ERROR")
    assert _count(served_registry, t.anc_results) == ancs
    how["fail"] = None  # fixed: the same key acts now
    retried = dr_a.post(f"/v1/patients/{patient}/ancs", body, key=other)
    assert retried.status == 201 and not retried.replayed
    assert _count(served_registry, t.anc_results) == ancs + 1
