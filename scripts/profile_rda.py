"""Flame graphs of the registry answering the RDA load (issue #19): a registry process on
SQLite (one worker) or PostgreSQL, 16 clients asking back to back, py-spy recording the
registry's process (and its workers) meanwhile.

    .venv/bin/pip install py-spy   # a profiler, not a dependency of the project
    .venv/bin/python scripts/profile_rda.py sqlite docs/perf/rda-sqlite.svg
    .venv/bin/python scripts/profile_rda.py postgresql docs/perf/rda-postgresql.svg
    .venv/bin/python scripts/profile_rda.py sqlite - 1      # no profiler: measure, 1 client
    .venv/bin/python scripts/profile_rda.py sqlite out.txt  # py-spy's raw stacks, for scripts

WORKERS=N sets the registry's worker processes (default: 1 on SQLite, 2 on PostgreSQL). The
CPU per RDA it prints is the registry's process tree's, from /proc, while py-spy samples it
from outside (in --gil mode: the graphs show Python CPU, not waits).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.rda_load import p99, rda_round, rda_world, tree_cpu_seconds  # noqa: E402
from registry.process import RegistryProcess, fresh_database  # noqa: E402


def main(database: str, out: Path, seconds: float = 8.0, clients: int = 16) -> int:
    folder = Path(tempfile.mkdtemp(prefix="clozapine-profile-"))
    pg_folder = None
    pg_url = None
    try:
        if database == "postgresql":
            pg_folder = Path(tempfile.mkdtemp(prefix="clozapine-profile-pg-"))
            pg_url = subprocess.run(
                [str(ROOT / "scripts" / "postgres"), "start", str(pg_folder)],
                capture_output=True, text=True, check=True,
            ).stdout.strip()  # fmt: skip
        workers = int(os.environ.get("WORKERS", "1" if pg_url is None else "2"))
        with fresh_database(pg_url, folder) as url, RegistryProcess(url, workers=workers) as reg:
            world = rda_world(reg.url, reg.operator_password)
            assert reg.process is not None
            profiling = out.name != "-"  # "-": measure only, no profiler
            spy = None if not profiling else subprocess.Popen(
                ["py-spy", "record", "--pid", str(reg.process.pid), "--subprocesses",
                 "--duration", str(int(seconds)), "--rate", "250", "--nonblocking", "--gil",
                 *(["--format", "raw"] if out.suffix == ".txt" else []),
                 "--output", str(out)],
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            )  # fmt: skip
            time.sleep(1.0)
            cpu = tree_cpu_seconds(reg.process.pid)
            latencies, elapsed = rda_round([reg.url], world, clients, 1600 // clients)
            cpu = tree_cpu_seconds(reg.process.pid) - cpu
            if spy is not None:
                spy.wait(timeout=seconds + 60)
            print(
                f"{len(latencies)} RDAs in {elapsed:.1f} s, p99 {p99(latencies):.0f} ms, "
                f"{cpu / len(latencies) * 1000:.2f} ms of the registry's CPU each"
            )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        if pg_folder is not None:
            subprocess.run([str(ROOT / "scripts" / "postgres"), "stop", str(pg_folder)])
            shutil.rmtree(pg_folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    clients = int(sys.argv[3]) if len(sys.argv) > 3 else 16
    sys.exit(main(sys.argv[1], Path(sys.argv[2]), clients=clients))
