"""The office's offline promise, end to end: an ANC, a Patient Status Form signed by the
prescriber and an enrollment, all made in the real encrypted store while the registry (a
real registry process on loopback) is down, are accepted exactly once when it is back,
whether the push sends them in one batch or one by one, and the chart shows each ANC once.
And every kind of item the outbox holds has a path the registry's batch accepts."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Table, func, select

from app.anc import Population
from app.clock import SystemClock
from app.enrollment_document import enrollment_to_document
from app.entered_anc import EnteredAnc
from app.psf import PsfSubmission
from app.psf_document import psf_to_document
from app.roles import Role
from app.statuses import MonitoringFrequency
from app.use_cases.enrollment import EnrollmentForm
from local_store.forms import FormKind
from local_store.keys import FAST_KDF
from local_store.outbox import OutboxItem, OutboxKind, OutboxState
from local_store.session import Session
from local_store.workstation import NewAccount, Workstation
from registry import queued
from registry import tables as t
from registry.database import make_engine
from registry.process import RegistryProcess
from sync.client import RegistryClient
from sync.pull import pull
from sync.push import BATCH_SIZE, PATHS, path_for, push
from tests.conftest import PRESCRIBER_PASSWORD
from tests.support.desk_outbox import Clock
from tests.support.memory_keyring import MemoryKeyring
from tests.support.registry_world import PASSWORD, World, build_world, enroll_patients, ok

TODAY = "2024-01-10"
DRAWN = "2024-01-09"


@pytest.fixture
def registry(tmp_path: Path) -> Iterator[RegistryProcess]:
    process = RegistryProcess(f"sqlite:///{tmp_path / 'registry.db'}")
    with process:
        yield process


@pytest.fixture
def registry_world(registry: RegistryProcess) -> Iterator[World]:
    world = build_world(registry.url, registry.operator_password, today=TODAY)
    yield world
    world.close()


def _prescriber_desk(tmp_path: Path, world: World) -> Session:
    """Dr. A's workstation: her account has her registry id, so her signature names her."""
    workstation = Workstation(tmp_path / "desk", SystemClock(), kdf=FAST_KDF)
    dr_a = world.ids["dr_a"]
    return workstation.create(
        NewAccount(world.emails["dr_a"], "Dr. A", Role.PRESCRIBER, prescriber_id=dr_a, id=dr_a),
        PRESCRIBER_PASSWORD,
    )


def _sign_psf(session: Session, patient_id: str, value: int) -> str:
    form = PsfSubmission(patient_id, MonitoringFrequency.WEEKLY, (EnteredAnc(value, DRAWN),))
    form_id = session.save_draft(FormKind.PSF, patient_id, psf_to_document(form))
    session.sign_form(form_id, PRESCRIBER_PASSWORD)
    return form_id


def _enrollment(session: Session, patient_id: str, value: int) -> str:
    form = EnrollmentForm(
        patient_id, "Nell Offline", "1975-05-05", Population.GENERAL, (EnteredAnc(value, DRAWN),)
    )
    form_id = session.save_draft(FormKind.ENROLLMENT, patient_id, enrollment_to_document(form))
    session.sign_form(form_id, PRESCRIBER_PASSWORD)
    return form_id


def _registry_ancs(db_url: str, patient_id: str) -> list[str]:
    """The ANCs the registry holds for a patient, as entered."""
    engine = make_engine(db_url)
    a = t.anc_results.c
    with engine.connect() as conn:
        rows = conn.execute(select(a.entered_value).where(a.patient_id == patient_id)).all()
    engine.dispose()
    return [str(r.entered_value) for r in rows]


def _registry_count(db_url: str, table: Table, column: str, value: str) -> int:
    engine = make_engine(db_url)
    with engine.connect() as conn:
        found = conn.execute(
            select(func.count()).select_from(table).where(table.c[column] == value)
        ).scalar_one()
    engine.dispose()
    return int(found)


def _chart_values(session: Session, patient_id: str) -> list[str]:
    chart = session.view_patient(patient_id)
    assert chart is not None, f"{patient_id} is not on this workstation"
    return [r.entered_value or str(r.anc.per_ul) for r in chart.ancs]


