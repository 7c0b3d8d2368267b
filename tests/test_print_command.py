"""`clozapine-desk print` as a clinic runs it during an outage."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from app.clock import ManualClock
from cli.main import main
from local_store.session import Session
from local_store.workstation import Workstation
from tests.conftest import PRESCRIBER_PASSWORD
from tests.support.pdf_reading import page_texts
from tests.support.store_world import CANARY_ACCENTED, certify_office, enroll
from tests.test_cli import desk


def test_prints_a_prefilled_psf_for_a_demo_patient(tmp_path: Path) -> None:
    out = tmp_path / "psf.pdf"
    result = desk("print", "psf", "--patient", "p-oconnor", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "Patient Status Form, draft, not signed, 2 pages" in result.stdout
    text = "".join(page_texts(out.read_bytes()))
    assert "Patient: James O'Connor" in text and "1250" in text
    # A demo form says it is one (never fax it as the office's), and stays this user's own.
    assert "filled from the demo clinic (invented patients and office)" in result.stderr
    assert out.stat().st_mode & 0o777 == 0o600


def test_a_folder_that_cannot_be_written_is_said_in_words(tmp_path: Path) -> None:
    result = desk("print", "psf", "--blank", "--out", str(tmp_path / "no such folder" / "x.pdf"))
    assert result.returncode == 1
    assert "cannot write" in result.stderr and "No such file or directory" in result.stderr
    assert "Traceback" not in result.stderr


def test_prints_a_blank_form_and_refuses_a_patient_form_without_a_patient(tmp_path: Path) -> None:
    out = tmp_path / "blank.pdf"
    assert desk("print", "anc-lab-report", "--blank", "--out", str(out)).returncode == 0
    assert "Patient: BLANK" in page_texts(out.read_bytes())[0]
    refused = desk("print", "psf", "--out", str(tmp_path / "x.pdf"))
    assert refused.returncode == 2
    assert "give --patient ID, or --blank" in refused.stderr
    unknown = desk("print", "psf", "--patient", "nobody", "--out", str(tmp_path / "x.pdf"))
    assert unknown.returncode == 2 and "there is no patient 'nobody'" in unknown.stderr
    assert not (tmp_path / "x.pdf").exists()


def test_prints_from_the_encrypted_store_and_audits_the_print(
    workstation: Workstation,
    prescriber_session: Session,
    store_clock: ManualClock,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    certify_office(prescriber_session, store_clock)
    enroll(prescriber_session, store_clock, "p1", CANARY_ACCENTED, "1975-12-31")
    prescriber_session.sign_out()
    monkeypatch.setattr("cli.print_forms.SystemClock", lambda: store_clock)
    monkeypatch.setattr("sys.stdin", io.StringIO(PRESCRIBER_PASSWORD + "\n"))
    out = tmp_path / "enrollment.pdf"
    code = main(
        [
            "print",
            "patient-enrollment",
            "--patient",
            "p1",
            "--out",
            str(out),
            "--email",
            "a.kim@clinic.example",
            "--password-stdin",
            "--data-dir",
            str(workstation.folder),
        ]
    )
    assert code == 0, capsys.readouterr().err
    assert f"Patient: {CANARY_ACCENTED}" in page_texts(out.read_bytes())[0]
    session = workstation.sign_in("a.kim@clinic.example", PRESCRIBER_PASSWORD)
    prints = [e for e in session.audit.entries() if e.action == "print"]
    assert [(e.subject, e.detail) for e in prints] == [
        ("patient:p1", "Patient Enrollment Form to enrollment.pdf")
    ]
    session.sign_out()


def test_prints_a_fax_cover_with_the_page_count_and_what_is_enclosed(tmp_path: Path) -> None:
    out = tmp_path / "cover.pdf"
    result = desk(
        "print",
        "fax-cover",
        "--pages",
        "3",
        "--enclosed",
        "Patient Status Form",
        "--enclosed",
        "ANC Lab Reporting Form",
        "--message",
        "Please process today.",
        "--out",
        str(out),
    )
    assert result.returncode == 0, result.stderr
    text = page_texts(out.read_bytes())[0]
    assert "Page 1 of 3" in text  # the cover is the first of the fax's three pages
    # The demo is the training program's: its registry's numbers, marked as the 2023 FAQ's.
    assert "To: Clozapine REMS Contact Center (numbers from the 2023" in text
    assert "Fax 800-878-5927" in text and "Phone 888-586-0758" in text
    assert "Patient Status Form; ANC Lab Reporting Form" in text
    assert "Please process today." in text
    assert "CONFIDENTIALITY NOTICE" in text
