"""Sync and registry benchmarks, over real loopback HTTP to a registry process.

- sync.push_1000_over_floor: pushing 1,000 queued PSFs from an encrypted outbox (batched,
  each decided by the rules and written with its feed rows) over 1,000 bare POSTs of the
  same bodies to a trivial endpoint of the same server, in the same run.
- sync.noop_ms: a whole sync (handshake, empty push, empty pull) with nothing to do.
- sync.pull_initial_s: a new workstation pulls an office of 10,000 patients with 100 ANCs
  each (1,000,000 ANCs) into its encrypted store.
(The registry's RDA load is bench/rda_bench.py.)
"""

from __future__ import annotations

import shutil
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import requests

from bench.harness import Metric
from bench.registry_world import (
    certified_office,
    enrollment_payload,
    psf_payload,
    seed_bulk,
)
from local_store import schema
from local_store.database import Database
from local_store.outbox import Outbox
from registry.database import make_engine, migrate
from registry.process import OPERATOR_EMAIL, RegistryProcess
from sync.client import RegistryClient
from sync.engine import sync_once
from sync.pull import pull
from sync.push import push

METRICS = (
    "sync.push_1000_over_floor",
    "sync.noop_ms",
    "sync.pull_initial_s",
)
REPO = Path(__file__).resolve().parent.parent
CLIENTS = int(__import__("os").environ.get("BENCH_RDA_CLIENTS", "16"))


def _now() -> datetime:
    return datetime.now(UTC)


def _desk(folder: Path) -> Database:
    folder.mkdir(parents=True, exist_ok=True)
    db = Database.open(folder / "desk.db", bytes(range(32)))
    schema.migrate(db, _now)
    db.actor_id = "bench"
    return db


def run(quick: bool) -> Iterator[Metric]:
    folder = Path(tempfile.mkdtemp(prefix="clozapine-bench-sync-"))
    try:
        yield from _push_and_noop(folder / "push", quick)
        yield from _pull_initial(folder / "pull", quick)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _operator(registry: RegistryProcess) -> RegistryClient:
    client = RegistryClient(registry.url)
    client.sign_in(OPERATOR_EMAIL, registry.operator_password)
    return client


def _push_and_noop(folder: Path, quick: bool) -> Iterator[Metric]:
    folder.mkdir(parents=True)
    count = 200 if quick else 1000
    with RegistryProcess(f"sqlite:///{folder / 'registry.db'}") as registry:
        operator = _operator(registry)
        operator.put("/v1/test/clock", {"today": "2024-03-01"})
        office, _ = certified_office(registry.url, operator)
        db = _desk(folder / "desk")
        outbox = Outbox(db)
        patients = [f"patient-{uuid.uuid4()}" for _ in range(count)]
        for n, patient in enumerate(patients):
            outbox.enqueue(
                str(uuid.uuid4()),
                "enroll_patient",
                f"patient:{patient}",
                enrollment_payload(patient, n),
                _now(),
            )
        push(db, office, _now)
        pull(db, office, _now)
        bodies = [psf_payload(p, 1600 + n % 500, "2024-02-28") for n, p in enumerate(patients)]
        for patient, body in zip(patients, bodies, strict=True):
            outbox.enqueue(str(uuid.uuid4()), "submit_psf", f"patient:{patient}", body, _now())
        started = time.perf_counter()
        report = push(db, office, _now)
        push_s = time.perf_counter() - started
        if report.acked != count:
            raise RuntimeError(f"push acknowledged {report.acked} of {count}")
        floor = requests.Session()
        started = time.perf_counter()
        for body in bodies:
            floor.post(
                registry.url + "/v1/test/echo",
                json=body,
                headers={"Idempotency-Key": str(uuid.uuid4())},
                timeout=10,
            )
        floor_s = time.perf_counter() - started
        pull(db, office, _now)  # what the pushes changed, so the no-op sync has nothing new
        samples = []
        for _ in range(20 if quick else 50):
            started = time.perf_counter()
            sync_once(db, office, _now)
            samples.append((time.perf_counter() - started) * 1000)
        db.close()
    yield Metric(
        "sync.push_1000_over_floor",
        push_s / floor_s,
        "ratio",
        1.0,
        note=f"{count} PSFs pushed in {push_s:.2f} s (batches of 100); {count} bare "
        f"POSTs to a trivial endpoint in {floor_s:.2f} s",
    )
    yield Metric(
        "sync.noop_ms",
        statistics.median(samples),
        "ms",
        100.0,
        note="median of handshake + empty push + empty pull",
    )


def _pull_initial(folder: Path, quick: bool) -> Iterator[Metric]:
    folder.mkdir(parents=True)
    patients, ancs = (1_000, 100) if quick else (10_000, 100)
    url = f"sqlite:///{folder / 'registry.db'}"
    engine = make_engine(url)
    migrate(engine)
    started = time.perf_counter()
    _, email = seed_bulk(engine, patients, ancs)
    seeded_s = time.perf_counter() - started
    engine.dispose()
    with RegistryProcess(url) as registry:
        client = RegistryClient(registry.url, timeout=(3.05, 120.0))
        client.sign_in(email, "benchmark password, long enough")
        db = _desk(folder / "desk")
        started = time.perf_counter()
        report = pull(db, client, _now)
        pulled_s = time.perf_counter() - started
        held = db.one("SELECT count(*) FROM anc_results")[0]
        db.close()
    if held != patients * ancs:
        raise RuntimeError(f"the workstation holds {held} ANCs, not {patients * ancs}")
    yield Metric(
        "sync.pull_initial_s",
        pulled_s,
        "s",
        60.0,
        note=f"{patients:,} patients, {held:,} ANCs, {report.changes:,} changes in "
        f"{report.pages} pages (world seeded in {seeded_s:.0f} s)",
    )
