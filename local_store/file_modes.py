"""Keeping the workstation's and the registry's files to the person who runs them.

At start, the desktop app and the registry server call `start_private_process()`: files they
create are readable by their user only (umask 077), and a crash leaves no core dump (a dump
holds the data key and whatever patients were in memory). The app then makes its data
folder private (`make_data_folder_private`): a folder copied in, restored from a backup or
made by an older version may have 0644 files and 0755 folders. A registry's SQLite file is made
private where it is opened (registry.database), wherever `--db` puts it.

On Windows the folder's ACL, not a mode, decides who reads it: modes are left alone there.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from local_store.paths import WORKSTATION_NAME

PRIVATE_FILE = 0o600
PRIVATE_FOLDER = 0o700
PRIVATE_UMASK = 0o077
# SQLite's companions of a database file, which hold its pages too.
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")


def start_private_process() -> None:
    """umask 077 and no core dumps, for this process and the ones it starts."""
    os.umask(PRIVATE_UMASK)
    try:
        import resource
    except ImportError:  # Windows: no core dumps to turn off
        return
    # The hard limit too, so nothing later in the process can turn them back on.
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def make_data_folder_private(folder: Path) -> None:
    """The app's data folder, once it holds a workstation (or a demo's, one level down):
    `--data-dir ~` by mistake must not make every file in a home folder 0600."""
    if not folder.is_dir():
        return
    places = [folder, *(sub for sub in folder.iterdir() if sub.is_dir())]
    if any((place / WORKSTATION_NAME).is_file() for place in places):
        make_folder_private(folder)


def make_folder_private(folder: Path) -> None:
    """Every file under `folder` 0600 and every folder 0700, `folder` included. Symbolic
    links are not followed: what they point at is not this folder's to change."""
    if os.name == "nt" or not folder.is_dir() or folder.is_symlink():
        return
    _set_mode(folder, PRIVATE_FOLDER)
    for parent, folders, files in os.walk(folder):
        for name in folders:
            _set_mode(Path(parent, name), PRIVATE_FOLDER)
        for name in files:
            _set_mode(Path(parent, name), PRIVATE_FILE)


def make_database_private(path: Path) -> None:
    """A SQLite database file and its -wal/-shm/-journal 0600; a missing database is made
    empty with that mode, since SQLite gives its -wal and -shm the database file's mode."""
    if os.name == "nt":
        return
    if not path.exists() and path.parent.is_dir():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, PRIVATE_FILE))
    for file in (path, *(Path(f"{path}{suffix}") for suffix in SQLITE_COMPANIONS)):
        _set_mode(file, PRIVATE_FILE)


def _set_mode(path: Path, mode: int) -> None:
    try:
        current = os.lstat(path).st_mode
    except FileNotFoundError:  # gone meanwhile (SQLite removes its -journal)
        return
    if stat.S_ISLNK(current) or stat.S_IMODE(current) == mode:
        return
    os.chmod(path, mode)
