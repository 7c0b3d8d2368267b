"""Two registry processes on one PostgreSQL database, pharmacies asking RDAs of both at once:
one act per patient decides at a time (one first dispense), a key takes effect once
across processes (a refusal too), and a pharmacy pulling its feed meanwhile misses none
of the dispenses it may see and gets none twice."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from registry import tables as t
from registry.database import make_engine
from registry.ledger import pharmacy_audience
from registry.process import RegistryProcess, fresh_database
from sync.client import Answer, RegistryClient
from tests.support.registry_world import World, build_world, enroll_patients, ok, signed_in

Pair = tuple[RegistryProcess, RegistryProcess]


@pytest.fixture
def two_registries(postgres_url: str, tmp_path: Path) -> Iterator[Pair]:
    with fresh_database(postgres_url, tmp_path) as url:
        first = RegistryProcess(url)
        with first, RegistryProcess(url, operator_password=first.operator_password) as second:
            yield first, second


def _rda(world: World, rx: str, patient: str, n: int) -> dict[str, Any]:
    return {
        "pharmacy_id": world.ids[rx],
        "patient_id": patient,
        "prescriber_id": world.ids["dr_a"],
        "name": f"Pat {n}",  # as enroll_patients names them
        "dob": "1980-01-01",
    }


def _dispenses(db_url: str, patients: list[str]) -> list[tuple[int, str, str]]:
    engine = make_engine(db_url)
    d = t.dispenses.c
    with engine.connect() as conn:
        rows = conn.execute(
            select(d.seq, d.patient_id, d.pharmacy_id).where(d.patient_id.in_(patients))
        ).all()
    engine.dispose()
    return [(int(r[0]), str(r[1]), str(r[2])) for r in rows]


def _feed_rows(db_url: str, audience: str) -> list[tuple[str, str]]:
    engine = make_engine(db_url)
    c = t.changes.c
    with engine.connect() as conn:
        rows = conn.execute(select(c.kind, c.key).where(c.audience == audience)).all()
    engine.dispose()
    return [(str(r[0]), str(r[1])) for r in rows]


class FeedReader:
    """A pharmacy's desk pulling the feed page by page, as sync does: cursor kept."""

    def __init__(self, client: RegistryClient) -> None:
        self.client = client
        self.cursor = 0
        self.seen: list[dict[str, Any]] = []

    def pull(self) -> None:
        while True:
            page = ok(self.client.changes(self.cursor, limit=50))
            self.seen += page["changes"]
            self.cursor = page["cursor"]
            if not page["more"]:
                return


def _meanwhile(
    beside: Callable[[], None], done: threading.Event, *workers: Callable[[], None]
) -> None:
    """Run the workers to their end with `beside` running meanwhile (it loops until `done`
    is set), then stop it."""
    background = threading.Thread(target=beside)
    threads = [threading.Thread(target=worker) for worker in workers]
    background.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    done.set()
    background.join()


