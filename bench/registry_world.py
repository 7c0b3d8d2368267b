"""Registry worlds for the sync and registry benchmarks.

`seed_bulk` writes a large world straight into the registry's tables (10,000 patients with
100 weekly ANCs each), with the change-feed rows the ledger would have written, in the
ledger's own format (app.record_codec): building it through the API would take an hour.
`certified_office` builds a small world through the API, as the tests do.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Engine

from app.anc import Anc, Population
from app.enrollment_document import enrollment_to_document
from app.entered_anc import EnteredAnc
from app.patient_identity import match_name
from app.record_codec import anc_to, patient_to, prescriber_to, psf_to
from app.records import AncReport, Patient, Prescriber, PsfRecord
from app.roles import Role
from app.statuses import AncSource, MonitoringFrequency, TreatmentStatus
from app.use_cases.enrollment import EnrollmentForm
from registry import assessment
from registry import tables as t
from registry.ledger import PRESCRIBER_LIST, prescriber_audience
from sync.client import Answer, RegistryClient

PASSWORD = "benchmark password, long enough"
START = date(2024, 1, 1)


def _ok(answer: Answer) -> Any:
    if not answer.ok:
        raise RuntimeError(f"benchmark set-up failed: {answer.status} {answer.body}")
    return answer.body


def seed_bulk(engine: Engine, patients: int, ancs_per_patient: int) -> tuple[str, str]:
    """A certified prescriber with `patients` patients; returns (prescriber id, email)."""
    prescriber_id = "prescriber-bench"
    email = "bench-prescriber@registry.test"
    audience = prescriber_audience(prescriber_id)
    now = "2026-01-01T00:00:00+00:00"
    prescriber = Prescriber(prescriber_id, "1234567893", True, "Dr. Bench")
    from argon2 import PasswordHasher

    with engine.begin() as conn:
        conn.execute(
            t.accounts.insert().values(
                id=prescriber_id,
                email=email,
                role=Role.PRESCRIBER.value,
                name="Dr. Bench",
                prescriber_id=prescriber_id,
                active=True,
                failed_sign_ins=0,
                created_at=now,
                password_hash=PasswordHasher(time_cost=1, memory_cost=8192).hash(PASSWORD),
            )
        )
        conn.execute(t.prescribers.insert().values(prescriber_to(prescriber)))
        changes: list[dict[str, Any]] = [
            _change(aud, "prescriber", prescriber_id, prescriber_to(prescriber), None, now)
            for aud in (audience, PRESCRIBER_LIST)
        ]
        patient_rows, psf_rows, anc_rows = [], [], []
        seq = 0
        for n in range(patients):
            patient = Patient(
                id=f"patient-{n:05d}",
                name=f"Bench Patient {n:05d}",
                dob=date(1970, 1, 1),
                population=Population.GENERAL,
                hospice=False,
                prescriber_id=prescriber_id,
                treatment_status=TreatmentStatus.ENROLLED,
                enrollment_id=1,
                enrolled_on=START,
                monitoring=MonitoringFrequency.WEEKLY,
                monitoring_clock_start=START,
            )
            body = patient_to(patient)
            patient_rows.append({**body, "match_name": match_name(patient.name)})
            changes.append(_change(audience, "patient", patient.id, body, patient.id, now))
            psf = PsfRecord(
                f"psf-{n:05d}",
                patient.id,
                START,
                MonitoringFrequency.WEEKLY,
                False,
                False,
                prescriber_id,
                is_enrollment=True,
                signed_by=prescriber_id,
            )
            psf_rows.append(psf_to(psf))
            changes.append(_change(audience, "psf", psf.id, psf_to(psf), patient.id, now))
            for week in range(ancs_per_patient):
                seq += 1
                drawn = START + timedelta(days=7 * week)
                report = AncReport(
                    patient.id,
                    Anc(1500 + (n + week) % 2000),
                    drawn,
                    drawn,
                    AncSource.ADD_ANC,
                    prescriber_id,
                    seq,
                )
                row = anc_to(report)
                anc_rows.append(row)
                changes.append(_change(audience, "anc", str(seq), row, patient.id, now))
            if len(anc_rows) >= 50_000:
                _flush(conn, patient_rows, psf_rows, anc_rows, changes)
        _flush(conn, patient_rows, psf_rows, anc_rows, changes)
    return prescriber_id, email


def _change(
    audience: str, kind: str, key: str, body: dict[str, Any], patient_id: str | None, at: str
) -> dict[str, Any]:
    return {
        "audience": audience,
        "kind": kind,
        "key": key,
        "patient_id": patient_id,
        "op": "put",
        "body": body,
        "at": at,
    }


def _flush(conn: Any, *batches: list[dict[str, Any]]) -> None:
    patients, psfs, ancs, changes = batches
    for table, rows in (
        (t.patients, patients),
        (t.psfs, psfs),
        (t.anc_results, ancs),
        (t.changes, changes),
    ):
        if rows:
            conn.execute(table.insert(), rows)
            rows.clear()


def certified_office(url: str, operator: RegistryClient) -> tuple[RegistryClient, str]:
    """A certified prescriber signed in; returns (client, prescriber id)."""
    email = f"bench-{uuid.uuid4().hex[:8]}@registry.test"
    body = _ok(
        operator.post_public(
            "/v1/prescribers",
            {"email": email, "password": PASSWORD, "npi": "1234567893", "name": "Dr. B"},
        )
    )
    client = RegistryClient(url)
    _ok(client.sign_in(email, PASSWORD))
    _ok(client.post("/v1/assessment", {"answers": assessment.correct_answers(Role.PRESCRIBER)}))
    return client, body["prescriber_id"]


def certified_pharmacy(url: str, operator: RegistryClient) -> tuple[RegistryClient, str]:
    email = f"bench-ar-{uuid.uuid4().hex[:8]}@registry.test"
    body = _ok(
        operator.post_public(
            "/v1/pharmacies",
            {
                "email": email,
                "password": PASSWORD,
                "pharmacy_name": "Bench Pharmacy",
                "setting": "outpatient",
            },
        )
    )
    client = RegistryClient(url)
    _ok(client.sign_in(email, PASSWORD))
    _ok(client.post("/v1/assessment", {"answers": assessment.correct_answers(Role.PHARMACY_AR)}))
    return client, body["pharmacy_id"]


def enrollment_payload(patient_id: str, n: int) -> dict[str, Any]:
    form = EnrollmentForm(
        patient_id,
        f"Bench Patient {n:05d}",
        "1970-01-01",
        Population.GENERAL,
        (EnteredAnc(2100, "2024-01-02"),),
    )
    return {"document": enrollment_to_document(form), "signature": None, "supersedes": None}


def psf_payload(patient_id: str, value: int, drawn: str) -> dict[str, Any]:
    return {
        "document": {
            "format": "psf/2",
            "patient_id": patient_id,
            "monitoring": "weekly",
            "ancs": [EnteredAnc(value, drawn, as_entered=str(value)).to_json()],
        },
        "signature": None,
        "supersedes": None,
    }
