"""Running the reference registry as its operators do: it says where it serves, a mistyped
database path is caught before it becomes an empty registry, its worker processes end when
their supervisor is killed outright (they would hold the port), and a database it lost is
answered in words."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import requests
from sqlalchemy.exc import DBAPIError, OperationalError

from registry.process import RegistryProcess
from tests.conftest import REPO
from tests.support.processes import all_gone, descendants
from tests.support.registry_world import World, enroll_patients, signed_in


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


def _lost(connection_invalidated: bool) -> DBAPIError:
    """What SQLAlchemy raises for a connection the database ended (invalidated), or for no
    connection to be had at all (a refused connect: no statement)."""
    error = OperationalError(None, None, Exception("server closed the connection"))
    error.connection_invalidated = connection_invalidated
    return error


def test_a_lost_database_is_answered_503_in_words_on_every_way_in(
    world: World, monkeypatch: Any
) -> None:
    """Retries used up (or a COMMIT lost for what must not run twice), and a database that
    cannot be reached (PostgreSQL restarting): 503 DATABASE_INTERRUPTED with Retry-After,
    on FastAPI's routes and on the short way in for a well-formed RDA alike, never a bare
    "Internal Server Error"."""
    from registry.service import Registry

    rx = signed_in(world.url, world.emails["ar_rx_x"])
    (patient,) = enroll_patients(world, 1)
    rda = {
        "pharmacy_id": world.ids["rx_x"],
        "patient_id": patient,
        "prescriber_id": world.ids["dr_a"],
        "name": "Pat 0",  # as enroll_patients names them
        "dob": "1980-01-01",
    }

    def lost_acting(*_: Any, **__: Any) -> Any:
        raise _lost(connection_invalidated=True)

    def unreachable(*_: Any, **__: Any) -> Any:
        raise _lost(connection_invalidated=False)

    monkeypatch.setattr(Registry, "post_queued", lost_acting)
    answer = rx.post("/v1/rda", rda)  # the short way in
    assert (answer.status, answer.error) == (503, "DATABASE_INTERRUPTED"), answer.body
    assert "may or may not have been saved" in answer.body["message"]
    monkeypatch.setattr(Registry, "account_for_token", unreachable)
    me = requests.get(
        world.url + "/v1/me", headers={"Authorization": f"Bearer {rx.access_token}"}, timeout=30
    )
    assert me.status_code == 503 and me.headers["Retry-After"] == "1"
    assert me.json()["error"] == "DATABASE_INTERRUPTED"
    monkeypatch.undo()
    assert rx.post("/v1/rda", rda).status == 200  # back: the RDA is answered as usual
    rx.close()
