"""The encrypted store over a generated world of 10,000 patients and 1,000,000 ANC results.

- store.unlock_ms: password to open database (Argon2id at the shipped cost, unwrap, open,
  schema check, the sign-in's audit entry), median of 5.
- store.roster_page_ms: the first 100 roster rows by name, with each patient's latest ANC.
- store.roster_filter_ms: 100 rows whose name holds three typed letters (anywhere in it).
- store.patient_history_ms: one patient's whole ANC history and treatment status.
- rules.roster_sweep_ms: an RDA preview (every check of rules.md §8) for every patient,
  the rules reading the store through StoreLedger.
- store.encrypted_over_plain: a mixed workload (roster pages, filters, patient charts, RDA
  previews, committed ANC entries) on the encrypted store over the same workload on plain
  SQLite with the same schema, data and settings, in the same run.

The reads are timed on a store that has been open for a while (its page cache warm), as a
clinic's workstation is during the day; the cold first page after unlock is reported too.
"""

from __future__ import annotations

import random
import shutil
import statistics
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import keyring

from app.anc import Anc
from app.clock import ManualClock
from app.rda import evaluate_rda
from app.records import AncReport
from app.roles import Role
from app.statuses import AncSource
from bench.harness import Metric, median_ms
from bench.memory_keyring import MemoryKeyring
from bench.store_world import fill_store
from local_store import schema
from local_store.database import Database
from local_store.keys import DEFAULT_KDF
from local_store.ledger import StoreLedger
from local_store.previews import preview_many
from local_store.roster import patient_chart, roster_page
from local_store.workstation import NewAccount, Workstation

METRICS = (
    "store.unlock_ms",
    "store.roster_page_ms",
    "store.roster_filter_ms",
    "store.patient_history_ms",
    "rules.roster_sweep_ms",
    "store.encrypted_over_plain",
)
TODAY = date(2026, 6, 1)
PASSWORD = "sixteen quiet lanterns at dusk"


def run(quick: bool) -> Iterator[Metric]:
    patients, ancs_each = (1_000, 100) if quick else (10_000, 100)
    folder = Path(tempfile.mkdtemp(prefix="clozapine-bench-"))
    previous_keyring = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())  # the OS keyring is not ours to measure
    try:
        yield from _run(folder, patients, ancs_each, quick)
    finally:
        keyring.set_keyring(previous_keyring)
        shutil.rmtree(folder, ignore_errors=True)


