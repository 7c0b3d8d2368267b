"""Batches mixing accepted, refused-after-writing and faulted items (a savepoint each), and
keys moving between a lone POST (no savepoint: a refusal rolls back whole, its answer kept
in a second transaction) and a batch: each item takes effect once, a refusal keeps only
its answer, a fault keeps nothing and acts on the retry, and the feed carries exactly the
accepted items."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from app.errors import ErrorCode, RemsError
from registry import acts
from registry import tables as t
from registry.process import fresh_database
from tests.support.registry_server import (
    OPERATOR_PASSWORD,
    ServedRegistry,
    registry_settings,
    serve_in_thread,
)
from tests.support.registry_world import World, build_world, ok

REFUSED, FAULTED = 1777, 1666  # ANC values the patched act refuses, or fails on, after writing


@pytest.fixture
def writes_then_fails(monkeypatch: Any) -> dict[str, bool]:
    """report_anc writes the ANC, then refuses (REFUSED) or fails (FAULTED, while on)."""
    real = acts.report_anc
    faulty = {"on": True}

    def act(ctx: Any, patient_id: str, body: dict[str, Any]) -> Any:
        answer = real(ctx, patient_id, body)
        if body["value"] == REFUSED:
            raise RemsError(ErrorCode.NOT_PERMITTED, "Refused after writing, for the test.")
        if body["value"] == FAULTED and faulty["on"]:
            raise RuntimeError("a bug in the registry")
        return answer

    monkeypatch.setattr(acts, "report_anc", act)
    return faulty


def _ancs(served: ServedRegistry, patient: str) -> list[int]:
    a = t.anc_results.c
    with served.engine.connect() as conn:
        rows = conn.execute(select(a.per_ul).where(a.patient_id == patient)).scalars()
        return sorted(int(v) for v in rows)


def _feed_values(served: ServedRegistry, patient: str) -> list[str]:
    """The feed's ANC rows of the patient, as JSON text (every audience)."""
    c = t.changes.c
    with served.engine.connect() as conn:
        rows = conn.execute(
            select(c.body).where(c.patient_id == patient, c.kind == "anc").order_by(c.seq)
        ).scalars()
        return [json.dumps(r) for r in rows]


def _mentions(rows: list[str], value: int) -> int:
    return sum(str(value) in r for r in rows)


def _changes(served: ServedRegistry) -> int:
    with served.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(t.changes)).scalar_one())


def test_a_batch_of_accepted_refused_and_faulted_items_keeps_each_as_it_should(
    world: World, served_registry: ServedRegistry, writes_then_fails: dict[str, bool]
) -> None:
    dr_a, patient = world.client("dr_a"), world.ids["p1"]
    path = f"/v1/patients/{patient}/ancs"
    values = (1801, REFUSED, FAULTED, 1802)
    items: list[dict[str, Any]] = [
        {"key": str(uuid.uuid4()), "path": path, "body": {"value": v, "drawn": "2024-01-03"}}
        for v in values
    ]
    before = _ancs(served_registry, patient)
    results = ok(dr_a.batch(items))["results"]
    assert [r["status"] for r in results] == [201, 422, 500, 201]
    assert _ancs(served_registry, patient) == sorted([*before, 1801, 1802])
    feed = _feed_values(served_registry, patient)
    assert _mentions(feed, 1801) >= 1 and _mentions(feed, 1802) >= 1
    assert _mentions(feed, REFUSED) == 0 and _mentions(feed, FAULTED) == 0
    changes = _changes(served_registry)

    writes_then_fails["on"] = False  # fixed; the desk sends the same batch again
    again = ok(dr_a.batch(items))["results"]
    assert [r["status"] for r in again] == [201, 422, 201, 201]
    for i in (0, 1, 3):  # replayed as first answered
        assert again[i]["body"] == results[i]["body"]
    assert _ancs(served_registry, patient) == sorted([*before, 1801, 1802, FAULTED])
    assert _changes(served_registry) > changes  # the faulted item's ANC, now, and only it
    feed = _feed_values(served_registry, patient)
    assert _mentions(feed, REFUSED) == 0 and _mentions(feed, 1801) == _mentions(feed, FAULTED)

    # Each item's key sent alone now (a desk that stopped batching): the same answers.
    for item, first in zip(items, again, strict=True):
        lone = dr_a.post(item["path"], item["body"], key=item["key"])
        assert lone.replayed and (lone.status, lone.body) == (first["status"], first["body"])
    assert _ancs(served_registry, patient) == sorted([*before, 1801, 1802, FAULTED])


