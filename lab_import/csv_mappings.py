"""The column mappings a person chose for each lab's CSV export, kept in one JSON file and
found again by the export's header fingerprint, so the columns are chosen once per lab.

A mapping holds the lab's name, column names and formats only, never a value from a file
(no patient, no result): the file needs no encryption, and is still private to the user
(mode 0600). It is written whole, through a temporary file in the same folder, so a crash
leaves the old file or the new one, never half of one. A damaged file (not JSON, not this
format) is not fatal: it is ignored, nothing is found in it, and the next `save` rewrites it
with the new mapping only (the person chooses the other labs' columns again)."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path

from lab_import.csv_results import CsvMapping, IncompleteMapping

FILE_FORMAT = "lab-csv-mappings/1"


class SavedMappings:
    def __init__(self, path: Path) -> None:
        self.path = path

    def find(self, fingerprint: str) -> CsvMapping | None:
        """The mapping saved for exports with this header fingerprint, or None (none saved,
        or the file or the entry is damaged)."""
        raw = self._entries().get(fingerprint)
        if not isinstance(raw, dict):
            return None
        try:
            return CsvMapping.from_json(raw)
        except IncompleteMapping:
            return None

    def save(self, fingerprint: str, mapping: CsvMapping) -> None:
        entries = self._entries()
        entries[fingerprint] = mapping.to_json()
        self._write({"format": FILE_FORMAT, "mappings": entries})

    def _entries(self) -> dict[str, object]:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):  # none yet, unreadable, or not JSON: ignored
            return {}
        if not isinstance(raw, dict) or raw.get("format") != FILE_FORMAT:
            return {}
        entries = raw.get("mappings")
        return dict(entries) if isinstance(entries, dict) else {}

    def _write(self, content: dict[str, object]) -> None:
        folder = self.path.parent
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(
            dir=folder, prefix=f".{self.path.name}.", suffix=".tmp"
        )
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                os.chmod(temporary, 0o600)  # mkstemp's mode already; said, not assumed
                json.dump(content, out, ensure_ascii=False, indent=2, sort_keys=True)
                out.write("\n")
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
        _sync_folder(folder)


def _sync_folder(folder: Path) -> None:
    """The rename itself made durable (POSIX); Windows has no directory handles to sync."""
    if os.name != "posix":
        return
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
