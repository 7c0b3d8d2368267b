"""A large store for the store benchmarks: patients with realistic names, each with a long
ANC history, PSFs and dispenses, bulk-written in SQL (the same rows into the encrypted store
and into the plain-SQLite floor)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta

from app.statuses import PharmacySetting
from local_store.database import Database
from local_store.ledger import sort_name

FIRST = [
    "Ada",
    "Ben",
    "Carla",
    "Dmitri",
    "Elena",
    "Farid",
    "Grace",
    "Hiro",
    "Ines",
    "José",
    "Kemal",
    "Lena",
    "Malik",
    "Nora",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sven",
    "Tamar",
    "Uma",
    "Victor",
    "Wen",
    "Ximena",
    "Yusuf",
    "Zoe",
    "Ángel",
    "Chloé",
    "Søren",
    "Zoë",
]
LAST = [
    "Anders",
    "Baker",
    "Castillo",
    "Dubois",
    "Eze",
    "Fischer",
    "García",
    "Haddad",
    "Ivanova",
    "Jensen",
    "Kowalski",
    "López",
    "Müller",
    "Nguyen",
    "Okafor",
    "Patel",
    "Quiroga",
    "Rossi",
    "Schmidt",
    "Tanaka",
    "Ueda",
    "Varga",
    "Walsh",
    "Xu",
    "Yilmaz",
    "Zhang",
    "Núñez",
    "Ölçer",
    "Åberg",
    "Brontë",
]
CHUNK = 50_000


def fill_store(
    db: Database, patients: int, ancs_each: int, today: date, seed: int = 5
) -> list[str]:
    """Write the world; returns the patient ids. `db` must be at the latest schema."""
    rng = random.Random(seed)
    start = today - timedelta(days=7 * ancs_each)
    prescribers = [f"dr-{i}" for i in range(50)]
    pharmacies = [f"rx-{i}" for i in range(20)]
    ids = [f"patient-{n:05d}" for n in range(patients)]
    with db.transaction():
        db.executemany(
            "INSERT INTO prescribers (id, npi, certified, name, created_by) "
            "VALUES (?, ?, ?, ?, 'bench')",
            [
                (p, "1234567893", int(i % 10 != 0), f"Dr. {LAST[i % len(LAST)]}")
                for i, p in enumerate(prescribers)
            ],
        )
        db.executemany(
            "INSERT INTO accounts (id, role, name, prescriber_id, created_by) "
            "VALUES (?, 'prescriber', ?, ?, 'bench')",
            [(p, p, p) for p in prescribers],
        )
        db.executemany(
            "INSERT INTO pharmacies (id, setting, ar_account_id, name, certified_on, "
            "attested_on, created_by) "
            "VALUES (?, ?, ?, ?, ?, ?, 'bench')",
            [
                (rx, _setting(i),
                 f"ar-{i}", f"Pharmacy {i}", (today - timedelta(days=100 + i)).isoformat(),
                 (today - timedelta(days=100 + i)).isoformat())
                for i, rx in enumerate(pharmacies)
            ],
        )  # fmt: skip
        patient_rows = []
        for n, pid in enumerate(ids):
            name = f"{rng.choice(LAST)}, {rng.choice(FIRST)}"
            status = rng.choices(["enrolled", "interrupted", "discontinued"], [90, 7, 3])[0]
            patient_rows.append(
                (pid, name, sort_name(name), _dob(n),
                 "ben" if n % 12 == 0 else "general", int(n % 50 == 0), prescribers[n % 50], status,
                 start.isoformat(), start.isoformat())
            )  # fmt: skip
        db.executemany(
            "INSERT INTO patients (id, name, sort_name, dob, population, hospice, prescriber_id, "
            "treatment_status, enrollment_id, enrolled_on, monitoring, monitoring_clock_start, "
            "created_by, updated_by) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, 'weekly', ?, 'bench', 'bench')",
            patient_rows,
        )
        psf_rows = []
        dispense_rows = []
        for n, pid in enumerate(ids):
            for month in range(0, max(1, ancs_each // 4)):
                dated = min(start + timedelta(days=28 * month + rng.randrange(0, 20)), today)
                psf_rows.append(
                    (f"{pid}-psf-{month}", pid, dated.isoformat(), int(rng.random() < 0.05))
                )
            if n % 7:
                dispense_rows.append((pid, pharmacies[1], start.isoformat()))
        db.executemany(
            "INSERT INTO psfs (id, patient_id, dated, monitoring, labs_missing, "
            "missing_labs_authorized, submitted_by, is_enrollment, created_by) "
            "VALUES (?, ?, ?, 'weekly', ?, 1, 'bench', 0, 'bench')",
            psf_rows,
        )
        db.executemany(
            "INSERT INTO dispenses (patient_id, pharmacy_id, pharmacy_setting, on_date, "
            "enrollment_id, via, requested_by, created_by) "
            "VALUES (?, ?, 'outpatient', ?, 1, 'rda', 'bench', 'bench')",
            dispense_rows,
        )
    for chunk in _chunks(_anc_rows(ids, ancs_each, start, rng), CHUNK):
        with db.transaction():
            db.executemany(
                "INSERT INTO anc_results (patient_id, per_ul, entered_value, entered_unit, drawn, "
                "reported_on, source, reported_by, created_by) "
                "VALUES (?, ?, ?, '/uL', ?, ?, 'add_anc', 'bench', 'bench')",
                chunk,
            )
    with db.transaction():
        db.execute(
            "UPDATE patients SET latest_anc_seq = (SELECT seq FROM anc_results a "
            "WHERE a.patient_id = patients.id ORDER BY drawn DESC, seq DESC LIMIT 1)"
        )
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    # No ANALYZE: see local_store/database.py (STAT4 statistics make lookups re-prepare).
    return ids


def _setting(i: int) -> str:
    return (PharmacySetting.INPATIENT if i % 5 == 0 else PharmacySetting.OUTPATIENT).value


def _dob(n: int) -> str:
    return date(1950 + n % 50, 1 + n % 12, 1 + n % 28).isoformat()


def _anc_rows(
    ids: list[str], ancs_each: int, start: date, rng: random.Random
) -> Iterator[tuple[object, ...]]:
    # Week by week across patients, as results arrive in a clinic: a patient's rows are
    # spread over the file, which is what makes history reads realistic.
    for week in range(ancs_each):
        drawn = (start + timedelta(days=7 * week)).isoformat()
        for pid in ids:
            value = min(100_000, max(0, int(rng.gauss(2600, 700))))
            yield (pid, value, str(value), drawn, drawn)


def _chunks(rows: Iterator[tuple[object, ...]], size: int) -> Iterator[list[tuple[object, ...]]]:
    chunk: list[tuple[object, ...]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
