"""A COMMIT whose acknowledgement is lost: the database committed, but the connection broke
before it said so (a failover, pg_terminate_backend at the wrong moment). SQLAlchemy then
raises a DBAPIError with `connection_invalidated`. `run_in_transaction` starts again only a
transaction that is safe to run twice (keyed POSTs, reads, a sign-out); any other is
answered 503 DATABASE_INTERRUPTED ("it may or may not have been saved"), never done twice
and never answered with a false "nothing was changed".

Simulated faithfully at the driver boundary: the dialect's real commit runs, then the
driver raises the error its dialect calls a disconnect, so SQLAlchemy's own handling (the
invalidation, the wrapped error) is what the registry sees. Only the commit of a
transaction that ran a chosen statement is broken, once."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from sqlalchemy import event, func, select

from registry import tables as t
from tests.support.registry_server import ServedRegistry
from tests.support.registry_world import PASSWORD, World


class LostAck:
    """Break, once, the acknowledgement of the next COMMIT of a transaction that ran a
    statement containing `armed` (the commit itself happens)."""

    def __init__(self, served: ServedRegistry) -> None:
        self.engine = served.engine
        self.armed: str | None = None
        self.marked: set[int] = set()
        self.fired = 0
        self._real_commit = self.engine.dialect.do_commit

    def arm(self, fragment: str) -> None:
        self.armed, self.fired = fragment, 0

    def _seen(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if self.armed and self.armed in statement:
            self.marked.add(id(conn.connection))  # the pool's proxy, as do_commit gets it

    def _commit(self, pooled: Any) -> None:
        self._real_commit(pooled)
        if id(pooled) in self.marked:
            self.marked.clear()
            self.armed = None
            self.fired += 1
            # What the pysqlite dialect calls a disconnect: SQLAlchemy invalidates the
            # connection and raises DBAPIError(connection_invalidated=True).
            raise sqlite3.ProgrammingError("Cannot operate on a closed database.")

    def __enter__(self) -> LostAck:
        event.listen(self.engine, "before_cursor_execute", self._seen)
        self.engine.dialect.do_commit = self._commit  # type: ignore[method-assign,assignment]
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._seen)
        del self.engine.dialect.do_commit  # the class's own again


@pytest.fixture
def lost_ack(served_registry: ServedRegistry) -> Iterator[LostAck]:
    with LostAck(served_registry) as fault:
        yield fault


def _sign_in(world: World, who: str, password: str = PASSWORD) -> dict[str, Any]:
    answer = requests.post(
        world.url + "/v1/session",
        json={"email": world.emails[who], "password": password},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def _me(world: World, access_token: str) -> int:
    answer = requests.get(
        world.url + "/v1/me", headers={"Authorization": f"Bearer {access_token}"}, timeout=30
    )
    return answer.status_code


def _count(served: ServedRegistry, table: Any) -> int:
    with served.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def test_a_keyed_post_whose_commit_was_not_acknowledged_takes_effect_once(
    world: World, served_registry: ServedRegistry, lost_ack: LostAck
) -> None:
    """Held: the retry finds the key done and answers the first answer."""
    dr_a, patient = world.client("dr_a"), world.ids["p1"]
    before = _count(served_registry, t.anc_results)
    lost_ack.arm("INSERT INTO anc_results")
    answer = dr_a.post(
        f"/v1/patients/{patient}/ancs", {"value": 1900, "drawn": "2024-01-03"}, key="k-lost-1"
    )
    assert lost_ack.fired == 1
    assert answer.status == 201, answer.body
    assert _count(served_registry, t.anc_results) == before + 1
    again = dr_a.post(
        f"/v1/patients/{patient}/ancs", {"value": 1900, "drawn": "2024-01-03"}, key="k-lost-1"
    )
    assert again.replayed and again.status == 201
    assert _count(served_registry, t.anc_results) == before + 1


def _interrupted(answer: requests.Response) -> bool:
    return answer.status_code == 503 and answer.json()["error"] == "DATABASE_INTERRUPTED"


def test_a_refresh_whose_commit_was_not_acknowledged_is_not_done_twice(
    world: World, lost_ack: LostAck
) -> None:
    tokens = _sign_in(world, "dr_a")
    lost_ack.arm("UPDATE tokens SET revoked")
    answer = requests.post(
        world.url + "/v1/session/refresh",
        json={"refresh_token": tokens["refresh_token"]},
        timeout=30,
    )
    assert lost_ack.fired == 1
    # Done twice, the second refresh would find its token used and end the whole sign-in
    # as a stolen token's; the registry says what happened instead (the client signs in
    # again, as for any refresh that fails).
    assert _interrupted(answer), answer.text
    assert _me(world, tokens["access_token"]) == 200  # the sign-in was not ended as stolen


def test_a_password_change_whose_commit_was_not_acknowledged_is_not_said_unchanged(
    world: World, served_registry: ServedRegistry, lost_ack: LostAck
) -> None:
    tokens = _sign_in(world, "des_a")
    new = "a brand new registry password 42"
    lost_ack.arm("password_hash")
    answer = requests.post(
        world.url + "/v1/me/password",
        json={"current_password": PASSWORD, "new_password": new},
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
        timeout=30,
    )
    assert lost_ack.fired == 1
    # Done twice, the retry checked the old password against the new hash and answered
    # "not right, nothing was changed" (and counted a wrong password).
    assert _interrupted(answer), answer.text
    assert "may or may not have been saved" in answer.json()["message"]
    assert _sign_in(world, "des_a", new)  # the change did commit


def test_a_wrong_password_whose_commit_was_not_acknowledged_counts_once(
    world: World, served_registry: ServedRegistry, lost_ack: LostAck
) -> None:
    email = world.emails["des_b"]
    first = requests.post(
        world.url + "/v1/session", json={"email": email, "password": "wrong " * 3}, timeout=30
    )
    assert first.status_code == 401
    lost_ack.arm("failed_sign_ins")
    second = requests.post(
        world.url + "/v1/session", json={"email": email, "password": "wrong " * 4}, timeout=30
    )
    assert lost_ack.fired == 1
    assert _interrupted(second), second.text
    with served_registry.engine.connect() as conn:
        failures = conn.execute(
            select(t.accounts.c.failed_sign_ins).where(t.accounts.c.email == email)
        ).scalar_one()
    assert failures == 2, failures  # two wrong passwords typed: two counted, not three


def test_a_sign_out_whose_commit_was_not_acknowledged_signs_out(
    world: World, lost_ack: LostAck
) -> None:
    """Held: a sign-out done twice is the same sign-out."""
    tokens = _sign_in(world, "dr_b")
    lost_ack.arm("UPDATE tokens SET revoked")
    answer = requests.delete(
        world.url + "/v1/session",
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
        timeout=30,
    )
    assert lost_ack.fired == 1
    assert answer.status_code == 204
    assert _me(world, tokens["access_token"]) == 401
