"""The pharmacy's eligibility preview, driven as a pharmacist drives it (pytest-qt): look a
patient up by name and date of birth, read each check. The workstation is offline (its
registry cannot be reached): the preview runs `app/`'s RDA rules over the store's snapshot,
which the program's own use cases wrote here as a sync would have."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt
from pytestqt.qtbot import QtBot

from app.clock import SystemClock
from app.program import Program
from app.rda import RdaReason
from app.roles import Role
from local_store.keys import FAST_KDF
from tests.support.memory_keyring import MemoryKeyring
from tests.support.pharmacy_store import AR, BORN, TODAY, build_pharmacy_desk
from tests.support.registry_world import PASSWORD, World
from ui.desk import Desk
from ui.eligibility import NOT_AN_AUTHORIZATION
from ui.main_window import DeskWindow
from ui.pharmacy_workspace import PharmacyWorkspace

WAIT = 30_000


@pytest.fixture
def pharmacy(tmp_path: Path, memory_keyring: MemoryKeyring, qtbot: QtBot) -> Iterator[DeskWindow]:
    desk = build_pharmacy_desk(tmp_path / "rx")
    window = DeskWindow(desk, lambda: TODAY, sync_interval=3600)
    qtbot.addWidget(window)
    window.show()
    page = window.sign_in_page
    qtbot.keyClicks(page.email, AR[0])
    qtbot.keyClicks(page.password, AR[1])
    qtbot.mouseClick(page.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: isinstance(window.workspace, PharmacyWorkspace), timeout=WAIT)
    qtbot.waitUntil(lambda: window.workspace.prescriber.count() == 3, timeout=WAIT)
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
    qtbot.mouseClick(workspace.find, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: workspace.panel.verdict.text().startswith(name), timeout=WAIT)
    return workspace.panel.messages()


def test_each_denial_reason_shows_its_message_offline(pharmacy: DeskWindow, qtbot: QtBot) -> None:
    panel = pharmacy.workspace.panel
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
    workspace = pharmacy.workspace
    qtbot.keyClicks(workspace.name, "Nobody Known")
    qtbot.mouseClick(workspace.find, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Not on this workstation" in workspace.found_note.text(), timeout=WAIT)
    assert RdaReason.PATIENT_NOT_ENROLLED.message in workspace.found_note.text()


def test_an_uncertified_pharmacy_is_told_who_must_act(pharmacy: DeskWindow, qtbot: QtBot) -> None:
    session = pharmacy.session
    program = Program(session.ledger, session.workstation.clock)  # type: ignore[arg-type]

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
    assert window.workspace.pharmacy_id == world.ids["rx_x"]
    window.close()
