"""RDAs while sign-ins flood the registry: the hash pool and the limits must keep the RDA path
served (registry/throttle.py).

- registry.sign_in_flood.rda_p99_ratio: the p99 of RDAs from 8 concurrent pharmacy clients
  while 8 more threads send wrong-password sign-ins as fast as they are answered, over the
  p99 of the same RDAs without them, measured in one run. The floods come from loopback (no address
  limit there) and each uses a new made-up email (no account limit applies): the worst case,
  where only the hash pool stands between them and the cores. Each flood stops when the RDAs
  are done, after 120 s, or at 20,000 attempts, whichever comes first.
- registry.sign_in_flood.rda_p99_ms_quiet and registry.rda_p99_under_signin_flood_ms: the
  two p99s (goal for the flooded one: 100 ms).
The registry runs with the production Argon2id cost (t=3, 64 MiB), so a guess costs what it
would cost in production, and with the test clock to date the patients' ANCs.
"""

from __future__ import annotations

import functools
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import requests

from bench.harness import Metric
from bench.rda_load import RdaWorld, rda_round, rda_world
from registry.process import RegistryProcess

METRICS = (
    "registry.sign_in_flood.rda_p99_ratio",
    "registry.sign_in_flood.rda_p99_ms_quiet",
    "registry.rda_p99_under_signin_flood_ms",
)
RDA_CLIENTS = 8
FLOODS = 8
FLOOD_SECONDS = 120.0
FLOOD_ATTEMPTS = 20_000
PATIENTS = 200
_COUNTING = threading.Lock()


class _ProductionHashRegistry(RegistryProcess):
    """`registry serve --test-clock` without --fast-hash (RegistryProcess always adds it)."""

    def start(self, timeout: float = 60.0) -> RegistryProcess:
        command = [sys.executable, "-m", "cli.main", "registry", "serve", "--db", self.db_url]
        command += ["--host", "127.0.0.1", "--port", str(self.port), "--test-clock"]
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("the registry did not start")
            try:
                if requests.get(self.url + "/v1/handshake", timeout=1).ok:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.05)
        self.stop()
        raise RuntimeError("the registry did not answer within its start-up time")


def run(quick: bool) -> Iterator[Metric]:
    folder = Path(tempfile.mkdtemp(prefix="clozapine-bench-sign-in-"))
    try:
        yield from _measure(folder, quick)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _measure(folder: Path, quick: bool) -> Iterator[Metric]:
    # Quiet and flooded rounds take turns, so a change in the machine's other load (it is
    # shared) falls on both alike.
    rounds, per_client = (2, 20) if quick else (4, 40)
    quiet: list[float] = []
    flooded: list[float] = []
    attempts: Counter[int] = Counter()
    with _ProductionHashRegistry(f"sqlite:///{folder / 'registry.db'}") as registry:
        world = rda_world(registry.url, registry.operator_password, PATIENTS)
        for n in range(rounds):
            quiet += _rda_load(registry.url, world, per_client, 2 * n)
            load = functools.partial(_rda_load, registry.url, world, per_client, 2 * n + 1)
            flooded += _flooded(registry.url, attempts, load)
    quiet_p99, flooded_p99 = _p99(quiet), _p99(flooded)
    seen = ", ".join(f"{count} answered {status}" for status, count in sorted(attempts.items()))
    yield Metric(
        "registry.sign_in_flood.rda_p99_ratio",
        flooded_p99 / quiet_p99,
        "ratio",
        2.0,
        note=f"{rounds} rounds of each, {RDA_CLIENTS} RDA clients x {per_client} a round; "
        f"{FLOODS} sign-in floods from loopback, a new email each attempt: {seen}",
    )
    yield Metric(
        "registry.sign_in_flood.rda_p99_ms_quiet",
        quiet_p99,
        "ms",
        None,
        note=f"median {statistics.median(quiet):.1f} ms",
    )
    yield Metric(
        "registry.rda_p99_under_signin_flood_ms",
        flooded_p99,
        "ms",
        100.0,
        note=f"median {statistics.median(flooded):.1f} ms",
    )


def _flooded(url: str, attempts: Counter[int], load: Callable[[], list[float]]) -> list[float]:
    stop = threading.Event()
    floods = [threading.Thread(target=_flood, args=(url, stop, attempts)) for _ in range(FLOODS)]
    for flood in floods:
        flood.start()
    time.sleep(1.0)  # the pool and its queue are full before the first RDA
    try:
        return load()
    finally:
        stop.set()
        for flood in floods:
            flood.join()


def _rda_load(url: str, world: RdaWorld, per_client: int, seed: int) -> list[float]:
    return rda_round([url], world, RDA_CLIENTS, per_client, seed)[0]


def _flood(url: str, stop: threading.Event, attempts: Counter[int]) -> None:
    """Wrong passwords as fast as they are answered, ignoring Retry-After (as an attacker
    would); bounded in time and count."""
    session, ends = requests.Session(), time.monotonic() + FLOOD_SECONDS
    while not stop.is_set() and time.monotonic() < ends and attempts.total() < FLOOD_ATTEMPTS:
        body = {"email": f"guess-{uuid.uuid4().hex[:12]}@flood.test", "password": "wrong guess"}
        try:
            status = session.post(url + "/v1/session", json=body, timeout=30).status_code
        except requests.RequestException:
            status = 0
        with _COUNTING:
            attempts[status] += 1


def _p99(latencies: list[float]) -> float:
    ordered = sorted(latencies)
    return ordered[max(0, int(len(ordered) * 0.99) - 1)]
