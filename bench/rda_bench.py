"""The registry at a pharmacy counter's pace (issue #19), over real loopback HTTP to
registry processes, with 16 clients asking RDAs back to back (bench/rda_load.py):

- registry.rda_p99_ms.sqlite / .postgresql, registry.rda_per_s.*: the RDA's p99 and
  throughput (SQLite: one worker; PostgreSQL, a throwaway server started here: two registry
  processes of one worker each, behind a load balancer as the clients spread over them).
- registry.rda_cpu_ms: the registry's CPU time (its process tree, from /proc) over the RDAs
  it answered, in the SQLite run; registry.floor_cpu_ms: the same over a trivial endpoint
  with one indexed read (GET /v1/me: the token and its account), asked back to back by 16
  clients (on `requests`, which gives the lower floor) of the same registry, in the same
  run; registry.rda_cpu_over_floor, the two.
- registry.scale_2_over_1: throughput of two registry processes (as two machines behind a
  load balancer, one worker each, the clients spread over them) over one, against one
  PostgreSQL at the same offered load; registry.scale_db_cpu_share: PostgreSQL's share of
  all the CPU used meanwhile (it shares this machine's two cores with the registries and
  the clients, which it would not in a deployment).
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import requests

from bench.harness import Metric
from bench.rda_load import RdaWorld, p99, rda_round, rda_world, tree_cpu_seconds
from registry.process import RegistryProcess, fresh_database

METRICS = (
    "registry.rda_p99_ms.sqlite",
    "registry.rda_per_s.sqlite",
    "registry.rda_cpu_ms",
    "registry.floor_cpu_ms",
    "registry.rda_cpu_over_floor",
    "registry.rda_p99_ms.postgresql",
    "registry.rda_per_s.postgresql",
    "registry.scale_2_over_1",
    "registry.scale_db_cpu_share",
)
REPO = Path(__file__).resolve().parent.parent
CLIENTS = 16
# RDAs per client first, not counted: a registry just started (its first connections,
# statements not yet prepared) is a minute of its life, not the counter's day.
WARM_UP = 10


def _warm_up(urls: list[str], world: RdaWorld) -> None:
    rda_round(urls, world, CLIENTS, WARM_UP, seed=99)


def run(quick: bool) -> Iterator[Metric]:
    per_client = 30 if quick else 100
    folder = Path(tempfile.mkdtemp(prefix="clozapine-bench-rda-"))
    try:
        yield from _sqlite(folder / "sqlite", per_client)
        # Not under the 0700 bench folder: the postgres user must be able to reach it.
        pg = Path(tempfile.mkdtemp(prefix="clozapine-bench-pg-"))
        started = subprocess.run(
            [str(REPO / "scripts" / "postgres"), "start", str(pg)], capture_output=True, text=True
        )
        if started.returncode != 0:
            note = f"PostgreSQL did not start: {started.stderr.strip()}"
            yield Metric("registry.rda_p99_ms.postgresql", float("nan"), "ms", 50.0, note=note)
            return
        try:
            url = started.stdout.strip()
            yield from _postgresql(folder / "pg", url, per_client)
            yield from _scale(folder / "scale", url, pg, per_client)
        finally:
            subprocess.run([str(REPO / "scripts" / "postgres"), "stop", str(pg)], check=False)
            shutil.rmtree(pg, ignore_errors=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _sqlite(folder: Path, per_client: int) -> Iterator[Metric]:
    folder.mkdir(parents=True)
    with fresh_database(None, folder) as url, RegistryProcess(url, workers=1) as registry:
        assert registry.process is not None
        pid = registry.process.pid
        world = rda_world(registry.url, registry.operator_password)
        _warm_up([registry.url], world)
        before = tree_cpu_seconds(pid)
        latencies, elapsed = rda_round([registry.url], world, CLIENTS, per_client)
        rda_cpu = (tree_cpu_seconds(pid) - before) / len(latencies) * 1000
        before = tree_cpu_seconds(pid)
        floor_count = _floor_round(registry.url, world, per_client)
        floor_cpu = (tree_cpu_seconds(pid) - before) / floor_count * 1000
    note = f"{len(latencies)} RDAs from {CLIENTS} clients, 1 worker; median "
    note += f"{statistics.median(latencies):.1f} ms"
    yield Metric("registry.rda_p99_ms.sqlite", p99(latencies), "ms", 50.0, note=note)
    yield Metric("registry.rda_per_s.sqlite", len(latencies) / elapsed, "per s", None)
    yield Metric(
        "registry.rda_cpu_ms",
        rda_cpu,
        "ms",
        2.0,
        note="registry process CPU over RDAs answered, SQLite, 1 worker, 16 clients",
    )
    yield Metric(
        "registry.floor_cpu_ms",
        floor_cpu,
        "ms",
        None,
        note=f"GET /v1/me (the token and its account: one indexed read), {floor_count} asked",
    )
    yield Metric("registry.rda_cpu_over_floor", rda_cpu / floor_cpu, "ratio", 3.0)


def _floor_round(url: str, world: RdaWorld, per_client: int) -> int:
    """16 clients ask GET /v1/me back to back, as they asked RDAs; how many were answered."""
    answered = [0] * CLIENTS

    def client(number: int) -> None:
        # With `requests`, as the floor was first measured: it gives the lower floor (0.83
        # ms a request against 1.18 with the RDAs' http.client, whose faster asking makes
        # GET /v1/me's four read threads contend harder), so the ratio is the stricter.
        session = requests.Session()
        headers = {"Authorization": f"Bearer {world.token}"}
        for _ in range(per_client):
            if session.get(url + "/v1/me", headers=headers, timeout=30).status_code != 200:
                raise RuntimeError("GET /v1/me was not answered")
            answered[number] += 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(answered)


def _postgresql(folder: Path, server: str, per_client: int) -> Iterator[Metric]:
    """Two registry processes of one worker each, the clients spread over them as a load
    balancer spreads connections (docs/registry.md): `--workers 2` on one port leaves the
    split of 16 keep-alive connections to the kernel's accept, 4/12 as often as 8/8, and
    the busier worker's queue sets the p99 (42 to 74 ms here in four runs)."""
    folder.mkdir(parents=True)
    with fresh_database(server, folder) as url, ExitStack() as stack:
        first = stack.enter_context(RegistryProcess(url, workers=1))
        second = stack.enter_context(
            RegistryProcess(url, workers=1, operator_password=first.operator_password)
        )
        world = rda_world(first.url, first.operator_password)
        _warm_up([first.url, second.url], world)
        latencies, elapsed = rda_round([first.url, second.url], world, CLIENTS, per_client)
    note = f"{len(latencies)} RDAs from {CLIENTS} clients, 2 processes of 1 worker; median "
    note += f"{statistics.median(latencies):.1f} ms"
    yield Metric("registry.rda_p99_ms.postgresql", p99(latencies), "ms", 50.0, note=note)
    yield Metric("registry.rda_per_s.postgresql", len(latencies) / elapsed, "per s", None)


