"""The pharmacy's eligibility preview, driven as a pharmacist drives it (pytest-qt): look a
patient up by name and date of birth, read each check. The workstation is offline (its
registry cannot be reached): the preview runs `app/`'s RDA rules over the store's snapshot,
which the program's own use cases wrote here as a sync would have."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from functools import partial
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt
from pytestqt.qtbot import QtBot

from app.certification import PharmacyStanding
from app.clock import SystemClock
from app.program import Program
from app.rda import RdaReason
from app.records import Pharmacy
from app.roles import Role
from app.statuses import PharmacySetting
from desk.shell import Desk
from local_store.keys import FAST_KDF
from tests.support.memory_keyring import MemoryKeyring
from tests.support.pdf_reading import page_texts
from tests.support.pharmacy_store import AR, BORN, TODAY, build_pharmacy_desk
from tests.support.registry_world import PASSWORD, World
from tests.support.screens import pharmacy_of, session_of, shown
from ui.eligibility import NOT_AN_AUTHORIZATION
from ui.main_window import DeskWindow
from ui.pharmacy_dashboard import PharmacyDashboard, PharmacyFacts, reminder_text
from ui.pharmacy_workspace import PharmacyWorkspace
from ui.print_preview import PreviewDialog

WAIT = 30_000


def open_pharmacy(folder: Path, qtbot: QtBot, today: date = TODAY) -> DeskWindow:
    """The AR signed in on the offline pharmacy workstation, on the day `today`."""
    window = DeskWindow(build_pharmacy_desk(folder), lambda: today, sync_interval=3600)
    qtbot.addWidget(window)
    window.show()
    page = window.sign_in_page
    qtbot.keyClicks(page.email, AR[0])
    qtbot.keyClicks(page.password, AR[1])
    qtbot.mouseClick(page.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: isinstance(window.workspace, PharmacyWorkspace), timeout=WAIT)
    qtbot.waitUntil(lambda: pharmacy_of(window).prescriber.count() == 3, timeout=WAIT)
    return window


@pytest.fixture
def pharmacy(tmp_path: Path, memory_keyring: MemoryKeyring, qtbot: QtBot) -> Iterator[DeskWindow]:
    window = open_pharmacy(tmp_path / "rx", qtbot)
    yield window
    window.close()


def preview_of(qtbot: QtBot, window: DeskWindow, name: str, prescriber: str = "") -> list[str]:
    workspace = window.workspace
    assert isinstance(workspace, PharmacyWorkspace)
    workspace.panel.verdict.clear()
    index = max(0, workspace.prescriber.findData(prescriber))
    workspace.prescriber.setCurrentIndex(index)
    workspace.name.clear()
    qtbot.keyClicks(workspace.name, name)
    born = date.fromisoformat(BORN)
    workspace.dob.setDate(QDate(born.year, born.month, born.day))
    qtbot.mouseClick(workspace.look_up_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: workspace.panel.verdict.text().startswith(name), timeout=WAIT)
    return workspace.panel.messages()


def test_each_denial_reason_shows_its_message_offline(pharmacy: DeskWindow, qtbot: QtBot) -> None:
    panel = pharmacy_of(pharmacy).panel
    assert preview_of(qtbot, pharmacy, "Alma Okonjo") == []
    assert "would be authorized (first dispense)" in panel.verdict.text()
    assert panel.label.text() == NOT_AN_AUTHORIZATION
    assert panel.as_of.text() == "As of the last sync at 14:02."  # the snapshot's age
    expected = {
        ("Alma Okonjo", "dr_u"): [RdaReason.PRESCRIBER_NOT_CERTIFIED],
        ("Ivan Ilyin", ""): [RdaReason.TREATMENT_INTERRUPTED, RdaReason.PSF_NOT_CURRENT,
                             RdaReason.TREATMENT_RATIONALE_REQUIRED],
        ("Dora Duval", ""): [RdaReason.TREATMENT_DISCONTINUED],
        ("Pavel Petrov", ""): [RdaReason.PSF_NOT_CURRENT],
        ("Lina Larsen", ""): [RdaReason.MISSING_LABS_NOT_AUTHORIZED],
    }  # fmt: skip
    for (name, prescriber), reasons in expected.items():
        assert preview_of(qtbot, pharmacy, name, prescriber) == [r.message for r in reasons], name
        assert "would be denied" in panel.verdict.text()
    # All of it without the registry: this workstation cannot reach it.
    qtbot.waitUntil(lambda: "Offline" in pharmacy.sync_status.label.text(), timeout=WAIT)


def test_a_patient_not_on_the_workstation_says_not_enrolled(
    pharmacy: DeskWindow, qtbot: QtBot
) -> None:
    workspace = pharmacy_of(pharmacy)
    qtbot.keyClicks(workspace.name, "Nobody Known")
    qtbot.mouseClick(workspace.look_up_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Not on this workstation" in workspace.found_note.text(), timeout=WAIT)
    assert RdaReason.PATIENT_NOT_ENROLLED.message in workspace.found_note.text()


def test_an_uncertified_pharmacy_is_told_who_must_act(pharmacy: DeskWindow, qtbot: QtBot) -> None:
    session = session_of(pharmacy)
    program = Program(session.ledger, session.workstation.clock)

    def deactivate() -> None:
        with session.transaction():
            program.deactivate_pharmacy("rx", "op")  # the Contact Center

    pharmacy.worker.run_now(deactivate)  # as the registry's feed would bring it
    messages = preview_of(qtbot, pharmacy, "Alma Okonjo")
    assert messages == [RdaReason.PHARMACY_NOT_CERTIFIED.message]


def test_a_pharmacy_sets_up_its_workstation_with_its_authorized_representative(
    tmp_path: Path, memory_keyring: MemoryKeyring, qtbot: QtBot, world: World
) -> None:
    desk = Desk(tmp_path / "pharmacy", SystemClock(), kdf=FAST_KDF)
    window = DeskWindow(desk, SystemClock().today)
    qtbot.addWidget(window)
    page = window.first_run
    qtbot.keyClicks(page.url, world.url)
    qtbot.keyClicks(page.email, world.emails["ar_rx_x"])
    qtbot.keyClicks(page.password, PASSWORD)
    qtbot.mouseClick(page.connect_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: hasattr(window, "sign_in_page"), timeout=WAIT)
    account = desk.workstation.accounts()[0]
    assert account.id == world.ids["ar_rx_x"] and account.role is Role.PHARMACY_AR
    sign_in_page = window.sign_in_page
    qtbot.keyClicks(sign_in_page.email, account.email)
    qtbot.keyClicks(sign_in_page.password, PASSWORD)
    qtbot.mouseClick(sign_in_page.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: isinstance(window.workspace, PharmacyWorkspace), timeout=WAIT)
    assert pharmacy_of(window).pharmacy_id == world.ids["rx_x"]
    window.close()


def shows_a_due_date(dashboard: PharmacyDashboard) -> bool:
    return bool(dashboard.due.text())


def test_the_reconfirmation_reminder_appears_30_days_before_the_due_date(
    tmp_path: Path, memory_keyring: MemoryKeyring, qtbot: QtBot
) -> None:
    due = date(2024, 1, 2) + timedelta(days=730)  # certified 01/02/2024 (§9 [D])
    for days_before in (31, 30):
        window = open_pharmacy(tmp_path / f"rx{days_before}", qtbot, due - timedelta(days_before))
        dashboard = pharmacy_of(window).dashboard
        qtbot.waitUntil(partial(shows_a_due_date, dashboard), timeout=WAIT)
        assert dashboard.due.text() == f"{due:%m/%d/%Y} (in {days_before} days)"
        assert dashboard.standing.text() == "Certified"
        if days_before == 31:  # the 60-day reminder is still the one showing
            assert "31 days left" in dashboard.reminder.text()
        else:
            assert dashboard.reminder.text().startswith(
                f"Reminder: the pharmacy's certification must be reconfirmed by {due:%m/%d/%Y} "
                "(30 days left). Reconfirm now"
            )
            assert not dashboard.reminder.isHidden()
            assert "⚠" in pharmacy_of(window).tabText(1)
        window.close()
    window = open_pharmacy(tmp_path / "rx61", qtbot, due - timedelta(days=61))
    dashboard = pharmacy_of(window).dashboard
    qtbot.waitUntil(lambda: bool(dashboard.due.text()), timeout=WAIT)
    assert dashboard.reminder.isHidden() and "⚠" not in pharmacy_of(window).tabText(1)
    window.close()


def test_offline_the_rda_says_so_and_the_fallback_fax_prints(
    pharmacy: DeskWindow, qtbot: QtBot, tmp_path: Path
) -> None:
    workspace = pharmacy_of(pharmacy)
    preview_of(qtbot, pharmacy, "Pavel Petrov")
    qtbot.mouseClick(workspace.rda.request, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Nothing was authorized" in workspace.rda.answer.text(), timeout=WAIT)
    assert "fallback fax" in workspace.rda.answer.text()
    assert workspace.rda.rationale.isHidden()
    qtbot.mouseClick(workspace.rda.fallback, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: isinstance(workspace.last_dialog, PreviewDialog), timeout=WAIT)
    preview = shown(PreviewDialog, workspace.last_dialog)
    assert len(preview.job.pages) == 2  # the cover sheet, then the form
    saved = tmp_path / "fallback.pdf"
    preview.save_pdf(str(saved))
    cover, form = page_texts(saved.read_bytes())
    assert cover.startswith("Fax Cover Sheet") and "Pavel Petrov" not in cover  # no PHI
    assert "Office or pharmacy\n Main Street" in cover
    assert "Pages, including this one\n 2" in cover
    assert "Urgent: a dispense is waiting" in cover and "ANC Lab Reporting Form" in cover
    assert form.startswith("ANC Lab Reporting Form")  # to sign by hand: no draft mark
    assert "Patient name (first, last)\n Pavel Petrov" in form
    assert "X\nPharmacy\nSubmitter name\n Ari Shah" in form


def test_staff_are_told_to_ask_their_authorized_representative() -> None:
    rx = Pharmacy("rx", PharmacySetting.OUTPATIENT, "ar", "Main Street", date(2024, 1, 2))
    due = date(2026, 1, 1)
    facts = PharmacyFacts(rx, PharmacyStanding.CERTIFIED, due, 7, None)
    text = reminder_text(facts, due - timedelta(days=1), is_ar=False)
    assert "(1 day left). Ask your Authorized Representative to reconfirm" in text
