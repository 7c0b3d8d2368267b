"""Running the reference registry as its operators do: it says where it serves, a mistyped
database path is caught before it becomes an empty registry, and its worker processes end
when their supervisor is killed outright (they would hold the port)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from registry.process import RegistryProcess
from tests.conftest import REPO
from tests.support.processes import all_gone, descendants


def _desk(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cli.main", *args],
        capture_output=True, text=True, cwd=REPO, input=stdin, timeout=120,
    )  # fmt: skip


def test_compact_refuses_a_database_that_is_not_there(tmp_path: Path) -> None:
    typo = tmp_path / "regsitry.db"
    out = _desk("registry", "compact", "--db", f"sqlite:///{typo}")
    assert out.returncode == 2
    assert f"there is no registry database at {typo}" in out.stderr
    assert "Traceback" not in out.stderr
    assert not typo.exists()  # not made, empty, and "compacted"


def test_create_operator_says_where_and_that_the_database_is_new(tmp_path: Path) -> None:
    db = tmp_path / "registry.db"
    password = "correct horse battery staple 7\n"
    first = _desk("registry", "create-operator", "--email", "cc@example.org", "--db",
                  f"sqlite:///{db}", stdin=password)  # fmt: skip
    assert first.returncode == 0, first.stderr
    assert f"ready in sqlite:///{db} (a new, empty registry database)" in first.stdout
    again = _desk("registry", "create-operator", "--email", "cc2@example.org", "--db",
                  f"sqlite:///{db}", stdin=password)  # fmt: skip
    assert again.returncode == 0, again.stderr
    assert "new, empty" not in again.stdout
    compacted = _desk("registry", "compact", "--db", f"sqlite:///{db}")
    assert compacted.returncode == 0, compacted.stderr


def test_serve_says_where_it_listens_and_its_workers_end_with_their_supervisor(
    tmp_path: Path,
) -> None:
    with RegistryProcess(f"sqlite:///{tmp_path / 'registry.db'}", workers=2) as registry:
        assert registry.process is not None
        supervisor = registry.process.pid
        assert f"registry: serving {registry.url} with 2 worker(s), sqlite:///" in registry.log()
        deadline = time.monotonic() + 30
        workers = descendants(supervisor)
        while len(workers) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
            workers = descendants(supervisor)
        assert len(workers) >= 2
        os.kill(supervisor, signal.SIGKILL)  # as the OOM killer would
        registry.process.wait(timeout=10)
        assert all_gone(workers, 10), "orphaned workers still answer on the registry's port"