def test_a_lone_refusal_then_the_same_key_in_a_batch_is_the_refusal(
    world: World, served_registry: ServedRegistry, writes_then_fails: dict[str, bool]
) -> None:
    dr_a, patient = world.client("dr_a"), world.ids["p1"]
    path, body, key = (
        f"/v1/patients/{patient}/ancs",
        {"value": REFUSED, "drawn": "2024-01-03"},
        "k1",
    )
    before, changes = _ancs(served_registry, patient), _changes(served_registry)
    lone = dr_a.post(path, body, key=key)
    assert (lone.status, lone.error) == (422, "NOT_PERMITTED") and not lone.replayed
    assert _ancs(served_registry, patient) == before and _changes(served_registry) == changes
    batched = ok(dr_a.batch([{"key": key, "path": path, "body": body}]))["results"][0]
    assert (batched["status"], batched["body"]) == (422, lone.body)
    # A new key with another body, sent alone, after the lone refusal: acts (the rolled
    # back transaction left nothing in the way).
    other = dr_a.post(path, {"value": 1803, "drawn": "2024-01-03"}, key="k2")
    assert other.status == 201
    assert _ancs(served_registry, patient) == sorted([*before, 1803])
    # The same key with another body: a client bug, 422 IDEMPOTENCY_KEY_REUSED, not acted.
    reused = dr_a.post(path, {"value": 1804, "drawn": "2024-01-03"}, key=key)
    assert (reused.status, reused.error) == (422, "IDEMPOTENCY_KEY_REUSED")
    assert _ancs(served_registry, patient) == sorted([*before, 1803])


def test_an_rda_refused_on_the_short_way_in_is_the_same_refusal_in_a_batch(
    world: World, served_registry: ServedRegistry
) -> None:
    """POST /v1/rda alone goes the short way in (registry/fast_rda.py), with no savepoint;
    the same key batched later is the same request: its refusal replayed, no sight of the
    patient granted; an accepted one replayed, one dispense."""
    ar = world.client("ar_rx_x")
    patient = world.ids["p1"]
    rda = {
        "pharmacy_id": world.ids["rx_x"],
        "patient_id": patient,
        "prescriber_id": world.ids["dr_a"],
        "name": "Rosa Test",
        "dob": "1981-02-02",  # not hers: refused
    }
    lone = ar.post("/v1/rda", rda, key="rda-1")
    assert lone.status == 403 and not lone.replayed
    batched = ok(ar.batch([{"key": "rda-1", "path": "/v1/rda", "body": rda}]))["results"][0]
    assert (batched["status"], batched["body"]) == (lone.status, lone.body)
    pp = t.pharmacy_patients.c
    with served_registry.engine.connect() as conn:
        sees = conn.execute(select(pp.patient_id).where(pp.pharmacy_id == world.ids["rx_x"]))
        assert patient not in set(sees.scalars())
    right = {**rda, "dob": "1980-01-01"}
    accepted = ar.post("/v1/rda", right, key="rda-2")
    assert accepted.status == 200 and accepted.body["authorized"], accepted.body
    batched = ok(ar.batch([{"key": "rda-2", "path": "/v1/rda", "body": right}]))["results"][0]
    assert (batched["status"], batched["body"]) == (200, accepted.body)
    d = t.dispenses.c
    with served_registry.engine.connect() as conn:
        count = conn.execute(select(func.count()).where(d.patient_id == patient)).scalar_one()
    assert count == 1


@pytest.fixture
def pg_served(postgres_url: str, tmp_path: Path) -> Iterator[ServedRegistry]:
    """The registry on PostgreSQL, served in this process (so a test may patch an act)."""
    with (
        fresh_database(postgres_url, tmp_path) as url,
        serve_in_thread(registry_settings(url)) as served,
    ):
        yield served


def test_on_postgresql_a_lone_post_refused_after_writing_keeps_nothing_of_it(
    pg_served: ServedRegistry, writes_then_fails: dict[str, bool]
) -> None:
    """No savepoint on PostgreSQL either: the ANC written before the refusal (or the
    fault) is rolled back with the transaction, no feed row is numbered for it, and a
    pulling desk's cursor goes on over the next accepted write with nothing missing."""
    world = build_world(pg_served.url, OPERATOR_PASSWORD)
    try:
        dr_a, patient = world.client("dr_a"), world.ids["p1"]
        path = f"/v1/patients/{patient}/ancs"
        cursor = ok(dr_a.changes(0))["cursor"]
        before, changes = _ancs(pg_served, patient), _changes(pg_served)
        for value, status in ((REFUSED, 422), (FAULTED, 500)):
            answer = dr_a.post(path, {"value": value, "drawn": "2024-01-03"})
            assert answer.status == status, answer.body
            assert _ancs(pg_served, patient) == before
            assert _changes(pg_served) == changes
        assert dr_a.post(path, {"value": 1805, "drawn": "2024-01-03"}).status == 201
        page = ok(dr_a.changes(cursor))
        values = [c["body"] for c in page["changes"] if c["kind"] == "anc"]
        assert len(values) == 1 and "1805" in json.dumps(values[0])
        assert _ancs(pg_served, patient) == sorted([*before, 1805])
    finally:
        world.close()
