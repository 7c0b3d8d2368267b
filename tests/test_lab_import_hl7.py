"""HL7 v2 lab files read into results (lab_import/hl7v2.py), what importing them would do
(app/use_cases/lab_import.py), and `clozapine-desk import --dry-run --json` on the sample
files in tests/lab_samples/, written for these tests (no real patient)."""

from __future__ import annotations

import json
import logging
from datetime import date
from pathlib import Path

import pytest

from app.anc import Anc
from app.records import AncReport
from app.statuses import AncSource
from app.use_cases.lab_import import Action, plan_import
from lab_import.hl7v2 import NotHl7, read_hl7
from tests.test_cli import desk
from tests.test_lab_results import patient

SAMPLES = Path(__file__).parent / "lab_samples"
SIX = SAMPLES / "oru-six-results.hl7"
CORRECTED = SAMPLES / "oru-preliminary-then-corrected.mllp"


def test_each_obx_of_each_message_is_a_result_with_its_patient_and_draw() -> None:
    results = read_hl7(SIX.read_bytes(), SIX.name)
    assert len(results) == 6  # the Z-segment of message 1 is passed over
    first = results[0]
    assert (first.patient_name, first.dob, first.mrn) == (
        "MARÍA JOSÉ NÚÑEZ-ÖLÇER",
        date(1979, 4, 12),
        "A1001",
    )
    assert (first.code, first.value, first.unit, first.status) == ("751-8", "2.6", "10*3/uL", "F")
    assert first.collected == date(2026, 11, 30) and first.accession == "ACC-1001"
    assert first.source == "oru-six-results.hl7, message 1, OBX 1"
    # v2.3, no OBX-14: the draw date is the order's (OBR-7); the escaped ^ is a ^ again.
    assert results[1].collected == date(2026, 11, 30) and results[1].unit == "x10^9/L"


def test_mllp_frames_lf_line_ends_escapes_and_repeated_obx() -> None:
    framed = read_hl7(CORRECTED.read_bytes(), CORRECTED.name)
    assert [r.status for r in framed] == ["P", "P", "F", "C"]
    assert framed[2].value.startswith("Smear reviewed & confirmed")
    unix = read_hl7(SIX.read_bytes().replace(b"\r", b"\n"), "unix.hl7")
    assert [r.value for r in unix] == [r.value for r in read_hl7(SIX.read_bytes(), "x")]
    with pytest.raises(NotHl7, match="no MSH segment"):
        read_hl7(b"name,dob,anc\nMaria,1980-01-01,1500\n", "export.csv")


def test_the_six_results_four_recorded_one_refused_for_its_unit_one_for_a_person() -> None:
    results = read_hl7(SIX.read_bytes(), SIX.name)
    ours = [
        patient("p-nunez", "María José Núñez-Ölçer", date(1979, 4, 12)),
        patient("p-oconnor", "James O'Connor", date(1990, 9, 30)),
        patient("p-bello", "Aisha Bello", date(1985, 1, 22)),
        patient("p-kowalski", "Tomasz Kowalski", date(1972, 6, 3)),
        patient("p-tran", "Linh Tran", date(1968, 11, 15)),
    ]
    rows = plan_import(results, ours, lambda _: [])
    assert [r.action for r in rows] == [Action.RECORD] * 4 + [Action.REFUSE, Action.CHOOSE_PATIENT]
    assert [r.assessment.anc for r in rows[:4]] == [Anc(2600), Anc(1400), Anc(900), Anc(1100)]
    assert "g/L" in rows[4].reason and "No patient" in rows[5].reason


def test_a_result_already_recorded_or_twice_in_the_import_is_skipped() -> None:
    results = read_hl7(SIX.read_bytes(), SIX.name)[:1] * 2
    nunez = patient("p-nunez", "María José Núñez-Ölçer", date(1979, 4, 12))
    assert [r.action for r in plan_import(results, [nunez], lambda _: [])] == [
        Action.RECORD, Action.DUPLICATE,
    ]  # fmt: skip
    drawn = date(2026, 11, 30)
    typed = [AncReport("p-nunez", Anc(2600), drawn, drawn, AncSource.ADD_ANC, "dr-kim")]
    assert plan_import(results[:1], [nunez], lambda _: typed)[0].action is Action.DUPLICATE


def test_the_dry_run_prints_each_result_in_cells_per_ul_and_records_nothing() -> None:
    out = desk("import", "--dry-run", "--json", str(SIX), str(CORRECTED))
    assert out.returncode == 0, out.stderr
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert [(r["patient_id"], r["value_per_ul"], r["action"]) for r in rows] == [
        ("p-nunez", 2600, "record"),
        ("p-oconnor", 1400, "record"),
        ("p-bello", 900, "record"),
        ("p-kowalski", 1100, "record"),
        (None, None, "refuse"),  # g/L
        (None, 3100, "choose patient"),  # nobody here is John Smith born 1970-01-01
        ("p-adeyemi", 1200, "hold"),  # preliminary
        (None, None, "refuse"),  # a neutrophil %
        (None, None, "refuse"),  # a comment
        ("p-adeyemi", 1300, "record"),  # the corrected result
    ]
    assert rows[0]["as_sent"] == {"value": "2.6", "unit": "10*3/uL"}
    assert "demo clinic's invented patients" in out.stderr
    refused = desk("import", str(SIX))  # recording needs the person who accepts
    assert refused.returncode == 2 and "give --email" in refused.stderr


def test_a_lab_s_own_encoding_characters_are_read_from_its_msh() -> None:
    # $ components, % repetitions, * escape, @ subcomponents: the first name and MRN are
    # the ones read, and *E* is the escape character itself (10*3/uL).
    sample = SAMPLES / "oru-other-encoding-characters.hl7"
    [result] = read_hl7(sample.read_bytes(), sample.name)
    assert (result.patient_name, result.dob, result.mrn) == ("GRACE KIM", date(1941, 3, 27), "K77")
    assert (result.value, result.unit, result.lab) == ("1.8", "10*3/uL", "ACME")
    grace = patient("p-kim", "Grace Kim", date(1941, 3, 27))
    [row] = plan_import([result], [grace], lambda _: [])
    assert row.action is Action.RECORD and row.assessment.anc == Anc(1800)


def test_a_malformed_escape_never_puts_the_patient_in_a_log(
    caplog: pytest.LogCaptureFixture,
) -> None:
    message = (
        b"MSH|^~\\&|ACMELAB|ACME|DESK|OKAFOR|20261130||ORU^R01|M9|P|2.5.1\r"
        b"PID|1||A9||QUIXWRIGHT\\Q\\CANARY^ZEB||19610417\r"
        b"OBX|1|NM|751-8^ANC^LN||1.5|10*3/uL|||||F|||20261130\r"
    )
    with caplog.at_level(logging.DEBUG):
        [result] = read_hl7(message, "broken-escape.hl7")
    assert "QUIXWRIGHT" in result.patient_name  # read, the bad escape left out
    assert "QUIXWRIGHT" not in caplog.text and "CANARY" not in caplog.text
