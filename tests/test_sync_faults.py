"""Pushing the outbox through faults, over real loopback HTTP to a real registry process:
connections reset, 500 answers, answers later than the client waits, requests delivered
twice, the registry killed mid-batch and restarted, the workstation killed between its
commit and the push and between the push and the ack. After recovery every queued item took
effect at the registry exactly once, with its own content, in its patient's order."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from local_store.outbox import Outbox, OutboxState
from registry.database import make_engine
from registry.process import RegistryProcess
from sync.client import RegistryClient
from sync.push import push
from tests.conftest import REPO
from tests.support.desk_outbox import Clock, check_exactly_once, open_desk, queue_psfs
from tests.support.fault_proxy import FAULTS, FaultProxy
from tests.support.registry_world import PASSWORD, World, build_world, enroll_patients, ok

TODAY = "2024-03-01"
DRAWN = "2024-02-28"


@pytest.fixture
def registry(tmp_path: Path) -> Iterator[RegistryProcess]:
    process = RegistryProcess(f"sqlite:///{tmp_path / 'registry.db'}")
    with process:
        yield process


@pytest.fixture
def registry_world(registry: RegistryProcess) -> Iterator[World]:
    world = build_world(registry.url, registry.operator_password)
    ok(world.operator.put("/v1/test/clock", {"today": TODAY}))
    yield world
    world.close()


def _push_until_settled(db: object, client: RegistryClient, clock: Clock, rounds: int) -> int:
    outbox = Outbox(db)  # type: ignore[arg-type]
    for n in range(rounds):
        push(db, client, clock)  # type: ignore[arg-type]
        if outbox.pending_count() == 0:
            return n + 1
        clock.jump()  # items waiting to retry become due
    raise AssertionError(f"{outbox.pending_count()} items still pending after {rounds} rounds")


def test_faults_on_the_wire_lose_nothing_and_duplicate_nothing(
    tmp_path: Path, registry: RegistryProcess, registry_world: World
) -> None:
    patients = enroll_patients(registry_world, 6)
    db = open_desk(tmp_path / "desk")
    queue_psfs(db, patients, per_patient=25, drawn=DRAWN)
    with FaultProxy(registry.url, rate=0.45, seed=20261125, delay=1.6) as proxy:
        client = RegistryClient(proxy.url, timeout=(1.0, 1.0))
        ok(client.sign_in(registry_world.emails["dr_a"], PASSWORD))
        rounds = _push_until_settled(db, client, Clock(), rounds=400)
    assert set(proxy.seen) == set(FAULTS), f"not every fault happened: {proxy.seen}"
    engine = make_engine(registry.db_url)
    delivery = check_exactly_once(db, engine)
    engine.dispose()
    assert delivery.wrong == []
    assert (delivery.psfs, delivery.ancs) == (150, 150)
    attempts = sum(i.attempts for i in Outbox(db).items())
    assert attempts > 150 + 20, "the faults really did make items go again"
    assert rounds > 1


def test_the_registry_killed_mid_batch_and_restarted(
    tmp_path: Path, registry: RegistryProcess, registry_world: World
) -> None:
    patients = enroll_patients(registry_world, 40)
    db = open_desk(tmp_path / "desk")
    queue_psfs(db, patients, per_patient=8, drawn=DRAWN)
    outbox = Outbox(db)
    client = RegistryClient(registry.url, timeout=(1.0, 10.0))
    ok(client.sign_in(registry_world.emails["dr_a"], PASSWORD))
    clock = Clock()
    kills_mid_batch = 0
    for _ in range(3):
        pusher = threading.Thread(target=push, args=(db, client, clock))
        states: list[set[OutboxState]] = []
        watcher_db = open_desk(tmp_path / "desk")  # the watcher reads on its own connection
        pusher.start()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:  # wait until a batch is on the wire
            seen = {i.state for i in Outbox(watcher_db).items(OutboxState.SENDING)}
            if seen:
                states.append(seen)
                break
            time.sleep(0.002)
        registry.kill()
        pusher.join(30)
        kills_mid_batch += bool(states)
        watcher_db.close()
        registry.start()
        clock.jump()
    assert kills_mid_batch >= 2, "the registry was not killed while a batch was in flight"
    assert outbox.pending_count() > 0, "some work was still queued when the registry died"
    _push_until_settled(db, client, clock, rounds=100)
    engine = make_engine(registry.db_url)
    delivery = check_exactly_once(db, engine)
    engine.dispose()
    assert delivery.wrong == []
    assert delivery.psfs == 320


@pytest.mark.parametrize("moment", ["before_request", "after_answer"])
def test_the_workstation_killed_between_commit_push_and_ack(
    tmp_path: Path, registry: RegistryProcess, registry_world: World, moment: str
) -> None:
    patients = enroll_patients(registry_world, 4)
    folder = tmp_path / "desk"
    db = open_desk(folder)
    ids = queue_psfs(db, patients, per_patient=3, drawn=DRAWN)
    db.close()
    child = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.support.crash_pusher",
            str(folder),
            registry.url,
            registry_world.emails["dr_a"],
            PASSWORD,
            moment,
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert child.returncode == -9, child.stderr
    db = open_desk(folder)
    outbox = Outbox(db)
    stuck = outbox.items(OutboxState.SENDING)
    assert [i.id for i in stuck] == ids[:4], "the first batch was left 'sending'"
    engine = make_engine(registry.db_url)
    before = check_exactly_once(db, engine)
    assert before.psfs == (4 if moment == "after_answer" else 0)
    # Start-up: what was "sending" goes back to the queue, then the push carries on.
    assert outbox.reset_stale_sending(Clock()()) == 4
    client = RegistryClient(registry.url)
    ok(client.sign_in(registry_world.emails["dr_a"], PASSWORD))
    _push_until_settled(db, client, Clock(), rounds=10)
    delivery = check_exactly_once(db, engine)
    engine.dispose()
    assert delivery.wrong == []
    assert delivery.psfs == 12