def test_two_pharmacies_on_two_processes_one_first_dispense_each_sees_both(
    two_registries: Pair,
) -> None:
    first, second = two_registries
    world = build_world(first.url, first.operator_password)
    patients = enroll_patients(world, 10)
    rounds = threading.Barrier(2)
    answers: dict[tuple[str, str], Answer] = {}
    desks = {
        rx: FeedReader(signed_in(first.url, world.emails[f"staff_{rx}"])) for rx in ("rx_x", "rx_y")
    }
    done = threading.Event()

    def pharmacy(rx: str, url: str) -> None:
        client = signed_in(url, world.emails[f"ar_{rx}"])
        for n, patient in enumerate(patients):
            body = _rda(world, rx, patient, n + 0)
            rounds.wait(timeout=60)
            answers[(rx, patient)] = client.post("/v1/rda", body, key=str(uuid.uuid4()))
        client.close()

    def puller() -> None:
        while not done.is_set():
            for desk in desks.values():
                desk.pull()

    _meanwhile(
        puller,
        done,
        lambda: pharmacy("rx_x", first.url),
        lambda: pharmacy("rx_y", second.url),
    )
    for desk in desks.values():
        desk.pull()

    for patient in patients:
        pair = [answers[(rx, patient)] for rx in ("rx_x", "rx_y")]
        assert [a.status for a in pair] == [200, 200], [a.body for a in pair]
        assert all(a.body["authorized"] for a in pair)
        firsts = [a.body["first_dispense"] for a in pair]
        assert sorted(firsts) == [False, True], (patient, firsts)  # one decided first
    dispensed = _dispenses(first.db_url, patients)
    assert len(dispensed) == 2 * len(patients)
    every = {str(seq) for seq, _, _ in dispensed}
    for rx, desk in desks.items():
        keys = [c["key"] for c in desk.seen if c["kind"] == "dispense"]
        seqs = [c["seq"] for c in desk.seen]
        assert seqs == sorted(set(seqs)), f"{rx}: feed numbers out of order or repeated"
        # Each pharmacy dispensed to every patient, so it sees every dispense of theirs:
        # its own and (at the grant, or with it) the other's, each once.
        assert set(keys) == every, f"{rx} missed {sorted(every - set(keys))[:5]}"
        assert len(keys) == len(set(keys)), f"{rx} got a dispense twice"
        at_registry = {k for kind, k in _feed_rows(first.db_url, pharmacy_audience(world.ids[rx]))}
        assert set(keys) <= at_registry
    world.close()


def test_an_rda_sent_again_with_its_key_is_replayed_not_dispensed_again(
    two_registries: Pair,
) -> None:
    first, second = two_registries
    world = build_world(first.url, first.operator_password)
    (patient,) = enroll_patients(world, 1)
    body, key = _rda(world, "rx_x", patient, 0), str(uuid.uuid4())
    pharmacy = world.client("ar_rx_x")
    answer = pharmacy.post("/v1/rda", body, key=key)
    assert answer.status == 200 and answer.body["first_dispense"]
    again = pharmacy.post("/v1/rda", body, key=key)  # the answer was lost: sent again
    assert again.replayed and again.body == answer.body
    # The same retry reaching the other registry process (behind a balancer).
    again = signed_in(second.url, world.emails["ar_rx_x"]).post("/v1/rda", body, key=key)
    assert again.replayed and again.body == answer.body
    assert len(_dispenses(first.db_url, [patient])) == 1
    world.close()


def _clients(world: World, urls: list[str], who: str, each: int) -> list[RegistryClient]:
    """`each` signed-in clients of `who` per registry process (kept: sign-in is limited)."""
    return [signed_in(url, world.emails[who]) for url in urls for _ in range(each)]


