"""`clozapine-desk import --dry-run --json` on every kind of sample file, as a person at the
command line runs it: FHIR and HL7 read by their content whatever their name, a CSV with the
mapping saved for its lab (and, without one, told how to make one), each result's value in
cells/µL and what would happen. Nothing is recorded (against the demo clinic)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from lab_import.csv_results import header_fingerprint, headers
from lab_import.files import saved_mappings
from tests.test_cli import desk
from tests.test_lab_import_csv import PORTAL

SAMPLES = Path(__file__).parent / "lab_samples"


def rows(*args: str) -> list[dict[str, object]]:
    out = desk("import", "--dry-run", "--json", *args)
    assert out.returncode == 0, out.stderr
    return [json.loads(line) for line in out.stdout.splitlines()]


def test_fhir_results_in_cells_per_ul_whatever_the_file_is_called(tmp_path: Path) -> None:
    renamed = tmp_path / "export.txt"  # an EHR's export, named as it pleased
    shutil.copy(SAMPLES / "fhir-bundle.json", renamed)
    found = rows(str(renamed), str(SAMPLES / "fhir-observation.json"))
    recorded = [(r["patient_id"], r["value_per_ul"]) for r in found if r["action"] == "record"]
    assert recorded == [
        ("p-nunez", 2600),  # 2.60 10*3/uL
        ("p-oconnor", 1400),  # 1.4 10*9/L
        ("p-bello", 900),  # 900 /uL
        ("p-tran", 1800),  # the corrected result
        ("p-kowalski", 1100),  # from a CBC panel's component
        ("p-adeyemi", 1250),  # the lone Observation
    ]
    assert {r["action"] for r in found} == {"record", "refuse", "hold", "choose patient"}


def test_a_csv_is_read_with_its_labs_saved_columns_and_asks_for_them_without(
    tmp_path: Path,
) -> None:
    export = SAMPLES / "lab-portal-us-dates.csv"
    unmapped = desk("import", "--dry-run", "--data-dir", str(tmp_path), str(export))
    assert unmapped.returncode == 1 and "Choose which column holds what" in unmapped.stderr
    assert "File > Import lab results" in unmapped.stderr
    fingerprint = header_fingerprint(headers(export.read_bytes()))
    saved_mappings(tmp_path).save(fingerprint, PORTAL)
    found = rows("--data-dir", str(tmp_path), str(export))
    assert [(r["patient_id"], r["value_per_ul"], r["drawn"]) for r in found[:3]] == [
        ("p-nunez", 2600, "2026-11-30"),  # 11/30/2026, US dates as the mapping says
        ("p-oconnor", 1400, "2026-11-30"),
        ("p-bello", 900, "2026-12-01"),
    ]
    assert found[0]["source"] == "lab-portal-us-dates.csv, line 2"
