"""Which kind of lab file this is (HL7 v2, FHIR JSON, CSV), told from its content, not its
name (labs save HL7 as .txt, .dat or .hl7), and its results read by that kind's parser.
A CSV is read with its lab's column mapping, chosen once by a person and found again by the
file's header row: without one, `NeedsMapping` carries the headers to the screen that asks."""

from __future__ import annotations

import os
import stat
from datetime import date
from enum import StrEnum
from pathlib import Path

from app.lab_results import LabResult
from lab_import.csv_mappings import SavedMappings
from lab_import.csv_results import (
    CsvMapping,
    CsvMappingMismatch,
    IncompleteMapping,
    NotCsv,
    first_rows,
    header_fingerprint,
    headers,
    read_csv,
)
from lab_import.fhir import NotFhir, read_fhir
from lab_import.hl7v2 import NotHl7, read_hl7

# A lab export of a few thousand results is a few MB; anything far larger is not one, and
# is refused before it is parsed (it would be held in memory whole).
MAX_FILE_BYTES = 64 * 1024 * 1024
MAPPINGS_FILE = "lab-csv-mappings.json"  # in the desk's data folder: column names only


def saved_mappings(data_folder: Path) -> SavedMappings:
    return SavedMappings(data_folder / MAPPINGS_FILE)


class LabFileKind(StrEnum):
    HL7 = "HL7 v2"
    FHIR = "FHIR"
    CSV = "CSV"


class UnreadableLabFile(ValueError):
    """The file is none of the kinds read here, or is damaged: the message says what to do."""


class NeedsMapping(Exception):
    """A CSV whose columns this workstation has not been told, or no longer fit the saved
    mapping (`previous`, with `problem` saying which are missing)."""

    def __init__(
        self,
        headers: list[str],
        fingerprint: str,
        rows: list[list[str]],
        previous: CsvMapping | None = None,
        problem: str = "",
    ) -> None:
        super().__init__(problem or "Choose which column holds what, once for this lab.")
        self.headers, self.fingerprint, self.rows = headers, fingerprint, rows
        self.previous, self.problem = previous, problem


_NO_BLOCK = getattr(os, "O_NONBLOCK", 0)  # opening a FIFO waits for a writer without it


def read_file(path: Path) -> bytes:
    """A lab file's bytes: a regular file only (a FIFO or a device, even behind a link,
    would block or never end), at most MAX_FILE_BYTES. Opened without blocking, checked on
    the opened file, so a file swapped after it was looked at is still checked."""
    try:
        handle = os.open(
            path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
        )
    except OSError as error:
        raise UnreadableLabFile(
            f"{path.name} cannot be read ({error.strerror}): check the file is still there."
        ) from error
    with os.fdopen(handle, "rb") as file:
        if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
            raise UnreadableLabFile(f"{path.name} is not a file a lab sends (a device or a pipe).")
        data = file.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise UnreadableLabFile(
            f"{path.name} is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB, far larger than "
            "a lab export: check it is the right file."
        )
    return data


def kind_of(data: bytes) -> LabFileKind:
    head = data[:4096].lstrip(b"\xef\xbb\xbf\x0b \t\r\n")
    if head.startswith(b"MSH|") or b"\rMSH|" in head or b"\nMSH|" in head:
        return LabFileKind.HL7
    if head.startswith((b"{", b"[")):  # a JSON list is refused by the FHIR reader, in words
        return LabFileKind.FHIR
    return LabFileKind.CSV


def read_lab_file(
    data: bytes,
    name: str,
    mappings: SavedMappings | None = None,
    today: date | None = None,
    mapping: CsvMapping | None = None,
) -> list[LabResult]:
    """The file's results. A CSV is read with `mapping` when given (just chosen), else the
    one `mappings` holds for its header row."""
    if len(data) > MAX_FILE_BYTES:
        raise UnreadableLabFile(
            f"{name} is {len(data) // (1024 * 1024)} MB, far larger than a lab export: "
            "check it is the right file."
        )
    if not data.strip():
        raise UnreadableLabFile(f"{name} is empty.")
    kind = kind_of(data)
    try:
        if kind is LabFileKind.HL7:
            return read_hl7(data, name)
        if kind is LabFileKind.FHIR:
            return list(read_fhir(data, name))
        return _csv(data, name, mappings, today, mapping)
    except (NotHl7, NotFhir, NotCsv, IncompleteMapping) as error:
        raise UnreadableLabFile(f"{name}: {error}") from error


def _csv(
    data: bytes,
    name: str,
    mappings: SavedMappings | None,
    today: date | None,
    chosen: CsvMapping | None,
) -> list[LabResult]:
    names = headers(data)
    fingerprint = header_fingerprint(names)
    mapping = chosen or (mappings.find(fingerprint) if mappings is not None else None)
    if mapping is None:
        raise NeedsMapping(names, fingerprint, first_rows(data))
    try:
        return read_csv(data, name, mapping, today=today)
    except CsvMappingMismatch as error:
        raise NeedsMapping(names, fingerprint, first_rows(data), mapping, str(error)) from error
