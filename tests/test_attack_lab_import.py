"""Attacks on issue #18's lab import, at the store's boundary (no window): each test states
a promise of the import ("nothing guessed", "nothing duplicated, nothing lost", "nothing of
a file on disk") and a file or sequence of steps that broke it before it was mended: a
second review of a file, a second choice of patient, a lab MRN under a stranger's name, a
reused specimen number, "1.000" /µL, a FIFO in the watched folder, a 10 MB CSV cell, Record
clicked twice, a mouse wheel over the patient picker."""

from __future__ import annotations

import contextlib
import os
import threading
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from app.clock import ManualClock
from app.use_cases.lab_import import Action
from desk.lab_files import plan_lab_file
from desk.lab_inbox import LabInbox
from lab_import.files import read_lab_file
from local_store.session import Session
from tests.support.lab_office import acme_result, office_with, plan, queued_ancs, record

BELLO = acme_result("BELLO^AISHA", date(1985, 1, 22), mrn="1001", accession="ACC-1")


@pytest.fixture
def office(prescriber_session: Session, store_clock: ManualClock) -> Session:
    return office_with(
        prescriber_session,
        store_clock,
        [("p-bello", "Aisha Bello", "1985-01-22"), ("p-oconnor", "James O'Connor", "1990-09-30")],
    )


# 1. Nothing duplicated: two reviews of one file, planned before either is recorded


def test_two_plans_of_one_file_both_accepted_queue_the_anc_once(office: Session) -> None:
    first, second = plan(office, BELLO), plan(office, BELLO)  # two reviews open at once
    record(office, first)
    record(office, second, "acme-copy.hl7")  # the desk's CLI, or a second review
    assert len(queued_ancs(office)) == 1, queued_ancs(office)


# 2. Nothing guessed: a patient chosen, then another chosen for the same row


def test_choosing_a_then_b_plans_the_row_for_b_not_as_a_duplicate(office: Session) -> None:
    planner = office.lab_import_planner()
    nobody = replace(BELLO, patient_name="SMITH^JOHN", mrn="")  # no one: a person chooses
    waiting = planner.plan(nobody)
    assert waiting.action is Action.CHOOSE_PATIENT
    bello, oconnor = office.ledger.patient("p-bello"), office.ledger.patient("p-oconnor")
    assert bello is not None and oconnor is not None
    planner.choose(waiting, bello)  # the wrong one, first
    again = planner.choose(waiting, oconnor)
    assert again.action is Action.RECORD, again.reason  # today: "imported before (itself)"


# 3. Nothing guessed: a lab MRN once matched files a result whose name is no one's


def test_a_known_mrn_with_a_wholly_different_name_waits_for_a_person(office: Session) -> None:
    record(office, plan(office, BELLO))  # lab ACME's MRN 1001 is Aisha Bello's from now on
    # Another patient of that lab, same MRN (another clinic's number space at ACME, or a
    # lab that leaves MSH-4 empty so `lab` is its application's generic name), same birthday.
    stranger = replace(BELLO, patient_name="NGUYEN^PETER", accession="ACC-2", value="0.4")
    row = plan(office, stranger)[0]
    assert row.action is Action.CHOOSE_PATIENT, (row.action, row.reason, row.patient)


# 4. Nothing lost: a specimen number seen before for another patient


def test_a_specimen_number_imported_for_another_patient_is_not_skipped(office: Session) -> None:
    record(office, plan(office, BELLO))
    james = replace(
        BELLO, patient_name="O'CONNOR^JAMES", dob=date(1990, 9, 30), mrn="2002", value="0.8"
    )  # ACME reuses ACC-1 (yearly counters), or two labs both send lab=""
    row = plan(office, james)[0]
    assert row.action is Action.RECORD, row.reason  # today: skipped as Aisha's specimen


# 5. Nothing guessed: the value


def test_a_european_thousands_point_is_not_recorded_as_one_cell(office: Session) -> None:
    row = plan(office, replace(BELLO, value="1.000", unit="/uL"))[0]
    assert not row.action.records, (row.action, row.assessment.anc)


@pytest.mark.parametrize(
    ("value", "unit"),
    [
        ("1,5", "K/uL"),
        ("<0.5", "K/uL"),
        ("1.5e3", "/uL"),
        ("NaN", "/uL"),
        ("-1500", "/uL"),
        ("1 500", "/uL"),
        ("1500", "%"),
        ("1e400", "/uL"),
        ("99999999999999999999", "/uL"),
        ("1500\u200b", "/uL"),
    ],
)
def test_values_no_lab_prints_plainly_are_refused(office: Session, value: str, unit: str) -> None:
    row = plan(office, replace(BELLO, value=value, unit=unit))[0]
    assert row.action is Action.REFUSE, row.reason


def test_non_ascii_digits_are_read_as_the_number_they_say(office: Session) -> None:
    """Not wrong (١٥٠٠ is 1500) but read, not refused: recorded with the text as sent."""
    row = plan(office, replace(BELLO, value="١٥٠٠", unit="/uL"))[0]
    assert row.action is Action.RECORD and row.assessment.anc is not None
    assert row.assessment.anc.per_ul == 1500


