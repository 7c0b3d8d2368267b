"""Lab results imported into the real encrypted store (local_store.session): each accepted
row is queued as Add ANC queues one and kept with its specimen, a second import of the same
file or of an ANC already queued records nothing, a corrected result for a specimen imported
before is a correction that names it, a lab's MRN once matched finds its patient again, a
pharmacy cannot import, and a failure mid-import records nothing."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from app.clock import ManualClock
from app.errors import AccessRefused
from app.lab_results import LabResult
from app.use_cases.lab_import import Action
from cli.main import main
from local_store.audit import AuditAction
from local_store.session import Session
from local_store.workstation import Workstation
from tests.conftest import PRESCRIBER_PASSWORD
from tests.support.lab_office import acme_result, office_with, plan, queued_ancs, record

RESULT = acme_result("KOWALSKI^TOMASZ", date(1972, 6, 3), mrn="A77", accession="ACC-77")


@pytest.fixture
def office(prescriber_session: Session, store_clock: ManualClock) -> Session:
    return office_with(
        prescriber_session,
        store_clock,
        [("p-kow", "Tomasz Kowalski", "1972-06-03"), ("p-kim", "Grace Kim", "1941-03-27")],
    )


def import_all(session: Session, *results: LabResult, name: str = "acme.hl7") -> list[str]:
    return record(session, plan(session, *results), name)


def test_an_accepted_row_is_queued_as_add_anc_queues_it_and_audited(office: Session) -> None:
    assert len(import_all(office, RESULT)) == 1
    assert queued_ancs(office) == [
        {"value": 1.9, "as_entered": "1.9", "unit": "10*3/uL", "drawn": "2026-01-14"}
    ]
    entries = [e for e in office.audit.entries() if e.action == AuditAction.IMPORT]
    assert [e.subject for e in entries][-1] == "lab file:acme.hl7"
    assert "1 results: 1 recorded" in entries[-1].detail
    assert "acme.hl7, message 1, OBX 1 (name and date of birth)" in entries[0].detail
    assert office.audit.verify().intact


def test_the_same_file_twice_or_an_anc_already_queued_records_nothing(office: Session) -> None:
    import_all(office, RESULT)
    again = plan(office, RESULT)[0]
    assert again.action is Action.DUPLICATE and "ACC-77 was imported before" in again.reason
    # Without a specimen number: the queued ANC of that draw and value is the duplicate.
    typed = plan(office, replace(RESULT, accession=""))[0]
    assert typed.action is Action.DUPLICATE and "already recorded" in typed.reason
    office.queue_anc("p-kim", "2400", "/uL", "2026-01-14")  # typed by hand, not sent yet
    kim = replace(RESULT, patient_name="Grace Kim", dob=date(1941, 3, 27), value="2.4")
    assert plan(office, replace(kim, accession="", mrn=""))[0].action is Action.DUPLICATE
    assert len(queued_ancs(office)) == 2


def test_a_corrected_result_names_the_one_it_corrects(office: Session) -> None:
    import_all(office, RESULT)
    corrected = replace(RESULT, value="1.2", status="C", source="acme-2.hl7, message 1, OBX 1")
    row = plan(office, corrected)[0]
    assert row.action is Action.CORRECTION
    assert row.reason == (
        "1,200/µL, correcting 1,900/µL of the same specimen (acme.hl7, message 1, OBX 1)"
    )
    office.record_lab_results("acme-2.hl7", [row], [row])
    assert [p["as_entered"] for p in queued_ancs(office)] == ["1.9", "1.2"]
    audit = [e for e in office.audit.entries() if e.action == AuditAction.IMPORT]
    assert "corrects acme.hl7, message 1, OBX 1" in audit[-2].detail
    # The same corrected value sent again is a duplicate, not a second correction.
    assert plan(office, corrected)[0].action is Action.DUPLICATE


def test_a_lab_mrn_once_matched_finds_its_patient_under_another_spelling(office: Session) -> None:
    import_all(office, RESULT)
    renamed = replace(RESULT, patient_name="KOWALSKI-NOWAK^TOMASZ", accession="ACC-78", value="2.0")
    row = plan(office, renamed)[0]
    assert row.action is Action.RECORD and row.patient and row.patient.id == "p-kow"
    assert row.match and row.match.reason == "MRN and date of birth"
    # Another lab's A77 is another number: not matched by it.
    other_lab = plan(office, replace(renamed, lab="OTHERLAB"))[0]
    assert other_lab.action is Action.CHOOSE_PATIENT


def test_a_person_picks_the_patient_of_a_row_that_waits(office: Session) -> None:
    planner = office.lab_import_planner()
    waiting = planner.plan(replace(RESULT, patient_name="T KOWALSKY", mrn="", accession=""))
    assert waiting.action is Action.CHOOSE_PATIENT
    patient = office.ledger.patient("p-kow")
    assert patient is not None
    chosen = planner.choose(waiting, patient)
    assert chosen.action is Action.RECORD and chosen.chosen_by_person
    office.record_lab_results("acme.hl7", [chosen], [chosen])
    audit = [e for e in office.audit.entries() if e.action == AuditAction.IMPORT]
    assert "(chosen by a person)" in audit[0].detail


def test_rows_not_to_record_are_refused_and_a_failure_records_nothing(office: Session) -> None:
    good, percent = plan(office, RESULT, replace(RESULT, code="770-8", accession="ACC-79"))
    assert percent.action is Action.REFUSE
    with pytest.raises(AccessRefused, match="not one to record"):
        office.record_lab_results("acme.hl7", [good, percent], [good, percent])
    assert queued_ancs(office) == []  # all or nothing
    broken = replace(good, match=None)  # no patient: the store refuses before writing
    with pytest.raises(AccessRefused):
        office.record_lab_results("acme.hl7", [good, broken], [good, broken])
    assert queued_ancs(office) == [] and plan(office, RESULT)[0].action is Action.RECORD


def test_a_failure_on_the_second_row_leaves_the_first_unrecorded(
    office: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    from local_store.lab_imports import LabImports

    rows = plan(office, RESULT, replace(RESULT, value="2.2", accession="ACC-80"))
    real_add, calls = LabImports.add, []

    def failing_add(self: LabImports, **fields: object) -> int:
        calls.append(fields)
        if len(calls) == 2:
            raise OSError("disk pulled out")
        return real_add(self, **fields)  # type: ignore[arg-type]

    monkeypatch.setattr(LabImports, "add", failing_add)
    with pytest.raises(OSError):
        office.record_lab_results("acme.hl7", rows, rows)
    assert queued_ancs(office) == []  # the first row's ANC went with the transaction
    assert not [e for e in office.audit.entries() if e.action == AuditAction.IMPORT]


def test_the_command_line_records_what_the_desk_would_and_only_once(
    workstation: Workstation,
    office: Session,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    office.sign_out()
    six = Path(__file__).parent / "lab_samples" / "oru-six-results.hl7"
    args = ["import", str(six), "--email", "a.kim@clinic.example", "--password-stdin"]
    args += ["--data-dir", str(workstation.folder), "--json"]
    for _run in range(2):
        monkeypatch.setattr("sys.stdin", io.StringIO(PRESCRIBER_PASSWORD + "\n"))
        assert main(args) == 0
    out, err = capsys.readouterr()
    actions = [json.loads(line)["action"] for line in out.splitlines()]
    # Only Kowalski is this office's patient; the second run finds his ANC already queued.
    assert actions[3] == "record" and actions[9] == "duplicate"
    assert "6 results: 1 recorded" in err and "6 results: 0 recorded" in err
    session = workstation.sign_in("a.kim@clinic.example", PRESCRIBER_PASSWORD)
    assert [p["as_entered"] for p in queued_ancs(session)] == ["1.1"]
    session.sign_out()


def test_a_file_reviewed_twice_and_accepted_twice_is_queued_once(office: Session) -> None:
    first, second = plan(office, RESULT), plan(office, RESULT)  # two reviews, both open
    assert first[0].action is second[0].action is Action.RECORD
    assert len(office.record_lab_results("acme.hl7", first, first).queued) == 1
    again = office.record_lab_results("acme.hl7", second, second)
    assert again.queued == [] and again.skipped == second
    assert len(queued_ancs(office)) == 1
    summary = [e for e in office.audit.entries() if e.subject == "lab file:acme.hl7"][-1]
    assert "0 recorded" in summary.detail and "1 recorded meanwhile, skipped" in summary.detail
