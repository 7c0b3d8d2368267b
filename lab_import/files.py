"""Which kind of lab file this is (HL7 v2, FHIR JSON, CSV), told from its content, not its
name (labs save HL7 as .txt, .dat or .hl7), and its results read by that kind's parser.
A CSV needs its lab's column mapping, chosen once by a person: without one, `NeedsMapping`
carries the file's headers to the screen that asks."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

from app.lab_results import LabResult

# A lab export of a few thousand results is a few MB; anything far larger is not one, and
# is refused before it is parsed (it would be held in memory whole).
MAX_FILE_BYTES = 64 * 1024 * 1024


class LabFileKind(StrEnum):
    HL7 = "HL7 v2"
    FHIR = "FHIR"
    CSV = "CSV"


class UnreadableLabFile(ValueError):
    """The file is none of the kinds read here, or is damaged: the message says what to do."""


class NeedsMapping(Exception):
    """A CSV whose columns this workstation has not been told yet."""

    def __init__(self, headers: list[str], fingerprint: str) -> None:
        super().__init__("Choose which column holds what, once for this lab.")
        self.headers = headers
        self.fingerprint = fingerprint


def kind_of(data: bytes) -> LabFileKind:
    head = data[:4096].lstrip(b"\xef\xbb\xbf\x0b \t\r\n")
    if head.startswith(b"MSH|") or b"\rMSH|" in head or b"\nMSH|" in head:
        return LabFileKind.HL7
    if head.startswith(b"{"):
        return LabFileKind.FHIR
    return LabFileKind.CSV


CsvReader = Callable[[bytes, str], list[LabResult]]


def read_lab_file(data: bytes, name: str, csv_reader: CsvReader | None = None) -> list[LabResult]:
    """The file's results. `csv_reader` reads a CSV with its lab's mapping (the caller finds
    it); without one a CSV raises `UnreadableLabFile`."""
    if len(data) > MAX_FILE_BYTES:
        raise UnreadableLabFile(
            f"{name} is {len(data) // (1024 * 1024)} MB, far larger than a lab export: "
            "check it is the right file."
        )
    if not data.strip():
        raise UnreadableLabFile(f"{name} is empty.")
    kind = kind_of(data)
    if kind is LabFileKind.HL7:
        from lab_import.hl7v2 import NotHl7, read_hl7

        try:
            return read_hl7(data, name)
        except NotHl7 as error:
            raise UnreadableLabFile(f"{name}: {error}") from error
    if kind is LabFileKind.FHIR:
        return _fhir(data, name)
    if csv_reader is None:
        raise UnreadableLabFile(
            f"{name} is not HL7 v2 or FHIR; as a CSV it needs its lab's column mapping."
        )
    return csv_reader(data, name)


def _fhir(data: bytes, name: str) -> list[LabResult]:
    try:
        from lab_import.fhir import NotFhir, read_fhir  # type: ignore[import-not-found, unused-ignore]
    except ImportError:  # pragma: no cover - the FHIR reader lands with this issue
        raise UnreadableLabFile(f"{name}: FHIR files cannot be read yet.") from None
    try:
        return list(read_fhir(data, name))
    except NotFhir as error:
        raise UnreadableLabFile(f"{name}: {error}") from error