def _run(folder: Path, patients: int, ancs_each: int, quick: bool) -> Iterator[Metric]:
    clock = ManualClock(datetime(2026, 6, 1, 9, tzinfo=UTC))
    workstation = Workstation(folder / "desk", clock, kdf=DEFAULT_KDF)
    session = workstation.create(
        NewAccount(
            "bench@clinic.example", "Bench Prescriber", Role.PRESCRIBER, "dr-0", id="bench-desk"
        ),
        PASSWORD,
    )
    ids = fill_store(session.db, patients, ancs_each, TODAY)
    session.sign_out()

    plain_path = folder / "plain.db"
    plain = Database.open(plain_path, b"", plain=True)
    schema.migrate(plain, lambda: datetime.now(UTC))
    plain.actor_id = "bench"
    fill_store(plain, patients, ancs_each, TODAY)
    size = f"{patients:,} patients, {patients * ancs_each:,} ANC results"

    unlocks = []
    for _ in range(5):
        started = time.perf_counter()
        session = workstation.sign_in("bench@clinic.example", PASSWORD)
        unlocks.append((time.perf_counter() - started) * 1000)
        if len(unlocks) < 5:
            session.sign_out()
    yield Metric("store.unlock_ms", statistics.median(unlocks), "ms", 500.0,
                 note=f"median of 5; Argon2id t={DEFAULT_KDF.time_cost}, "
                 f"m={DEFAULT_KDF.memory_kib // 1024} MiB")  # fmt: skip
    db = session.db
    started = time.perf_counter()
    roster_page(db, limit=100)
    cold_page = (time.perf_counter() - started) * 1000

    rng = random.Random(3)
    prefixes = [name[:3] for name in ("and", "gar", "nun", "ölç", "mül", "tan", "ros", "ngu")]
    _warm(db, ids)
    yield Metric(
        "store.roster_page_ms",
        median_ms(lambda: roster_page(db, limit=100), 30),
        "ms",
        30.0,
        note=f"{size}; the first page right after unlock (cold): {cold_page:.1f} ms",
    )
    yield Metric(
        "store.roster_filter_ms",
        median_ms(lambda: roster_page(db, name_prefix=rng.choice(prefixes), limit=100), 30),
        "ms",
        30.0,
        note="3 letters anywhere in the name, accents and case ignored, 100 rows",
    )
    yield Metric(
        "store.patient_history_ms",
        median_ms(lambda: patient_chart(db, rng.choice(ids)), 200),
        "ms",
        10.0,
        note=f"{ancs_each} ANCs and the status history of a random patient",
    )
    sweeps = []
    for _ in range(1 if quick else 3):
        started = time.perf_counter()
        decisions = preview_many(db, "rx-1", ids, TODAY)
        sweeps.append((time.perf_counter() - started) * 1000)
    assert len(decisions) == len(ids)
    yield Metric(
        "rules.roster_sweep_ms",
        statistics.median(sweeps),
        "ms",
        2000.0,
        note=f"an RDA preview for each of {patients:,} patients at one pharmacy, each with "
        "the patient's own prescriber, read from one snapshot of the store",
    )

    enc_reads, enc_writes = _workload_ms(db, ids, rounds=3)
    _warm(plain, ids)
    plain_reads, plain_writes = _workload_ms(plain, ids, rounds=3)
    yield Metric(
        "store.encrypted_over_plain",
        (enc_reads + enc_writes) / (plain_reads + plain_writes),
        "ratio",
        1.25,
        note=f"mixed workload, SQLCipher / plain SQLite: reads {enc_reads:.0f} / "
        f"{plain_reads:.0f} ms ({enc_reads / plain_reads:.2f}x), 20 committed ANCs "
        f"{enc_writes:.0f} / {plain_writes:.0f} ms ({enc_writes / plain_writes:.2f}x)",
    )
    plain.close()
    session.sign_out()


def _warm(db: Database, ids: list[str]) -> None:
    """A day's use: the roster and a sample of charts have been opened."""
    roster_page(db, limit=100)
    for pid in ids[:: max(1, len(ids) // 500)]:
        patient_chart(db, pid)


def _workload_ms(db: Database, ids: list[str], rounds: int) -> tuple[float, float]:
    """What a busy hour at the desk asks of the store, scaled down: (reads, writes) in ms,
    each the median of `rounds`."""
    ledger = StoreLedger(db)
    reads, writes = [], []
    for r in range(rounds):
        rng = random.Random(17 + r)
        started = time.perf_counter()
        for _ in range(5):
            roster_page(db, limit=100)
        for prefix in ("an", "ga", "nu", "mu", "ta", "ro", "ng", "pa", "sc", "wa"):
            roster_page(db, name_prefix=prefix, limit=100)
        for pid in rng.sample(ids, 200):
            patient_chart(db, pid)
        for pid in rng.sample(ids, 1000):
            evaluate_rda(ledger, "rx-1", pid, "dr-1", TODAY)
        reads.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        for n in range(20):  # each committed on its own, synchronous=FULL
            with db.transaction():
                ledger.add_anc(
                    AncReport(rng.choice(ids), Anc(1500 + n), TODAY, TODAY, AncSource.ADD_ANC, "x")
                )
        writes.append((time.perf_counter() - started) * 1000)
    return statistics.median(reads), statistics.median(writes)
