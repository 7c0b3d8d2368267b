"""The app's and the registry's files are their user's alone, and they leave no core dumps:
a started app makes its data folder private (files 0600, folders 0700), a started registry
makes its database 0600 wherever `--db` puts it, and both run with umask 077 and core dumps
off (read from /proc of the started process, not from a function's return)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from local_store.file_modes import make_data_folder_private
from registry.process import RegistryProcess
from tests.conftest import REPO

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


def mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


def umask_of(pid: int) -> str:
    status = Path(f"/proc/{pid}/status").read_text()
    return next(line.split()[1] for line in status.splitlines() if line.startswith("Umask:"))


def core_limits_of(pid: int) -> list[str]:
    limits = Path(f"/proc/{pid}/limits").read_text()
    line = next(line for line in limits.splitlines() if line.startswith("Max core file size"))
    return line.split()[4:6]  # soft, hard


@pytest.fixture(autouse=True)
def core_dumps_allowed() -> Iterator[None]:
    """Children start with core dumps allowed (soft limit = hard), so a 0 they report is
    their own doing, not inherited from this test run."""
    resource = pytest.importorskip("resource")

    before = resource.getrlimit(resource.RLIMIT_CORE)
    resource.setrlimit(resource.RLIMIT_CORE, (before[1], before[1]))
    yield
    resource.setrlimit(resource.RLIMIT_CORE, before)


def an_open_folder(root: Path) -> Path:
    """A data folder as an older version, a copy or a restore leaves it: 0755 and 0644."""
    root.mkdir(mode=0o755)
    root.chmod(0o755)
    (root / "workstation.json").write_text("{}")
    (root / "backups").mkdir()
    (root / "backups").chmod(0o755)
    (root / "backups" / "store-schema3.db").write_bytes(b"copy")
    for file in (root / "workstation.json", root / "backups" / "store-schema3.db"):
        file.chmod(0o644)
    return root


def test_the_data_folder_is_made_private_and_links_out_of_it_are_left_alone(
    tmp_path: Path,
) -> None:
    folder = an_open_folder(tmp_path / "desk")
    elsewhere = tmp_path / "someone-elses.txt"
    elsewhere.write_text("not ours")
    elsewhere.chmod(0o644)
    (folder / "link").symlink_to(elsewhere)
    make_data_folder_private(folder)
    assert mode(folder) == mode(folder / "backups") == 0o700
    assert mode(folder / "workstation.json") == mode(folder / "backups" / "store-schema3.db")
    assert mode(folder / "workstation.json") == 0o600
    assert mode(elsewhere) == 0o644


def test_a_demo_home_is_made_private_but_a_folder_with_no_workstation_is_left_alone(
    tmp_path: Path,
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    an_open_folder(home / "demo")  # `--demo`: the workstation is one level down
    make_data_folder_private(home)
    assert mode(home / "demo" / "workstation.json") == 0o600
    # `--data-dir ~` by mistake: someone's scripts keep their modes.
    mistaken = tmp_path / "someones-home"
    (mistaken / "bin").mkdir(parents=True)
    (mistaken / "bin" / "backup.sh").write_text("#!/bin/sh\n")
    (mistaken / "bin" / "backup.sh").chmod(0o755)
    make_data_folder_private(mistaken)
    assert mode(mistaken / "bin" / "backup.sh") == 0o755


@linux_only
def test_a_started_app_makes_its_folder_private_with_umask_077_and_no_core_dumps(
    tmp_path: Path,
) -> None:
    folder = an_open_folder(tmp_path / "desk")
    app = subprocess.Popen(
        [sys.executable, "-m", "cli.main", "app", "--data-dir", str(folder)],
        cwd=REPO,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while mode(folder / "workstation.json") != 0o600 and time.monotonic() < deadline:
            assert app.poll() is None, app.communicate()[1].decode()[-2000:]
            time.sleep(0.05)
        assert mode(folder) == mode(folder / "backups") == 0o700
        assert mode(folder / "workstation.json") == 0o600
        assert mode(folder / "backups" / "store-schema3.db") == 0o600
        assert umask_of(app.pid) == "0077"
        assert core_limits_of(app.pid) == ["0", "0"]
    finally:
        app.kill()
        app.communicate()


@linux_only
@pytest.mark.parametrize("database", ["made by the registry", "given at 0644"])
def test_a_started_registry_keeps_its_database_private_with_no_core_dumps(
    tmp_path: Path, database: str
) -> None:
    db = tmp_path / "elsewhere" / "registry.db"
    db.parent.mkdir()
    registry = RegistryProcess(f"sqlite:///{db}")  # migrated here, by this process
    if database == "made by the registry":
        db.unlink()
    else:
        db.chmod(0o644)
    with registry:
        assert registry.process is not None
        pid = registry.process.pid
        # Serving, SQLite has its -wal and -shm open beside it: they hold pages too.
        assert [mode(db), mode(Path(f"{db}-wal")), mode(Path(f"{db}-shm"))] == [0o600] * 3
        assert umask_of(pid) == "0077"
        assert core_limits_of(pid) == ["0", "0"]