def _postgres_pid(cluster: Path) -> int:
    return int((cluster / "data" / "postmaster.pid").read_text().split()[0])


def _scale(folder: Path, server: str, cluster: Path, per_client: int) -> Iterator[Metric]:
    folder.mkdir(parents=True)
    database = _postgres_pid(cluster)
    with fresh_database(server, folder) as url, ExitStack() as stack:
        first = stack.enter_context(RegistryProcess(url, workers=1))
        world = rda_world(first.url, first.operator_password)
        _warm_up([first.url], world)
        one = _throughput([first], world, database, per_client)
        second = stack.enter_context(
            RegistryProcess(url, workers=1, operator_password=first.operator_password)
        )
        _warm_up([second.url], world)
        two = _throughput([first, second], world, database, per_client)
    ratio = two[0] / one[0]
    yield Metric(
        "registry.scale_2_over_1",
        ratio,
        "ratio",
        1.6,
        lower_is_better=False,
        note=(
            f"{one[0]:.0f} RDAs/s on one process, {two[0]:.0f} on two (one worker each, one "
            f"PostgreSQL, {CLIENTS} clients spread over them, all on these 2 cores)"
        ),
    )
    yield Metric(
        "registry.scale_db_cpu_share",
        two[1],
        "share",
        None,
        note=(
            f"PostgreSQL's share of the CPU used with two processes ({one[1]:.2f} with one); "
            f"the registries' {two[2]:.2f}, the clients' the rest"
        ),
    )


def _throughput(
    registries: list[RegistryProcess], world: RdaWorld, database: int, per_client: int
) -> tuple[float, float, float]:
    """RDAs per second over the registries, and PostgreSQL's and the registries' shares
    of all the CPU used meanwhile (PostgreSQL, the registries, this process's clients)."""
    pids = [r.process.pid for r in registries if r.process is not None]
    registry_cpu = sum(tree_cpu_seconds(p) for p in pids)
    database_cpu, clients_cpu = tree_cpu_seconds(database), time.process_time()
    latencies, elapsed = rda_round([r.url for r in registries], world, CLIENTS, per_client, 1)
    registry_cpu = sum(tree_cpu_seconds(p) for p in pids) - registry_cpu
    database_cpu = tree_cpu_seconds(database) - database_cpu
    clients_cpu = time.process_time() - clients_cpu
    total = registry_cpu + database_cpu + clients_cpu
    return len(latencies) / elapsed, database_cpu / total, registry_cpu / total
