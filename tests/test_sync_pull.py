"""Pulling the registry's change feed into a workstation's encrypted store: each office and
pharmacy gets what it may see, a patient moved to another office leaves this one, a stale
cursor starts over, and a registry change that meets a form still on this workstation waits
for a person's decision. Also: online and offline, the clock check, and sync off the GUI
thread."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from app.statuses import TreatmentStatus
from local_store.forms import FormKind, Forms
from local_store.ledger import StoreLedger
from local_store.mirror import apply_page, held_forms, open_conflicts, resolve
from local_store.outbox import Outbox, OutboxState
from local_store.previews import preview
from local_store.sync_state import SyncState
from registry import feed
from sync.client import RegistryClient
from sync.engine import Connectivity, SyncReport, SyncWorker, sync_once
from sync.pull import pull
from sync.push import push
from tests.support.desk_outbox import Clock, open_desk, psf_body
from tests.support.registry_server import ServedRegistry
from tests.support.registry_world import World, enrollment_body, ok


def _now() -> datetime:
    return datetime.now(UTC)


def test_an_office_pulls_its_patients_and_a_second_pull_has_nothing(
    tmp_path: Path, world: World
) -> None:
    db = open_desk(tmp_path / "desk")
    dr = world.client("dr_a")
    first = pull(db, dr, _now)
    patient = StoreLedger(db).patient(world.ids["p1"])
    assert patient is not None and patient.treatment_status is TreatmentStatus.ENROLLED
    assert [a.anc.per_ul for a in StoreLedger(db).anc_history(world.ids["p1"])] == [2100]
    assert first.changes > 0 and SyncState(db).cursor is not None
    assert SyncState(db).snapshot_as_of is not None
    assert pull(db, dr, _now).changes == 0
    # Only this office's patients: prescriber B's desk holds none of them.
    other = open_desk(tmp_path / "desk-b")
    pull(other, world.client("dr_b"), _now)
    assert StoreLedger(other).patient(world.ids["p1"]) is None


def test_a_page_applied_twice_stores_each_record_once(tmp_path: Path, world: World) -> None:
    db = open_desk(tmp_path / "desk")
    page = ok(world.client("dr_a").changes(0))
    apply_page(db, page["changes"], page["cursor"], _now())
    apply_page(db, page["changes"], page["cursor"], _now())
    assert len(StoreLedger(db).anc_history(world.ids["p1"])) == 1
    assert len(StoreLedger(db).psfs(world.ids["p1"])) == 1


def test_a_new_anc_at_the_registry_arrives_with_the_registry_order(
    tmp_path: Path, world: World
) -> None:
    db = open_desk(tmp_path / "desk")
    pull(db, world.client("dr_a"), _now)
    ok(
        world.client("des_a").post(
            f"/v1/patients/{world.ids['p1']}/ancs",
            {"value": 1.2, "unit": "K/uL", "drawn": "2024-01-03"},
        )
    )
    pull(db, world.client("dr_a"), _now)
    history = StoreLedger(db).anc_history(world.ids["p1"])
    assert [(a.anc.per_ul, a.entered_value, a.entered_unit) for a in history] == [
        (2100, "2100", "/uL"),
        (1200, "1.2", "K/uL"),
    ]
    assert history[0].seq < history[1].seq
    current = StoreLedger(db).most_current_anc(world.ids["p1"])
    assert current is not None and current.anc.per_ul == 1200


def test_a_patient_moved_to_another_office_leaves_this_one_and_arrives_whole_there(
    tmp_path: Path, world: World
) -> None:
    desk_a, desk_b = open_desk(tmp_path / "a"), open_desk(tmp_path / "b")
    pull(desk_a, world.client("dr_a"), _now)
    pull(desk_b, world.client("dr_b"), _now)
    ok(
        world.client("dr_b").post(
            "/v1/enrollments", enrollment_body(world.ids["p1"], value=1900, drawn="2024-01-03")
        )
    )
    pull(desk_a, world.client("dr_a"), _now)
    pull(desk_b, world.client("dr_b"), _now)
    assert StoreLedger(desk_a).patient(world.ids["p1"]) is None
    assert list(StoreLedger(desk_a).anc_history(world.ids["p1"])) == []
    moved = StoreLedger(desk_b).patient(world.ids["p1"])
    assert moved is not None and moved.prescriber_id == world.ids["dr_b"]
    assert [a.anc.per_ul for a in StoreLedger(desk_b).anc_history(world.ids["p1"])] == [2100, 1900]


def test_a_covering_office_must_give_the_same_date_of_birth(world: World) -> None:
    # rules.md §13 R4: the registry asks the engine, which compares the date of birth only.
    body = enrollment_body(world.ids["p1"], name="Someone Else")
    body["document"]["dob"] = "1980-01-02"
    answer = world.client("dr_b").post("/v1/enrollments", body)
    assert (answer.status, answer.error) == (422, "PATIENT_MISMATCH")
    assert "date of birth does not match" in answer.message


def test_a_pharmacy_preview_from_its_store_matches_the_registry_answer(
    tmp_path: Path, world: World
) -> None:
    ar = world.client("ar_rx_x")
    ok(ar.post("/v1/patients/lookup", {"name": "Rosa Test", "dob": "1980-01-01"}))
    db = open_desk(tmp_path / "pharmacy")
    pull(db, ar, _now)
    local = preview(db, world.ids["rx_x"], world.ids["p1"], date(2024, 1, 3))
    authority = ok(
        ar.post(
            "/v1/rda",
            {
                "pharmacy_id": world.ids["rx_x"],
                "patient_id": world.ids["p1"],
                "prescriber_id": world.ids["dr_a"],
            },
        )
    )
    assert local is not None
    assert (local.authorized, [r.value for r in local.reasons], local.first_dispense) == (
        authority["authorized"],
        authority["reasons"],
        authority["first_dispense"],
    )
    # The dispense comes back through the feed: no longer a first dispense, offline too.
    pull(db, ar, _now)
    decision = preview(db, world.ids["rx_x"], world.ids["p1"], date(2024, 1, 3))
    assert decision is not None and not decision.first_dispense


def test_a_cursor_older_than_the_feed_keeps_starts_over(
    tmp_path: Path, world: World, served_registry: ServedRegistry
) -> None:
    db = open_desk(tmp_path / "desk")
    dr_a = world.client("dr_a")
    pull(db, dr_a, _now)
    ok(world.client("dr_b").post("/v1/enrollments", enrollment_body(world.ids["p1"])))
    # Long offline: the registry dropped the tombstone that told this office p1 left.
    with served_registry.engine.begin() as conn:
        assert feed.compact(conn, datetime.now(UTC) + timedelta(days=1)) > 0
    answer = dr_a.changes(int(SyncState(db).cursor or 0))
    assert (answer.status, answer.error) == (410, "RESYNC_REQUIRED")
    report = pull(db, dr_a, _now)
    assert report.resynced
    assert StoreLedger(db).patient(world.ids["p1"]) is None


def _prepare_conflict(tmp_path: Path, world: World) -> tuple[object, str]:
    db = open_desk(tmp_path / "desk")
    pull(db, world.client("dr_a"), _now)
    form_id = "6f1d2c6e-1111-4222-8333-944455556666"
    document = psf_body(world.ids["p1"], 1800, "2024-01-03")["document"]
    document["monitoring"] = "every_2_weeks"
    Forms(db).save_draft(form_id, FormKind.PSF, world.ids["p1"], document, _now())
    # Meanwhile another workstation's PSF sets monthly monitoring at the registry.
    other = psf_body(world.ids["p1"], 1700, "2024-01-03")
    other["document"]["monitoring"] = "monthly"
    ok(world.client("des_a").post("/v1/psfs", other))
    report = pull(db, world.client("dr_a"), _now)
    assert report.conflicts == 1
    return db, form_id


def test_a_registry_change_that_meets_a_local_form_becomes_a_conflict(
    tmp_path: Path, world: World
) -> None:
    db, form_id = _prepare_conflict(tmp_path, world)
    [conflict] = open_conflicts(db)  # type: ignore[arg-type]
    assert (conflict.form_id, conflict.field, conflict.local_value, conflict.registry_value) == (
        form_id,
        "monitoring",
        "every_2_weeks",
        "monthly",
    )
    # The registry's record is applied; the form is not touched, and it is held back.
    assert StoreLedger(db).patient(world.ids["p1"]).monitoring.value == "monthly"  # type: ignore[arg-type,union-attr]
    assert Forms(db).get(form_id).document["monitoring"] == "every_2_weeks"  # type: ignore[arg-type,union-attr]
    assert held_forms(db) == {form_id}  # type: ignore[arg-type]
    resolve(db, conflict.id, keep_local=False, by="dr-kim", at=_now())  # type: ignore[arg-type]
    assert Forms(db).get(form_id).document["monitoring"] == "monthly"  # type: ignore[arg-type,union-attr]
    assert open_conflicts(db) == [] and held_forms(db) == set()  # type: ignore[arg-type]


def test_a_queued_form_in_conflict_waits_for_a_decision(tmp_path: Path, world: World) -> None:
    db, form_id = _prepare_conflict(tmp_path, world)
    outbox = Outbox(db)  # type: ignore[arg-type]
    document = Forms(db).get(form_id).document  # type: ignore[arg-type,union-attr]
    outbox.enqueue(
        form_id,
        "submit_psf",
        f"patient:{world.ids['p1']}",
        {"document": document, "signature": None, "supersedes": None},
        _now(),
    )
    report = push(db, world.client("dr_a"), _now)  # type: ignore[arg-type]
    assert (report.held, report.acked) == (1, 0)
    assert outbox.get(form_id).state is OutboxState.QUEUED  # type: ignore[union-attr]
    [conflict] = open_conflicts(db)  # type: ignore[arg-type]
    resolve(db, conflict.id, keep_local=True, by="dr-kim", at=_now())  # type: ignore[arg-type]
    assert push(db, world.client("dr_a"), _now).acked == 1  # type: ignore[arg-type]


def test_a_rejection_stays_visible_and_does_not_block_other_items(
    tmp_path: Path, world: World
) -> None:
    db = open_desk(tmp_path / "desk")
    outbox = Outbox(db)
    outbox.enqueue(
        "item-unknown",
        "submit_psf",
        "patient:nobody",
        psf_body("patient-nobody", 2000, "2024-01-03"),
        _now(),
    )
    outbox.enqueue(
        "item-p1",
        "submit_psf",
        f"patient:{world.ids['p1']}",
        psf_body(world.ids["p1"], 2000, "2024-01-03"),
        _now(),
    )
    report = push(db, world.client("dr_a"), _now)
    assert (report.acked, report.rejected) == (1, 1)
    rejected = outbox.get("item-unknown")
    assert rejected is not None and rejected.state is OutboxState.REJECTED
    assert rejected.last_error.startswith("UNKNOWN_PATIENT: No enrolled patient matches")  # type: ignore[union-attr]
    assert outbox.get("item-p1").state is OutboxState.ACKED  # type: ignore[union-attr]
    assert outbox.response("item-p1")["treatment_status"] == "enrolled"  # type: ignore[index]


def test_an_ended_sign_in_pauses_the_queue_without_failing_items(
    tmp_path: Path, world: World
) -> None:
    db = open_desk(tmp_path / "desk")
    Outbox(db).enqueue(
        "item-1",
        "submit_psf",
        f"patient:{world.ids['p1']}",
        psf_body(world.ids["p1"], 2000, "2024-01-03"),
        _now(),
    )
    signed_out = RegistryClient(world.url)
    report = sync_once(db, signed_out, _now)
    assert report.connectivity is Connectivity.SIGN_IN_REQUIRED
    item = Outbox(db).get("item-1")
    assert item is not None and item.state is OutboxState.QUEUED and item.attempts == 1
    assert report.queued == 1


def test_sync_knows_offline_and_flags_a_wrong_clock(tmp_path: Path, world: World) -> None:
    db = open_desk(tmp_path / "desk")
    dr = world.client("dr_a")
    # The registry's wall clock is 2026-11-02 09:00 (served_registry); this desk is 2 h off.
    skewed = sync_once(db, dr, lambda: datetime(2026, 11, 2, 11, 0, tzinfo=UTC))
    assert skewed.connectivity is Connectivity.ONLINE
    assert skewed.clock_warning and "120 minutes ahead of" in skewed.clock_warning
    on_time = sync_once(db, dr, lambda: datetime(2026, 11, 2, 9, 3, tzinfo=UTC))
    assert on_time.clock_warning is None
    Outbox(db).enqueue(
        "item-1",
        "submit_psf",
        f"patient:{world.ids['p1']}",
        psf_body(world.ids["p1"], 2000, "2024-01-03"),
        _now(),
    )
    dead = RegistryClient("http://127.0.0.1:9", timeout=(0.5, 0.5))  # nothing listens there
    offline = sync_once(db, dead, _now)
    assert offline.connectivity is Connectivity.OFFLINE and offline.queued == 1
    assert "cannot be reached" in (offline.problem or "")


def test_the_sync_worker_runs_on_its_own_thread(tmp_path: Path, world: World) -> None:
    folder = tmp_path / "desk"
    open_desk(folder).close()
    reports: list[tuple[str, SyncReport]] = []
    done = threading.Event()

    def on_report(report: SyncReport) -> None:
        reports.append((threading.current_thread().name, report))
        done.set()

    worker = SyncWorker(
        lambda: open_desk(folder), world.client("dr_a"), Clock(), on_report, interval=60
    )
    worker.start()
    assert done.wait(20)
    worker.stop()
    worker.join(10)
    name, report = reports[0]
    assert name == "registry-sync" and name != threading.main_thread().name
    assert report.connectivity is Connectivity.ONLINE and report.pulled.changes > 0