def test_a_preliminary_or_a_percentage_is_never_one_to_record(office: Session) -> None:
    held, percent = plan(
        office, replace(BELLO, status="P"), replace(BELLO, code="770-8", accession="ACC-9")
    )
    assert held.action is Action.HOLD and percent.action is Action.REFUSE


# 7. Robustness: reading a file


def test_a_watched_file_swapped_for_a_fifo_does_not_hang_the_store_thread(
    office: Session, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    path = inbox / "acme.hl7"
    path.write_bytes(b"MSH|^~\\&|A|ACME\rPID|1||1||BELLO^AISHA||19850122\r")
    old = time.time() - 60
    os.utime(path, (old, old))
    office.set_lab_inbox_folder(str(inbox))
    [arrived] = LabInbox().arrived(office)
    # Between the look and the review the entry changes (a symlink retargeted, a pipe).
    path.unlink()
    os.mkfifo(path)
    done = threading.Event()

    def review() -> None:
        with contextlib.suppress(Exception):  # only whether it returns matters here
            plan_lab_file(office, arrived.path)
        done.set()

    worker = threading.Thread(target=review, daemon=True)
    worker.start()
    finished = done.wait(3)
    if not finished:  # let the stuck read finish, so the test leaves nothing behind
        with open(path, "wb"):
            pass
        done.wait(3)
    assert finished, "plan_lab_file blocked on a FIFO: the store thread would hang forever"


def test_nested_json_nul_bytes_and_a_binary_file_are_refused_in_words() -> None:
    from lab_import.files import UnreadableLabFile

    for data in (
        b"[" * 100_000 + b"]" * 100_000,
        b'{"resourceType": "Bundle", "entry": ' + b"[" * 50_000 + b"]" * 50_000 + b"}",
        b"Patient,DOB\x00,Value\n",
        bytes(range(256)) * 100,
    ):
        with pytest.raises(UnreadableLabFile):
            read_lab_file(data, "x.dat")


def test_a_csv_with_a_ten_megabyte_cell_is_refused_in_words() -> None:
    from lab_import.files import UnreadableLabFile

    data = b"Patient,DOB,Value\n" + b'"' + b"A" * 10_000_000 + b'",1,2\n'
    with pytest.raises(UnreadableLabFile):  # today: _csv.Error, "Something went wrong"
        read_lab_file(data, "big.csv")


def test_an_hl7_file_of_100000_results_is_read_and_planned(office: Session) -> None:
    one = (
        "MSH|^~\\&|A|ACME\rPID|1||1001||BELLO^AISHA||19850122\rOBR|1||ACC-{n}|||||20260114\r"
        "OBX|1|NM|751-8||1.9|K/uL|||||F\r"
    )
    data = "".join(one.format(n=n) for n in range(100_000)).encode()
    started = time.perf_counter()
    results = read_lab_file(data, "big.hl7")
    rows = plan(office, *results)
    elapsed = time.perf_counter() - started
    assert len(rows) == 100_000 and elapsed < 60, elapsed


def test_many_reviewed_files_in_the_watched_folder(office: Session) -> None:
    """The folder only grows (files are never moved): the look asks the store about every
    file's digest in one statement, which SQLite caps at 32,766 variables."""
    digests = [f"{n:064x}" for n in range(40_000)]
    assert office.lab_files_reviewed(digests) == set()


# 8. The tired user: the review's Record button


def test_record_cannot_be_sent_twice_by_untick_and_tick_while_recording(
    office: Session, qtbot: object
) -> None:
    from PySide6.QtCore import Qt

    from desk.lab_files import LabFilePlan
    from ui.lab_review import LabReviewDialog

    planner = office.lab_import_planner()
    plan_ = LabFilePlan(Path("acme.hl7"), [planner.plan(BELLO)], planner)
    dialog = LabReviewDialog(plan_)
    sent: list[list[int]] = []
    dialog.record.connect(sent.append)
    dialog.ok.click()  # recording starts (the store thread is busy: a sync, a big file)
    tick = dialog.table.item(0, 0)
    assert tick is not None
    tick.setCheckState(Qt.CheckState.Unchecked)  # second thoughts, then ticked again
    tick.setCheckState(Qt.CheckState.Checked)
    dialog.ok.click()
    assert sent == [[0]], sent  # today [[0], [0]]: record_accepted runs twice, 2 ANCs


def test_scrolling_the_review_over_a_patient_picker_chooses_nobody(
    office: Session, qtbot: object
) -> None:
    from PySide6.QtCore import QPoint, QPointF, Qt
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication

    from desk.lab_files import LabFilePlan
    from ui.lab_review import LabReviewDialog

    planner = office.lab_import_planner()
    nobody = replace(BELLO, patient_name="SMITH^JOHN", mrn="")  # Aisha's birthday, no one's name
    plan_ = LabFilePlan(Path("acme.hl7"), [planner.plan(nobody)], planner)
    dialog = LabReviewDialog(plan_)
    chosen: list[object] = []
    dialog.chosen.connect(lambda _n, patient: chosen.append(patient))
    picker = dialog.pickers[0]
    wheel = QWheelEvent(
        QPointF(5, 5),
        QPointF(5, 5),
        QPoint(0, 0),
        QPoint(0, -120),  # one notch down, as a person scrolling the table does
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(picker, wheel)
    assert chosen == [], chosen  # today [Aisha Bello]: the row is planned for her, ticked
