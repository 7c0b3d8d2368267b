"""The registry on PostgreSQL with several workers: acts on one patient take turns, and a
workstation pulling while others write never skips a change (feed numbers follow commits)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from local_store.ledger import StoreLedger
from registry import tables as t
from registry.database import make_engine
from registry.process import RegistryProcess, fresh_database
from sync.client import RegistryClient
from sync.pull import pull
from tests.support.desk_outbox import open_desk
from tests.support.registry_world import PASSWORD, World, build_world, enroll_patients, ok


def _now() -> datetime:
    return datetime.now(UTC)


@pytest.fixture
def pg_registry(postgres_url: str, tmp_path: Path) -> Iterator[RegistryProcess]:
    with fresh_database(postgres_url, tmp_path) as url, RegistryProcess(url, workers=2) as r:
        yield r


def test_concurrent_writers_and_a_pulling_workstation_miss_nothing(
    pg_registry: RegistryProcess, tmp_path: Path
) -> None:
    world: World = build_world(pg_registry.url, pg_registry.operator_password)
    patients = enroll_patients(world, 6)
    per_writer = 12

    def writer(n: int) -> None:
        client = RegistryClient(pg_registry.url)
        ok(client.sign_in(world.emails["des_a" if n % 2 else "dr_a"], PASSWORD))
        for k in range(per_writer):
            # Two writers share each patient: their ANCs must all land, none lost.
            patient = patients[n % len(patients)]
            ok(
                client.post(
                    f"/v1/patients/{patient}/ancs",
                    {"value": 2000 + n * 100 + k, "drawn": "2024-01-03"},
                )
            )

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(12)]
    desk = open_desk(tmp_path / "desk")
    for thread in threads:
        thread.start()
    while any(thread.is_alive() for thread in threads):
        pull(desk, world.client("dr_a"), _now)  # pulling while the writers commit
    for thread in threads:
        thread.join()
    pull(desk, world.client("dr_a"), _now)
    engine = make_engine(pg_registry.db_url)
    with engine.connect() as conn:
        at_registry = conn.execute(
            select(func.count())
            .select_from(t.anc_results)
            .where(t.anc_results.c.patient_id.in_(patients))
        ).scalar_one()
    engine.dispose()
    here = sum(len(StoreLedger(desk).anc_history(p)) for p in patients)
    assert at_registry == len(patients) + 12 * per_writer
    assert here == at_registry
    world.close()


def test_connections_the_database_ended_are_replaced_without_an_error(
    pg_registry: RegistryProcess,
) -> None:
    """A PostgreSQL restart or failover ends every connection the registry's pools hold:
    the next requests are answered as usual (on fresh connections), and a write lands once."""
    world: World = build_world(pg_registry.url, pg_registry.operator_password)
    (patient,) = enroll_patients(world, 1)
    prescriber = world.client("dr_a")
    engine = make_engine(pg_registry.db_url)
    with engine.connect() as conn:
        ended = conn.execute(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        ).scalar_one()
    assert ended >= 2  # both workers had connections open
    for _ in range(4):  # more than once: each worker's pool had its connections ended
        ok(prescriber.get("/v1/me"))
    ok(prescriber.post(f"/v1/patients/{patient}/ancs", {"value": 1800, "drawn": "2024-01-03"}))
    with engine.connect() as conn:
        landed = conn.execute(
            select(func.count())
            .select_from(t.anc_results)
            .where(t.anc_results.c.patient_id == patient, t.anc_results.c.per_ul == 1800)
        ).scalar_one()
    engine.dispose()
    assert landed == 1
    world.close()
