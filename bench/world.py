"""A large in-memory world for benchmarks: many patients, each with a year of ANCs.

Written straight into the ledger (not through the use cases) so building it takes seconds;
the values are realistic enough that every RDA check has work to do.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from app.anc import Anc, Population
from app.in_memory import InMemoryLedger
from app.records import Account, AncReport, Dispense, Patient, Pharmacy, Prescriber, PsfRecord
from app.roles import Role
from app.statuses import (
    AncSource,
    DispenseVia,
    MonitoringFrequency,
    PharmacySetting,
    TreatmentStatus,
)


@dataclass(frozen=True)
class BenchWorld:
    ledger: InMemoryLedger
    today: date
    patient_ids: list[str]
    pharmacy_ids: list[str]
    prescriber_ids: list[str]


def build_world(patients: int, today: date, seed: int = 7) -> BenchWorld:
    rng = random.Random(seed)
    ledger = InMemoryLedger()
    prescribers = [f"dr-{i}" for i in range(50)]
    for i, pid in enumerate(prescribers):
        ledger.save_prescriber(Prescriber(pid, "1234567893", certified=i % 10 != 0))
        ledger.save_account(Account(pid, Role.PRESCRIBER, prescriber_id=pid))
    pharmacies = [f"rx-{i}" for i in range(20)]
    for i, rx in enumerate(pharmacies):
        setting = PharmacySetting.INPATIENT if i % 5 == 0 else PharmacySetting.OUTPATIENT
        attested = today - timedelta(days=rng.randrange(0, 800))
        ledger.save_pharmacy(
            Pharmacy(rx, setting, f"ar-{i}", certified_on=attested, attested_on=attested)
        )
    start = today - timedelta(days=365)
    ids: list[str] = []
    for n in range(patients):
        pid = f"patient-{n}"
        ids.append(pid)
        population = Population.BEN if n % 12 == 0 else Population.GENERAL
        status = rng.choices(
            [TreatmentStatus.ENROLLED, TreatmentStatus.INTERRUPTED, TreatmentStatus.DISCONTINUED],
            weights=[90, 7, 3],
        )[0]
        ledger.save_patient(
            Patient(
                id=pid,
                name=f"Patient {n}",
                dob=date(1960 + n % 40, 1 + n % 12, 1 + n % 28),
                population=population,
                hospice=n % 50 == 0,
                prescriber_id=prescribers[n % len(prescribers)],
                treatment_status=status,
                enrollment_id=1,
                enrolled_on=start,
                monitoring=MonitoringFrequency.WEEKLY,
                monitoring_clock_start=start,
            )
        )
        for week in range(53):
            drawn = start + timedelta(days=7 * week)
            value = max(0, int(rng.gauss(2600, 700)))
            ledger.add_anc(
                AncReport(pid, Anc(min(value, 100_000)), drawn, drawn, AncSource.ADD_ANC, pid)
            )
        for month in range(0, 13):
            dated = start + timedelta(days=28 * month + rng.randrange(0, 20))
            ledger.add_psf(
                PsfRecord(
                    id=f"{pid}-psf-{month}",
                    patient_id=pid,
                    dated=min(dated, today),
                    monitoring=MonitoringFrequency.WEEKLY,
                    labs_missing=rng.random() < 0.05,
                    missing_labs_authorized=rng.random() < 0.5,
                    submitted_by=pid,
                )
            )
        if n % 7:
            ledger.add_dispense(
                Dispense(
                    pid, pharmacies[0], PharmacySetting.OUTPATIENT, start, 1, DispenseVia.RDA, "x"
                )
            )
    return BenchWorld(ledger, today, ids, pharmacies, prescribers)
