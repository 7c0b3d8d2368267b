"""CSV lab results read with a lab's column mapping (lab_import/csv_results.py), the mapping
as JSON, and the saved mappings file (lab_import/csv_mappings.py), on the sample exports in
tests/lab_samples/, written for these tests (the demo clinic's invented patients)."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from app.lab_results import assess
from app.use_cases.lab_import import Action, plan_import
from desk.demo.clinic import build_demo_clinic
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
    read_date,
)

SAMPLES = Path(__file__).parent / "lab_samples"
US = SAMPLES / "lab-portal-us-dates.csv"
SEMICOLON = SAMPLES / "lab-semicolon-dd-mm-cp1252.csv"
TODAY = date(2026, 12, 3)

PORTAL = CsvMapping(
    lab="Lab portal export",
    columns={
        "patient": "Patient Name",
        "dob": "DOB",
        "mrn": "MRN",
        "accession": "Accession #",
        "test": "Test Code",
        "value": "Result",
        "unit": "Units",
        "collected": "Collected",
        "status": "Status",
    },
    date_format="MM/DD/YYYY",
)
ONE_TEST = CsvMapping(
    lab="Hospital lab (semicolons)",
    columns={
        "first_name": "First name",
        "last_name": "Last name",
        "dob": "Born",
        "value": "ANC",
        "unit": "Unit",
        "collected": "Sample date",
        "collected_time": "Sample time",
    },
    date_format="DD/MM/YYYY",
    test_code="751-8",
)


def portal_rows() -> list[list[str]]:
    return [row for row in csv.reader(io.StringIO(US.read_text("utf-8"))) if row]


def test_each_row_of_the_portal_export_is_a_result_named_by_its_line() -> None:
    results = read_csv(US.read_bytes(), US.name, PORTAL, today=TODAY)
    assert len(results) == 8  # the blank line 9 is passed over
    first = results[0]
    assert (first.patient_name, first.dob, first.mrn) == (
        "Núñez-Ölçer, María José",  # quoted, with its comma
        date(1979, 4, 12),
        "A1001",
    )
    assert (first.code, first.value, first.unit, first.status) == ("751-8", "2600", "/uL", "Final")
    assert first.collected == date(2026, 11, 30)  # the time after the date is read past
    assert first.accession == "Q-26-5501"
    assert [r.source for r in results] == [
        f"lab-portal-us-dates.csv, line {n}" for n in (2, 3, 4, 5, 6, 7, 8, 10)
    ]
    assert results[4].value == "1,100"  # the quoted thousands comma is one cell


def test_the_portal_export_against_the_demo_clinic_as_the_dry_run_shows_it() -> None:
    clinic = build_demo_clinic(TODAY)
    results = read_csv(US.read_bytes(), US.name, PORTAL, today=TODAY)
    rows = plan_import(results, clinic.ledger.patients(), clinic.ledger.anc_history)
    assert [
        (r.match.patient.id if r.match and r.match.patient else None, r.action) for r in rows
    ] == [
        ("p-nunez", Action.RECORD),
        ("p-oconnor", Action.RECORD),  # 1.4 K/uL
        ("p-bello", Action.RECORD),  # 0.9 x10^9/L
        (None, Action.REFUSE),  # 770-8, a neutrophil %
        ("p-kowalski", Action.HOLD),  # preliminary
        (None, Action.CHOOSE_PATIENT),  # nobody here is John Smith born 01/01/1970
        ("p-tran", Action.RECORD),  # corrected
        ("p-adeyemi", Action.RECORD),
    ]
    per_ul = [r.assessment.anc.per_ul if r.assessment.anc else None for r in rows]
    assert per_ul == [2600, 1400, 900, None, 1100, 3100, 1900, 1300]
    assert "percentage" in rows[3].reason


def test_the_date_format_is_the_labs_never_guessed_from_the_rows() -> None:
    data = SEMICOLON.read_bytes()  # semicolons, DD/MM/YYYY, saved by Excel on Windows
    right = read_csv(data, SEMICOLON.name, ONE_TEST, today=TODAY)
    assert [(r.patient_name, r.dob, r.collected) for r in right] == [
        ("Tomasz Kowalski", date(1972, 6, 3), date(2026, 12, 1)),
        ("María José Núñez-Ölçer", date(1979, 4, 12), date(2026, 11, 13)),  # cp1252 read
        ("Grace Kim", date(1941, 3, 27), date(2026, 11, 30)),
    ]
    assert {(r.code, r.status) for r in right} == {("751-8", "final")}  # fixed; no status
    wrong = read_csv(data, SEMICOLON.name, replace(ONE_TEST, date_format="MM/DD/YYYY"))
    # 03/06 is read as March 6 (as the lab's format would say), 13/11 is no date at all
    assert [(r.dob, r.collected) for r in wrong] == [
        (date(1972, 3, 6), date(2026, 1, 12)),
        (date(1979, 12, 4), None),
        (None, None),
    ]
    assert "no collection date" in assess(wrong[1]).reason
    clinic = build_demo_clinic(TODAY)
    rows = plan_import(wrong, clinic.ledger.patients(), clinic.ledger.anc_history)
    assert [r.action for r in rows] == [Action.CHOOSE_PATIENT, Action.REFUSE, Action.REFUSE]
    # a decimal comma is never read as a number (1,8 is not 18)
    assert assess(right[2]).anc is None and "not a number" in assess(right[2]).reason


def test_two_digit_years_a_birth_is_never_in_the_future_a_draw_is_always_20yy() -> None:
    assert read_date("3/27/41", "M/D/YY", born=True, today=TODAY) == date(1941, 3, 27)
    assert read_date("12/1/01", "M/D/YY", born=True, today=TODAY) == date(2001, 12, 1)
    assert read_date("12/3/26", "M/D/YY", born=True, today=TODAY) == date(2026, 12, 3)
    assert read_date("12/4/26", "M/D/YY", born=True, today=TODAY) == date(1926, 12, 4)
    assert read_date("3/27/41", "M/D/YY", today=TODAY) == date(2041, 3, 27)
    assert read_date("27/3/41", "D/M/YY", born=True, today=TODAY) == date(1941, 3, 27)
    # the year's digits are the format's: a four-digit year is not a YY one, nor the reverse
    assert read_date("03/27/1941", "M/D/YY", today=TODAY) is None
    assert read_date("3/27/41", "MM/DD/YYYY", today=TODAY) is None
    assert read_date("2026-11-30T08:15:00", "YYYY-MM-DD", today=TODAY) == date(2026, 11, 30)
    assert read_date("20261130", "YYYYMMDD", today=TODAY) == date(2026, 11, 30)
    assert read_date("02/29/2026", "MM/DD/YYYY", today=TODAY) is None
    assert read_date("", "MM/DD/YYYY", today=TODAY) is None


def test_bom_tabs_and_lone_cr_line_ends_read_the_same() -> None:
    text = US.read_text("utf-8")
    expected = read_csv(US.read_bytes(), "x", PORTAL, today=TODAY)
    tabbed = io.StringIO()
    csv.writer(tabbed, delimiter="\t", lineterminator="\r").writerows(csv.reader(io.StringIO(text)))
    for data in (
        b"\xef\xbb\xbf" + US.read_bytes(),
        tabbed.getvalue().encode("utf-8"),
        text.encode("utf-16"),  # Excel's "Unicode text"
    ):
        read = read_csv(data, "x", PORTAL, today=TODAY)
        assert [(r.patient_name, r.value, r.dob) for r in read] == [
            (r.patient_name, r.value, r.dob) for r in expected
        ]
    assert headers(b"\xef\xbb\xbf" + US.read_bytes())[0] == "Patient Name"  # no BOM in it
    excel_blanks = US.read_bytes().replace(b"\r\n\r\n", b"\r\n,,,,,,,,,\r\n")
    assert [r.source for r in read_csv(excel_blanks, "x", PORTAL)][-2:] == [
        "x, line 8", "x, line 10",
    ]  # fmt: skip


def test_a_quoted_cell_across_lines_keeps_the_next_rows_line_numbers() -> None:
    data = (
        b"Name,DOB,Result,Units,Collected\n"
        b'"Bello, Aisha",01/22/1985,0.9,K/uL,12/01/2026\n'
        b'"Kim,\nGrace",03/27/1941,1.8,K/uL,12/01/2026\n'
        b'"Tran, Linh",11/15/1968,1.9,K/uL,12/02/2026\n'
    )
    mapping = CsvMapping(
        "x", {"patient": "Name", "dob": "DOB", "value": "Result", "unit": "Units",
              "collected": "Collected"}, "MM/DD/YYYY", test_code="751-8",
    )  # fmt: skip
    assert [r.source for r in read_csv(data, "f.csv", mapping)] == [
        "f.csv, line 2", "f.csv, line 3", "f.csv, line 5",
    ]  # fmt: skip


def test_a_changed_export_is_refused_naming_the_columns_it_lacks() -> None:
    renamed = US.read_bytes().replace(b"Units,Collected", b"Unit of measure,Drawn")
    with pytest.raises(CsvMappingMismatch) as refused:
        read_csv(renamed, "x", PORTAL)
    assert "'Units', 'Collected'" in str(refused.value)
    assert "Choose the columns again" in str(refused.value)
    # the same names in another case or with spaces are the same columns
    shouting = US.read_bytes().replace(b"Patient Name,DOB", b" PATIENT NAME , dob")
    assert len(read_csv(shouting, "x", PORTAL)) == 8


def test_what_is_not_a_csv_export_is_refused_with_what_to_do() -> None:
    cases = {
        b"PK\x03\x04\x14\x00\x06\x00": "Excel workbook",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR": "not text",
        b"Just one column\nMaria\nJames\n": "one column only",
        b"Maria Nunez,04/12/1979,2600,/uL\n": "column 2 is a number or a date",
        b"\n\n": "empty",
    }
    for data, words in cases.items():
        with pytest.raises(NotCsv, match=words):
            headers(data)
    with pytest.raises(NotCsv) as refused:
        headers(b"Maria Nunez,04/12/1979,2600,/uL\n")
    assert "1979" not in str(refused.value)  # a date of birth is not repeated to a log


def test_headers_first_rows_and_the_fingerprint_of_an_export() -> None:
    names = headers(US.read_bytes())
    assert names[:3] == ["Patient Name", "DOB", "MRN"]
    assert first_rows(US.read_bytes())[0][0] == "Núñez-Ölçer, María José"
    assert len(first_rows(US.read_bytes())) == 3
    same = header_fingerprint([f" {n.upper()} " for n in names])
    assert header_fingerprint(names) == same
    assert len(same) == 64 and int(same, 16) >= 0  # a sha256 in hex
    assert header_fingerprint(list(reversed(names))) != same  # the order is kept
    assert header_fingerprint(headers(SEMICOLON.read_bytes())) != same


def test_a_mapping_is_plain_versioned_json_and_an_unknown_format_is_refused() -> None:
    raw = json.loads(json.dumps(ONE_TEST.to_json()))
    assert raw["format"] == "lab-csv-mapping/1"
    assert CsvMapping.from_json(raw) == ONE_TEST
    with pytest.raises(IncompleteMapping, match=r"lab-csv-mapping/2.*choose the columns again"):
        CsvMapping.from_json({**raw, "format": "lab-csv-mapping/2"})
    with pytest.raises(IncompleteMapping, match="damaged"):
        CsvMapping.from_json({**raw, "columns": ["DOB"]})


def test_an_incomplete_mapping_says_what_is_missing() -> None:
    with pytest.raises(IncompleteMapping) as refused:
        CsvMapping("", {"first_name": "First"}, "03/04/2026")
    words = str(refused.value)
    for missing in ("Name the lab", "first and last", "date of birth", "value", "unit",
                    "test code", "collection date", "date format"):  # fmt: skip
        assert missing in words
    with pytest.raises(IncompleteMapping, match="unit column, or the one unit"):
        replace(PORTAL, unit="K/uL")  # a column and a fixed unit: which one?


def test_saved_mappings_are_found_by_fingerprint_written_whole_and_private(
    tmp_path: Path,
) -> None:
    path = tmp_path / "lab-csv-mappings.json"
    saved = SavedMappings(path)
    us, semicolon = header_fingerprint(headers(US.read_bytes())), "f" * 64
    assert saved.find(us) is None  # no file yet
    saved.save(us, PORTAL)
    saved.save(semicolon, ONE_TEST)
    again = SavedMappings(path)
    assert (again.find(us), again.find(semicolon)) == (PORTAL, ONE_TEST)
    assert os.listdir(tmp_path) == ["lab-csv-mappings.json"]  # no temporary file left
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_saved_mapping_holds_no_value_of_the_file(tmp_path: Path) -> None:
    path = tmp_path / "mappings.json"
    SavedMappings(path).save(header_fingerprint(headers(US.read_bytes())), PORTAL)
    # the keys are sha256s of the column names: only what they map to is searched
    mappings = json.loads(path.read_text("utf-8"))["mappings"].values()
    written = json.dumps(list(mappings), ensure_ascii=False)
    header, *rows = portal_rows()
    phi = {header.index(n) for n in ("Patient Name", "DOB", "MRN", "Accession #", "Result",
                                     "Collected")}  # fmt: skip
    for row in rows:
        for index in phi:
            assert not row[index] or row[index] not in written
    for part in ("Núñez", "Bello", "1979", "2026", "A1001"):
        assert part not in written


def test_a_damaged_mappings_file_is_ignored_and_rewritten(tmp_path: Path) -> None:
    path = tmp_path / "mappings.json"
    path.write_text('{"format": "lab-csv-mappings/1", "mappings": {"ab', encoding="utf-8")
    saved = SavedMappings(path)
    assert saved.find("ab") is None
    saved.save("ab", PORTAL)
    assert saved.find("ab") == PORTAL
    assert json.loads(path.read_text("utf-8"))["format"] == "lab-csv-mappings/1"
    path.write_text('{"format": "lab-csv-mappings/1", "mappings": {"ab": {"lab": 3}}}')
    assert saved.find("ab") is None  # a damaged entry is not found either


def test_a_failed_save_leaves_the_old_file_and_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "mappings.json"
    saved = SavedMappings(path)
    saved.save("ab", PORTAL)
    before = path.read_bytes()

    def crash(*_: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        saved.save("cd", ONE_TEST)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["mappings.json"]