@pytest.mark.parametrize("batch_size", [BATCH_SIZE, 1], ids=["in_a_batch", "one_by_one"])
def test_an_anc_a_signed_psf_and_an_enrollment_made_offline_are_accepted_once(
    tmp_path: Path,
    memory_keyring: MemoryKeyring,
    registry: RegistryProcess,
    registry_world: World,
    batch_size: int,
) -> None:
    world = registry_world
    anc_patient, psf_patient = world.ids["p1"], enroll_patients(world, 1)[0]
    new_patient = f"patient-{uuid.uuid4()}"
    session = _prescriber_desk(tmp_path, world)
    client = RegistryClient(registry.url, timeout=(1.0, 10.0))
    ok(client.sign_in(world.emails["dr_a"], PASSWORD))
    clock = Clock()
    pull(session.db, client, clock)  # her patients are on the workstation
    assert _chart_values(session, anc_patient) == ["2100"]

    registry.kill()  # the registry goes down; the office works on
    anc = session.queue_anc(anc_patient, "1840", "/uL", DRAWN)
    psf = _sign_psf(session, psf_patient, 1950)
    enrollment = _enrollment(session, new_patient, 2050)
    down = push(session.db, client, clock, batch_size=batch_size)
    assert down.offline and down.rejected == 0
    assert session.outbox.pending_count() == 3  # kept, waiting; nothing refused

    registry.start()  # back, same port, same database
    clock.jump()  # the items' retry time has come
    for _ in range(5):
        report = push(session.db, client, clock, batch_size=batch_size)
        assert report.rejected == 0, report.messages
        if session.outbox.pending_count() == 0:
            break
        clock.jump()
    items = {i.id: i for i in session.outbox.items()}
    assert {k: items[k].state for k in (anc, psf, enrollment)} == {
        anc: OutboxState.ACKED,
        psf: OutboxState.ACKED,
        enrollment: OutboxState.ACKED,
    }
    # Each took effect once at the registry...
    assert sorted(_registry_ancs(registry.db_url, anc_patient)) == ["1840", "2100"]
    assert sorted(_registry_ancs(registry.db_url, psf_patient)) == ["1950", "2100"]
    assert _registry_ancs(registry.db_url, new_patient) == ["2050"]
    assert _registry_count(registry.db_url, t.psfs, "id", psf) == 1
    assert _registry_count(registry.db_url, t.patients, "id", new_patient) == 1
    # ...and, pulled back, the charts show each ANC once.
    pull(session.db, client, clock)
    assert sorted(_chart_values(session, anc_patient)) == ["1840", "2100"]
    assert sorted(_chart_values(session, psf_patient)) == ["1950", "2100"]
    assert _chart_values(session, new_patient) == ["2050"]
    # Sending again changes nothing: the registry answers from its record.
    assert push(session.db, client, clock, batch_size=batch_size).acked == 0
    client.close()
    session.sign_out()


def _item_of(kind: OutboxKind) -> OutboxItem:
    return OutboxItem(
        seq=1,
        id=str(uuid.uuid4()),
        kind=kind.value,
        subject="patient:patient-0123",
        payload={},
        state=OutboxState.QUEUED,
        attempts=0,
        last_error=None,
        created_by="desk-test",
        created_at="2024-01-10T09:00:00+00:00",
    )


@pytest.mark.parametrize("kind", list(OutboxKind))
def test_every_kind_the_outbox_holds_has_a_path_the_batch_accepts(kind: OutboxKind) -> None:
    assert kind in PATHS, f"sync.push.PATHS has no path for {kind.value!r} items"
    found = queued.request_for(path_for(_item_of(kind)))  # raises for an unknown path
    assert found.path == path_for(_item_of(kind))


def _alone_and_batched(world: World, who: str, path: str, body: Mapping[str, object]) -> list[Any]:
    """(status, error code) of the same request sent alone and sent in a batch; their
    messages are the same words."""
    client = world.client(who)
    alone = client.post(path, body)
    item = {"key": str(uuid.uuid4()), "path": path, "body": body}
    batched = ok(client.batch([item]))["results"][0]
    assert (alone.body or {}).get("message") == batched["body"].get("message"), path
    return [(alone.status, alone.error), (batched["status"], batched["body"].get("error"))]


def test_an_anc_is_checked_alike_alone_and_in_a_batch(world: World) -> None:
    anc = {"value": 1700, "drawn": "2024-01-03"}
    p1 = world.ids["p1"]
    # The office's own patient: accepted both ways.
    assert _alone_and_batched(world, "des_a", f"/v1/patients/{p1}/ancs", anc) == [
        (201, None),
        (201, None),
    ]
    # A pharmacy that never looked the patient up: refused both ways (its scope).
    alone, batched = _alone_and_batched(world, "ar_rx_x", f"/v1/patients/{p1}/ancs", anc)
    assert alone == batched == (403, "NOT_PERMITTED")
    # Another office's patient, an unknown patient, a patient id too long: alike.
    for path in (
        f"/v1/patients/{p1}/ancs",
        "/v1/patients/patient-nobody/ancs",
        f"/v1/patients/{'x' * 65}/ancs",
    ):
        alone, batched = _alone_and_batched(world, "dr_b", path, anc)
        assert alone == batched, path
        assert alone[0] in (400, 403, 404), path
    # A body that does not fit: the same answer in words, alone or batched.
    for body, expected in (
        ({"value": "seven", "drawn": "2024-01-03"}, (422, "INVALID_ANC")),
        ({"value": 1700}, (400, "INVALID_REQUEST")),
    ):
        alone, batched = _alone_and_batched(world, "des_a", f"/v1/patients/{p1}/ancs", body)
        assert alone == batched == expected, body
