"""The watched folder: where a lab interface (or a person saving exports) drops result files.
The desk looks at it every few seconds while someone is signed in and offers each new file
for review; it never moves, renames or copies the files (they are the lab's and the office's
IT's), and knows the ones reviewed by their content, so a file is offered once.

The folder is read by polling, not by file-system notifications: lab interfaces often
write to network shares, where notifications are not delivered."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from pathlib import Path

from desk.session import Session
from lab_import.files import UnreadableLabFile, read_file

POLL_SECONDS = 10
# A file still being written (the interface copies it in) is left until it has been
# quiet this long, so a half-written message is never reviewed.
SETTLED_SECONDS = 3.0
_NOT_RESULTS = (".tmp", ".part", ".partial", ".crdownload", "~")


@dataclass(frozen=True)
class ArrivedFile:
    path: Path
    digest: str  # the content's SHA-256: the same file renamed is the same file


def _candidates(folder: Path, now: float) -> list[Path]:
    try:
        entries = sorted(folder.iterdir())
    except OSError:
        return []  # gone, or unreachable (a share offline): nothing to offer now
    found = []
    for path in entries:
        if path.name.startswith(".") or path.name.lower().endswith(_NOT_RESULTS):
            continue
        try:
            stat = path.stat()
        except OSError:
            continue
        settled = now - stat.st_mtime >= SETTLED_SECONDS
        if path.is_file() and stat.st_size > 0 and settled:  # a too-large one is refused in words
            found.append(path)
    return found


class LabInbox:
    """One signed-in session's look at the watched folder. Each file's digest is worked out
    once per (size, modified time), not at every look."""

    def __init__(self) -> None:
        self._digests: dict[tuple[Path, int, int], str] = {}

    def _digest(self, path: Path) -> str | None:
        try:
            stat = path.stat()
            key = (path, stat.st_size, stat.st_mtime_ns)
            if key not in self._digests:
                try:
                    self._digests[key] = hashlib.sha256(read_file(path)).hexdigest()
                except UnreadableLabFile:
                    # Offered all the same (its review says why it cannot be read), once.
                    marker = f"unreadable:{path.name}:{stat.st_size}:{stat.st_mtime_ns}"
                    self._digests[key] = hashlib.sha256(marker.encode()).hexdigest()
            return self._digests[key]
        except OSError:
            return None

    def arrived(self, session: Session, now: float | None = None) -> list[ArrivedFile]:
        """The watched folder's files not reviewed yet, by name ([] when no folder is
        watched). Runs on the store thread."""
        folder = session.lab_inbox_folder()
        if not folder:
            return []
        files = []
        for path in _candidates(Path(folder), time.time() if now is None else now):
            digest = self._digest(path)
            if digest is not None:
                files.append(ArrivedFile(path, digest))
        seen = session.lab_files_reviewed([f.digest for f in files])
        return [f for f in files if f.digest not in seen]
