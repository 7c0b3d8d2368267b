"""Lab results exported as CSV (a lab portal's download, a spreadsheet saved as CSV), read
with a column mapping chosen once per lab by a person: which column is the patient, the
date of birth, the test, the value, the unit, the draw date. Nothing is guessed per file or
per row: the date format is part of the mapping (03/04/2026 is March or April only by the
lab's convention), and a cell that does not fit it reads as no date, for `assess` and
`match_patient` to refuse or hold with the reason. Each row becomes a `LabResult` as
lab_import/hl7v2.py makes them. The file is read in memory, never copied."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType

from app.lab_results import LabResult

MAPPING_FORMAT = "lab-csv-mapping/1"

# Our fields, in the words of the mapping screen. A name is one column ("Last, First" or
# "First Last": name matching ignores order and commas) or two (first and last).
FIELDS: Mapping[str, str] = {
    "patient": "Patient name",
    "first_name": "First name",
    "last_name": "Last name",
    "dob": "Date of birth",
    "mrn": "MRN",
    "test": "Test code",
    "value": "Value",
    "unit": "Unit",
    "collected": "Collection date",
    "collected_time": "Collection time",
    "status": "Result status",
    "accession": "Accession",
}

# The date formats a person chooses from, in the words on a lab report, and how each is
# read: the order of day, month and year, the separator, and the year's digits. Months and
# days may drop their leading zero (3/4/2026); the year's digits are as the format says.
DATE_FORMATS: Mapping[str, tuple[str, str, int]] = {
    "MM/DD/YYYY": ("mdy", "/", 4),
    "DD/MM/YYYY": ("dmy", "/", 4),
    "YYYY-MM-DD": ("ymd", "-", 4),
    "M/D/YY": ("mdy", "/", 2),
    "D/M/YY": ("dmy", "/", 2),
    "DD.MM.YYYY": ("dmy", ".", 4),
    "MM-DD-YYYY": ("mdy", "-", 4),
    "YYYYMMDD": ("ymd", "", 4),
}
DATE_EXAMPLES: Mapping[str, str] = {
    "MM/DD/YYYY": "11/30/2026",
    "DD/MM/YYYY": "30/11/2026",
    "YYYY-MM-DD": "2026-11-30",
    "M/D/YY": "11/30/26",
    "D/M/YY": "30/11/26",
    "DD.MM.YYYY": "30.11.2026",
    "MM-DD-YYYY": "11-30-2026",
    "YYYYMMDD": "20261130",
}

_DELIMITERS = (",", ";", "\t")
_ZIP, _OLE = b"PK\x03\x04", b"\xd0\xcf\x11\xe0"  # an .xlsx workbook, an old .xls one


class NotCsv(ValueError):
    """The file is not a CSV export with a header row: binary, one column, or no header."""


class CsvMappingMismatch(ValueError):
    """The file lacks columns the lab's saved mapping names: the export changed."""


class IncompleteMapping(ValueError):
    """A mapping that does not say where a required field is."""


@dataclass(frozen=True)
class CsvMapping:
    """Where a lab's CSV export keeps each field: `columns` maps our field (a key of
    `FIELDS`) to the file's header name. Required: the patient's name (one column, or first
    and last), the date of birth, the value, the collection date, and `date_format` (a key
    of `DATE_FORMATS`, used for every date of the file). The test is a column, or fixed by
    `test_code` when the export has one test only; the unit likewise, a column or a fixed
    `unit` chosen by a person. Optional: MRN, collection time, accession, result status.
    Without a status column, every row is taken as a final result: choose the column when
    the export has one, or a preliminary result would be recorded as final.

    Two-digit years (M/D/YY, D/M/YY): a date of birth is 20YY unless that day is still to
    come, then 19YY (02/01/41 is 1941); a collection date is always 20YY. The collection
    time (a column of its own, or after the date in the date column) is read past: a
    `LabResult` carries the draw's date, which is the ANC's date. A mapping holds column
    names and formats only, never a value from a file."""

    lab: str  # the lab's name as a person types it: "Quest export"
    columns: Mapping[str, str]
    date_format: str
    test_code: str = ""  # when the file has no test column: every row is this test
    unit: str = ""  # when the file has no unit column: every row's unit, chosen by a person

    def __post_init__(self) -> None:
        object.__setattr__(self, "columns", MappingProxyType(dict(self.columns)))
        problems = mapping_problems(
            self.lab, self.columns, self.date_format, self.test_code, self.unit
        )
        if problems:
            raise IncompleteMapping(" ".join(problems))

    def to_json(self) -> dict[str, object]:
        return {
            "format": MAPPING_FORMAT,
            "lab": self.lab,
            "columns": dict(self.columns),
            "date_format": self.date_format,
            "test_code": self.test_code,
            "unit": self.unit,
        }

    @classmethod
    def from_json(cls, raw: Mapping[str, object]) -> CsvMapping:
        """A mapping saved by `to_json`; any other format (a newer desk's, a damaged one) is
        refused: the columns are then chosen again, never half-read."""
        kind = raw.get("format")
        if kind != MAPPING_FORMAT:
            raise IncompleteMapping(
                f"This lab's column mapping is in the format {kind!r}, which this version "
                f"of the desk does not read (it reads {MAPPING_FORMAT!r}): choose the "
                "columns again."
            )
        columns = raw.get("columns")
        texts = {k: raw.get(k, "") for k in ("lab", "date_format", "test_code", "unit")}
        if not isinstance(columns, Mapping) or not all(
            isinstance(v, str) for v in (*texts.values(), *columns.keys(), *columns.values())
        ):
            raise IncompleteMapping(
                "This lab's column mapping is damaged: choose the columns again."
            )
        return cls(
            lab=str(texts["lab"]),
            columns={str(k): str(v) for k, v in columns.items()},
            date_format=str(texts["date_format"]),
            test_code=str(texts["test_code"]),
            unit=str(texts["unit"]),
        )