def _storm(clients: list[RegistryClient], body: dict[str, Any], key: str) -> list[Answer]:
    """Every client sending one request with one key at once."""
    start = threading.Barrier(len(clients))
    answers: list[Answer] = []
    lock = threading.Lock()

    def send(client: RegistryClient) -> None:
        start.wait(timeout=60)
        answer = client.post("/v1/rda", body, key=key)
        with lock:
            answers.append(answer)

    threads = [threading.Thread(target=send, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def test_one_key_sent_at_once_to_two_processes_dispenses_once(two_registries: Pair) -> None:
    first, second = two_registries
    world = build_world(first.url, first.operator_password)
    patients = enroll_patients(world, 4)
    clients = _clients(world, [first.url, second.url], "ar_rx_x", 3)
    for n, patient in enumerate(patients):
        body, key = _rda(world, "rx_x", patient, n), str(uuid.uuid4())
        answers = _storm(clients, body, key)
        statuses = sorted(a.status for a in answers)
        assert set(statuses) <= {200, 409}, [a.body for a in answers]
        done = [a for a in answers if a.status == 200]
        assert done and all(a.body == done[0].body for a in done)
        assert sum(not a.replayed for a in done) == 1  # one acted, the others replayed
        assert len(_dispenses(first.db_url, [patient])) == 1
        again = clients[-1].post("/v1/rda", body, key=key)  # sent again, later
        assert again.replayed and again.body == done[0].body
    assert len(_dispenses(first.db_url, patients)) == len(patients)
    world.close()


def test_one_refused_key_sent_at_once_to_two_processes_is_kept_once(
    two_registries: Pair,
) -> None:
    """A refusal rolls its transaction back whole and is kept in a second one: requests
    with the key meanwhile act again (and are refused again) or get it replayed; the key
    ends with the refusal, nothing of the act is kept, and the retry is the refusal."""
    first, second = two_registries
    world = build_world(first.url, first.operator_password)
    patients = enroll_patients(world, 3)
    clients = _clients(world, [first.url, second.url], "ar_rx_y", 3)
    for n, patient in enumerate(patients):
        body = {**_rda(world, "rx_y", patient, n), "dob": "1981-02-02"}  # not the patient
        key = str(uuid.uuid4())
        answers = _storm(clients, body, key)
        refused = [a for a in answers if a.status != 409]
        assert refused, [a.body for a in answers]
        assert {a.status for a in refused} == {refused[0].status}
        assert 400 <= refused[0].status < 500 and refused[0].status != 409
        assert all(a.body == refused[0].body for a in refused)
        again = clients[0].post("/v1/rda", body, key=key)
        assert again.replayed and again.body == refused[0].body
        engine = make_engine(first.db_url)
        k, pp = t.idempotency_keys.c, t.pharmacy_patients.c
        with engine.connect() as conn:
            row = conn.execute(select(k.state, k.status_code).where(k.key == key)).one()
            sees = conn.execute(
                select(pp.patient_id).where(
                    pp.patient_id == patient, pp.pharmacy_id == world.ids["rx_y"]
                )
            ).all()
        engine.dispose()
        assert (row[0], row[1]) == ("done", refused[0].status)
        assert sees == []  # a refused request grants no sight of the patient
        assert _dispenses(first.db_url, [patient]) == []
    world.close()


def test_connections_ended_again_and_again_during_a_burst_of_writes(
    two_registries: Pair,
) -> None:
    """A database failing over under load: every write is answered as usual and lands
    once, whichever of its statements met the ended connection."""
    first, second = two_registries
    world = build_world(first.url, first.operator_password)
    patients = enroll_patients(world, 4)
    per_writer, writers = 15, 6
    clients = _clients(world, [first.url, second.url], "dr_a", writers // 2)
    answers: list[Answer] = []
    lock = threading.Lock()
    done = threading.Event()

    def writer(n: int) -> None:
        for k in range(per_writer):
            patient = patients[(n + k) % len(patients)]
            body = {"value": 3000 + n * 100 + k, "drawn": "2024-01-03"}
            answer = clients[n].post(f"/v1/patients/{patient}/ancs", body)
            with lock:
                answers.append(answer)

    ended = 0

    def terminator() -> None:
        nonlocal ended
        engine = make_engine(first.db_url)
        while not done.is_set():
            with engine.connect() as conn:
                ended += conn.execute(
                    text(
                        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    )
                ).scalar_one()
            time.sleep(0.03)
        engine.dispose()

    _meanwhile(terminator, done, *(lambda n=n: writer(n) for n in range(writers)))
    assert ended > 10  # connections were ended while the writers wrote
    failed = [(a.status, a.body) for a in answers if a.status != 201]
    assert not failed, failed[:3]
    engine = make_engine(first.db_url)
    a = t.anc_results.c
    with engine.connect() as conn:
        landed = conn.execute(
            select(a.per_ul).where(a.patient_id.in_(patients), a.per_ul >= 3000)
        ).scalars()
        values = sorted(landed)
    engine.dispose()
    assert len(values) == len(set(values)) == per_writer * writers  # each once
    world.close()


def test_a_pharmacy_looking_up_while_another_dispenses_sees_exactly_its_patients(
    two_registries: Pair,
) -> None:
    """rx_y dispenses to every patient on one process while rx_x, on the other, looks up
    every other one at the same moment: rx_x's desk, pulling meanwhile, ends with exactly
    the patients it found and every dispense of theirs (rx_y's, before or after the
    look-up), and nothing of the others."""
    first, second = two_registries
    world = build_world(first.url, first.operator_password)
    patients = enroll_patients(world, 10)
    found = set(patients[::2])
    rounds = threading.Barrier(2)
    desk = FeedReader(signed_in(first.url, world.emails["staff_rx_x"]))
    done = threading.Event()
    failures: list[str] = []

    def dispensing() -> None:
        client = signed_in(second.url, world.emails["ar_rx_y"])
        for n, patient in enumerate(patients):
            rounds.wait(timeout=60)
            answer = client.post("/v1/rda", _rda(world, "rx_y", patient, n))
            if answer.status != 200 or not answer.body["authorized"]:
                failures.append(f"RDA {answer.status} {answer.body}")

    def looking_up() -> None:
        client = signed_in(first.url, world.emails["ar_rx_x"])
        for n, patient in enumerate(patients):
            rounds.wait(timeout=60)
            if patient in found:
                answer = client.post(
                    "/v1/patients/lookup", {"name": f"Pat {n}", "dob": "1980-01-01"}
                )
                if answer.status != 200:
                    failures.append(f"look-up {answer.status} {answer.body}")

    def puller() -> None:
        while not done.is_set():
            desk.pull()

    _meanwhile(puller, done, dispensing, looking_up)
    desk.pull()
    assert not failures, failures[:3]
    seqs = [c["seq"] for c in desk.seen]
    assert seqs == sorted(set(seqs))
    seen_patients = {c["key"] for c in desk.seen if c["kind"] == "patient"}
    assert seen_patients & set(patients) == found
    dispensed = _dispenses(first.db_url, patients)
    assert len(dispensed) == len(patients)
    theirs = {str(seq) for seq, patient, _ in dispensed if patient in found}
    keys = [c["key"] for c in desk.seen if c["kind"] == "dispense"]
    assert set(keys) == theirs
    assert len(keys) == len(set(keys))
    world.close()


def test_concurrent_dispense_rationales_on_two_processes_keep_to_the_limit(
    two_registries: Pair,
) -> None:
    """Six Dispense Rationales for one patient at once, from two pharmacies on two
    processes: the outpatient limit (3 a year) holds, each decided on the state the one
    before left (the patient's lock), never two on the same count."""
    first, second = two_registries
    world = build_world(first.url, first.operator_password)
    patient = world.ids["p1"]
    for rx in ("rx_x", "rx_y"):
        ar = world.client(f"ar_{rx}")
        ok(ar.post("/v1/patients/lookup", {"name": "Rosa Test", "dob": "1980-01-01"}))
    rda = {"pharmacy_id": world.ids["rx_y"], "patient_id": patient,
           "prescriber_id": world.ids["dr_a"]}  # fmt: skip
    assert ok(world.client("ar_rx_y").post("/v1/rda", rda))["first_dispense"]
    day = "2024-02-20"  # no PSF since the enrollment: a Dispense Rationale is offered
    ok(world.operator.put("/v1/test/clock", {"today": day}))
    clients = [
        (rx, signed_in(url, world.emails[f"ar_{rx}"]))
        for rx, url in (("rx_x", first.url), ("rx_y", second.url))
        for _ in range(3)
    ]
    start = threading.Barrier(len(clients))
    answers: list[Answer] = []
    lock = threading.Lock()

    def send(rx: str, client: RegistryClient) -> None:
        body = {
            "pharmacy_id": world.ids[rx],
            "patient_id": patient,
            "npi": "1234567893",
            "anc": {"value": 2000, "unit": "/uL", "drawn": day},
        }
        start.wait(timeout=60)
        answer = client.post("/v1/dispense-rationales", body)
        with lock:
            answers.append(answer)

    threads = [threading.Thread(target=send, args=pair) for pair in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(a.status == 200 for a in answers), [a.body for a in answers]
    authorized = [a.body for a in answers if a.body["authorized"]]
    refused = [a.body["refusal"] for a in answers if not a.body["authorized"]]
    assert len(authorized) == 3, [a.body for a in answers]
    assert refused == ["DISPENSE_RATIONALE_LIMIT_REACHED"] * 3
    assert sorted(b["rationales_used"] for b in authorized) == [1, 2, 3]
    d = t.dispenses.c
    engine = make_engine(first.db_url)
    with engine.connect() as conn:
        via = conn.execute(select(d.via).where(d.patient_id == patient)).scalars().all()
    engine.dispose()
    assert sorted(via) == sorted(["rda", *["dispense_rationale"] * 3]), via
    world.close()
