"""The RDA load the registry benchmarks put on a registry process: a certified office and
pharmacy, 200 enrolled patients, and clients asking back to back for RDAs of random patients
(each request new, with its own Idempotency-Key), over real loopback HTTP."""

from __future__ import annotations

import http.client
import json
import random
import threading
import time
import urllib.parse
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.registry_world import certified_office, certified_pharmacy, enrollment_payload
from registry.process import OPERATOR_EMAIL
from sync.client import RegistryClient

PATIENTS = 200


@dataclass(frozen=True)
class RdaWorld:
    pharmacy_id: str
    prescriber_id: str
    token: str  # the pharmacy's access token
    patients: tuple[str, ...]


def rda_world(url: str, operator_password: str, patients: int = PATIENTS) -> RdaWorld:
    operator = RegistryClient(url)
    operator.sign_in(OPERATOR_EMAIL, operator_password)
    operator.put("/v1/test/clock", {"today": "2024-01-03"})
    office, prescriber_id = certified_office(url, operator)
    pharmacy, pharmacy_id = certified_pharmacy(url, operator)
    ids = [f"patient-{uuid.uuid4()}" for _ in range(patients)]
    for start in range(0, len(ids), 100):
        office.batch(
            [
                {
                    "key": str(uuid.uuid4()),
                    "path": "/v1/enrollments",
                    "body": enrollment_payload(p, n),
                }
                for n, p in enumerate(ids[start : start + 100], start)
            ]
        )
    token = pharmacy.access_token
    assert token is not None  # signed in by certified_pharmacy
    return RdaWorld(pharmacy_id, prescriber_id, token, tuple(ids))


def rda_round(
    urls: Sequence[str], world: RdaWorld, clients: int, per_client: int, seed: int = 0
) -> tuple[list[float], float]:
    """`clients` threads, each asking `per_client` RDAs back to back, client n sending to
    urls[n % len(urls)] (several registry processes behind a load balancer, as it spreads
    connections). Returns each RDA's latency (ms) and the wall time (s)."""
    latencies: list[float] = []
    lock = threading.Lock()
    failures: list[str] = []

    def client_loop(number: int) -> None:
        rng = random.Random(seed * 1000 + number)
        pharmacy = PharmacyConnection(urls[number % len(urls)])
        mine = []
        try:
            for _ in range(per_client):
                n = rng.randrange(len(world.patients))
                body = {
                    "pharmacy_id": world.pharmacy_id,
                    "patient_id": world.patients[n],
                    "prescriber_id": world.prescriber_id,
                    # Named with the request, as a pharmacy that has not looked them up does
                    # (enrollment_payload's names).
                    "name": f"Bench Patient {n:05d}",
                    "dob": "1970-01-01",
                }
                began = time.perf_counter()
                status, text = pharmacy.post("/v1/rda", body, world.token, str(uuid.uuid4()))
                mine.append((time.perf_counter() - began) * 1000)
                if status != 200:
                    failures.append(f"RDA answered {status}: {text[:200]}")
                    return
        finally:
            pharmacy.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client_loop, args=(n,)) for n in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if failures:
        raise RuntimeError(failures[0])
    return latencies, elapsed


class PharmacyConnection:
    """One pharmacy's keep-alive HTTP/1.1 connection, on the standard library's client: the
    16 clients share this process's GIL and the machine's 2 cores with the registry, and
    `requests` spent 0.8 ms of CPU per RDA here, time the registry's answer was charged
    with while a client thread waited to read it."""

    def __init__(self, url: str) -> None:
        # timeout 60 s: a sign-in flood beside it slows the first answers
        self._connection = http.client.HTTPConnection(urllib.parse.urlsplit(url).netloc, timeout=60)

    def post(self, path: str, body: object, token: str, key: str) -> tuple[int, str]:
        headers = {
            "Authorization": f"Bearer {token}",
            "Idempotency-Key": key,
            "Content-Type": "application/json",
        }
        self._connection.request("POST", path, json.dumps(body), headers)
        answer = self._connection.getresponse()
        return answer.status, answer.read().decode(errors="replace")

    def close(self) -> None:
        self._connection.close()


def p99(latencies: list[float]) -> float:
    ordered = sorted(latencies)
    return ordered[max(0, int(len(ordered) * 0.99) - 1)]


def tree_cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a process and its live descendants, from /proc (Linux;
    the benchmarks run here): a registry's supervisor and its worker processes."""
    import os

    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            stat = Path(f"/proc/{current}/stat").read_text()
            fields = stat.rsplit(")", 1)[1].split()
            children = []
            for task in Path(f"/proc/{current}/task").iterdir():  # any thread may have forked
                children += (task / "children").read_text().split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
        pending += [int(c) for c in children]
    return total