def mapping_problems(
    lab: str, columns: Mapping[str, str], date_format: str, test_code: str = "", unit: str = ""
) -> list[str]:
    """What a mapping still lacks, in words for the mapping screen; [] when it is complete."""
    chosen = {k for k, v in columns.items() if v.strip()}
    problems = []
    unknown = sorted(set(columns) - set(FIELDS))
    if unknown:
        problems.append(f"Unknown fields {', '.join(unknown)}.")
    if not lab.strip():
        problems.append("Name the lab.")
    two = {"first_name", "last_name"} & chosen
    if "patient" in chosen and two:
        problems.append("Choose the patient's name as one column, or as first and last, not both.")
    elif "patient" not in chosen and len(two) < 2:
        problems.append("Choose the patient's name column (or its first and last name columns).")
    for key in ("dob", "value", "collected"):
        if key not in chosen:
            problems.append(f"Choose the {FIELDS[key].lower()} column.")
    if ("test" in chosen) == bool(test_code.strip()):
        problems.append("Choose the test code column, or type the one test the file holds.")
    if ("unit" in chosen) == bool(unit.strip()):
        problems.append("Choose the unit column, or the one unit the file's values are in.")
    if date_format not in DATE_FORMATS:
        problems.append("Choose the date format the lab writes dates in.")
    return problems


def read_date(text: str, date_format: str, *, born: bool = False, today: date) -> date | None:
    """A cell in the lab's date format, or None when it does not fit it (never re-read in
    another format). A time after the date ("11/30/2026 08:15", "2026-11-30T08:15") is read
    past. `born`: a date of birth, whose two-digit year is 19YY if 20YY is still to come."""
    order, separator, year_digits = DATE_FORMATS[date_format]
    cell = text.strip()
    day_part = re.split(r"[T\s]", cell, maxsplit=1)[0] if cell else ""
    if separator:
        pieces = day_part.split(separator)
    else:
        pieces = [day_part[:4], day_part[4:6], day_part[6:]] if len(day_part) == 8 else []
    if len(pieces) != 3 or not all(p.isascii() and p.isdigit() for p in pieces):
        return None
    parts = dict(zip(order, pieces, strict=True))
    if len(parts["y"]) != year_digits or len(parts["m"]) > 2 or len(parts["d"]) > 2:
        return None
    year, month, day = int(parts["y"]), int(parts["m"]), int(parts["d"])
    try:
        if year_digits == 2:
            found = date(2000 + year, month, day)
            return found.replace(year=1900 + year) if born and found > today else found
        return date(year, month, day)
    except ValueError:  # 02/30, 13/02 read as MM/DD, and 02/29 of a year without one
        return None


def decode(data: bytes) -> str:
    """The file's text. A UTF-8 or UTF-16 byte order mark says which; without one, UTF-8 if
    every byte reads as UTF-8, else Windows-1252 (Excel's "CSV" on Windows in the US and
    western Europe). A file with NUL bytes is binary, not a CSV."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode text"
        return data.decode("utf-16", errors="replace")
    if data.startswith((_ZIP, _OLE)):
        raise NotCsv(
            "This is an Excel workbook, not a CSV file. Open it in Excel and save it as "
            '"CSV UTF-8 (Comma delimited)", then import that file.'
        )
    if b"\x00" in data[:4096]:
        raise NotCsv(
            "This file is not text (it holds binary data). Export the results from the lab "
            "portal as CSV, then import that file."
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _rows(data: bytes) -> list[tuple[int, list[str]]]:
    """Each record of the file with the line it starts on (1-based, as a spreadsheet
    numbers them), blank ones left out; the first is the header."""
    text = decode(data)
    header_line = next((line for line in text.splitlines() if line.strip()), "")
    if not header_line:
        raise NotCsv("The file is empty. Export the results from the lab portal as CSV.")
    delimiter = max(_DELIMITERS, key=lambda d: len(next(csv.reader([header_line], delimiter=d))))
    if len(next(csv.reader([header_line], delimiter=delimiter))) < 2:
        raise NotCsv(
            "The file's first line is one column only: it is not a CSV export with a header "
            "row (columns separated by commas, semicolons or tabs). Export the results as CSV "
            "with column names."
        )
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows, last_line = [], 0
    try:
        for record in reader:
            start, last_line = last_line + 1, reader.line_num
            if any(cell.strip() for cell in record):  # ",,,," is Excel's blank row
                rows.append((start, [cell.strip() for cell in record]))
    except csv.Error as error:  # a cell over the csv module's limit, a stray quote and NUL
        raise NotCsv(
            f"Line {reader.line_num} cannot be read as CSV ({error}). Export the results "
            "from the lab portal again as CSV."
        ) from error
    _require_header(rows[0][1])
    return rows


def _require_header(header: Sequence[str]) -> None:
    # A number or a date where a column name should be. The value itself is not repeated
    # in the message: it may be a patient's date of birth, and messages reach logs.
    looks_like_data = [
        n for n, c in enumerate(header, start=1) if c and re.fullmatch(r"[\d\s.,/:+\-]+", c)
    ]
    if looks_like_data:
        raise NotCsv(
            f"The file's first line holds values (column {looks_like_data[0]} is a number or "
            "a date), not column names: a header row is needed. Export the results with "
            "column names."
        )


def headers(data: bytes) -> list[str]:
    """The file's column names, for the mapping screen."""
    return _rows(data)[0][1]


def first_rows(data: bytes, count: int = 3) -> list[list[str]]:
    """The first rows after the header, for the mapping screen's preview (in memory only)."""
    return [cells for _, cells in _rows(data)[1 : count + 1]]


def header_fingerprint(names: Iterable[str]) -> str:
    """The same lab export's column names, whatever their case or spacing, give the same
    fingerprint (order kept): its saved mapping is found again."""
    joined = "\x1f".join(name.strip().casefold() for name in names)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()


def read_csv(
    data: bytes, source: str, mapping: CsvMapping, *, today: date | None = None
) -> list[LabResult]:
    """Every row of the file as a result; `source` names the file. `today` decides a
    two-digit year of birth (the clinic's today by default)."""
    rows = _rows(data)
    header = rows[0][1]
    where = _columns(header, mapping)
    day = today or date.today()
    results = []
    for line, cells in rows[1:]:

        def cell(key: str, cells: list[str] = cells) -> str:
            index = where.get(key)
            return cells[index] if index is not None and index < len(cells) else ""

        name = cell("patient") or f"{cell('first_name')} {cell('last_name')}".strip()
        results.append(
            LabResult(
                patient_name=name,
                dob=read_date(cell("dob"), mapping.date_format, born=True, today=day),
                code=cell("test") if "test" in where else mapping.test_code.strip(),
                value=cell("value"),
                unit=cell("unit") if "unit" in where else mapping.unit.strip(),
                collected=read_date(cell("collected"), mapping.date_format, today=day),
                status=cell("status") if "status" in where else "final",
                source=f"{source}, line {line}",
                mrn=cell("mrn"),
                accession=cell("accession"),
                lab=mapping.lab,
            )
        )
    return results


def _columns(header: Sequence[str], mapping: CsvMapping) -> dict[str, int]:
    """Where each mapped field is in this file; the columns it lacks are refused together."""
    positions: dict[str, list[int]] = {}
    for index, name in enumerate(header):
        positions.setdefault(name.strip().casefold(), []).append(index)
    chosen = {k: v for k, v in mapping.columns.items() if v.strip()}
    missing = [v for v in chosen.values() if v.strip().casefold() not in positions]
    if missing:
        raise CsvMappingMismatch(
            f"This file has no column {', '.join(repr(m) for m in dict.fromkeys(missing))}, "
            f"which the saved mapping for {mapping.lab!r} reads: the lab's export has "
            "changed. Choose the columns again."
        )
    twice = [v for v in chosen.values() if len(positions[v.strip().casefold()]) > 1]
    if twice:
        raise CsvMappingMismatch(
            f"The column {twice[0]!r} appears more than once in this file, so which one to "
            "read is not clear. Choose the columns again."
        )
    return {k: positions[v.strip().casefold()][0] for k, v in chosen.items()}
