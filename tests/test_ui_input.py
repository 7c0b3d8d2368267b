"""Input in the window, typed as a person types it (issue #15, item 12): the enrollment
wizard checks each page on Next and shows every problem beside its field; error texts are
shown whole; Enter in the pharmacy's date of birth looks the patient up; and each Alt+letter
means one thing in a window."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QDate, QRect, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QGroupBox,
    QLabel,
    QMenu,
    QMenuBar,
    QTabBar,
    QTabWidget,
    QWidget,
    QWizard,
)
from pytestqt.qtbot import QtBot

from app.clock import SystemClock
from desk.shell import Desk, DeskConfig
from local_store.keys import FAST_KDF
from local_store.session import Session
from tests.support.memory_keyring import MemoryKeyring
from tests.support.registry_world import PASSWORD, World
from ui.add_anc import AddAncDialog
from ui.dispense_rationale import DispenseRationaleDialog
from ui.enrollment_wizard import EnrollmentWizard
from ui.main_window import DeskWindow
from ui.password_dialog import ChangePasswordDialog
from ui.people_dialog import AddPersonDialog, ManageDesigneesDialog
from ui.pharmacy_workspace import PharmacyWorkspace
from ui.tasks import StoreWorker
from ui.workspace import Workspace

WAIT = 30_000
TODAY = date(2024, 1, 3)  # the world's program date
SCREEN = QRect(0, 0, 1366, 768)


@pytest.fixture
def worker() -> Iterator[StoreWorker]:
    running = StoreWorker()
    yield running
    running.shutdown()


def wizard_for(qtbot: QtBot, worker: StoreWorker, session: Session) -> EnrollmentWizard:
    wizard = EnrollmentWizard(worker, session, TODAY)
    qtbot.addWidget(wizard)
    wizard.show()
    return wizard


def shown_problems(labels: list[QLabel]) -> list[str]:
    return [label.text() for label in labels if label.isVisible()]


def press_next(qtbot: QtBot, wizard: EnrollmentWizard) -> None:
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)


# The enrollment wizard
def test_the_wizard_checks_each_page_on_next_and_shows_all_its_problems_by_their_fields(
    qtbot: QtBot, prescriber_session: Session, worker: StoreWorker
) -> None:
    wizard = wizard_for(qtbot, worker, prescriber_session)
    assert wizard.dob.text() == ""  # no birth date until one is typed
    press_next(qtbot, wizard)  # nothing typed: the name and the birth date, together
    assert wizard.currentId() == 0
    assert shown_problems([wizard.name_error, wizard.dob_error]) == [
        "Type the patient's full name.",
        "Type the date of birth as MM/DD/YYYY.",
    ]
    qtbot.keyClicks(wizard.name, "Nadia Haddad")
    qtbot.keyClicks(wizard.dob, "04/12/2031")  # the year mistyped: in the future
    press_next(qtbot, wizard)
    assert wizard.currentId() == 0
    assert shown_problems([wizard.name_error, wizard.dob_error]) == [
        "The date of birth 04/12/2031 is after today: check the year."
    ]  # said of the birth date, not of a draw date
    wizard.dob.clear()
    qtbot.keyClicks(wizard.dob, "04/12/1975")
    wizard.ben.setChecked(True)  # two baseline ANCs
    press_next(qtbot, wizard)
    assert wizard.currentId() == 1
    assert shown_problems([wizard.name_error, wizard.dob_error]) == []

    (value1, unit1, _), (_v2, _u2, _) = wizard.rows
    qtbot.keyClicks(value1, "1.9")
    unit1.setCurrentIndex(1)  # cells/µL: 1.9 is a K/µL value
    press_next(qtbot, wizard)  # both ANCs' problems at once
    assert wizard.currentId() == 1
    problems = shown_problems(wizard.row_errors)
    assert len(problems) == 2
    assert "If the lab reported 1.9 ×10³/µL, choose the unit K/µL" in problems[0]
    assert problems[1] == "Type the ANC from the lab report."
    value1.clear()
    qtbot.keyClicks(value1, "1500")
    qtbot.keyClicks(wizard.rows[1][0], "1200")
    wizard.rows[1][1].setCurrentIndex(1)
    press_next(qtbot, wizard)
    assert wizard.currentId() == 2
    assert wizard.message.text() == ""
    assert "born 04/12/1975" in wizard.summary.text()


def test_an_empty_name_does_not_pass_next(
    qtbot: QtBot, prescriber_session: Session, worker: StoreWorker
) -> None:
    wizard = wizard_for(qtbot, worker, prescriber_session)
    qtbot.keyClicks(wizard.dob, "04/12/1975")
    qtbot.keyClicks(wizard.name, "   ")
    press_next(qtbot, wizard)
    assert wizard.currentId() == 0
    assert shown_problems([wizard.name_error, wizard.dob_error]) == [
        "Type the patient's full name."
    ]


# Error texts shown whole at 1366×768
def assert_shown_whole(label: QLabel, dialog: QWidget) -> None:
    QApplication.processEvents()
    text = label.text()
    needed = label.fontMetrics().boundingRect(
        QRect(0, 0, label.contentsRect().width(), 100_000),
        int(Qt.TextFlag.TextWordWrap),
        text,
    )
    assert label.isVisible()
    assert needed.height() <= label.contentsRect().height(), (text, needed, label.geometry())
    assert needed.width() <= label.contentsRect().width(), (text, needed, label.geometry())
    top_left = label.mapTo(dialog, label.rect().topLeft())
    assert dialog.rect().contains(QRect(top_left, label.size())), "the label is cut by the dialog"
    assert SCREEN.contains(dialog.frameGeometry()), "the dialog is bigger than the screen"


def test_add_anc_shows_its_longest_warning_whole(qtbot: QtBot) -> None:
    dialog = AddAncDialog("p1", "Rosa Test", TODAY)
    qtbot.addWidget(dialog)
    dialog.move(0, 0)
    dialog.show()
    qtbot.keyClicks(dialog.value, "1.9")
    dialog.unit.setCurrentIndex(1)  # cells/µL
    assert "If the lab reported 1.9 ×10³/µL" in dialog.meaning.text()
    assert_shown_whole(dialog.meaning, dialog)


class _NoRequests:
    """An inpatient Dispense Rationale asks the registry nothing until it is sent."""

    calls = None


def test_the_dispense_rationale_dialog_shows_its_errors_whole(qtbot: QtBot) -> None:
    requests: Any = _NoRequests()
    dialog = DispenseRationaleDialog(requests, "rx", False, "p1", "Rosa Test", TODAY)
    qtbot.addWidget(dialog)
    dialog.move(0, 0)
    dialog.show()
    qtbot.keyClicks(dialog.npi, "1234567890")  # a wrong check digit
    assert "Not a valid NPI" in dialog.npi_check.text()
    assert_shown_whole(dialog.npi_check, dialog)
    qtbot.keyClicks(dialog.anc.value, "1.9")
    dialog.anc.unit.setCurrentIndex(1)
    assert_shown_whole(dialog.anc.meaning, dialog)


# The pharmacy's look-up
@pytest.fixture
def pharmacy(
    tmp_path: Path, memory_keyring: MemoryKeyring, qtbot: QtBot, world: World
) -> Iterator[DeskWindow]:
    desk = Desk(tmp_path / "pharmacy", SystemClock(), kdf=FAST_KDF)
    desk.create_connected(DeskConfig(world.url), [(world.emails["ar_rx_x"], PASSWORD)])
    window = DeskWindow(desk, lambda: TODAY, sync_interval=3600)
    qtbot.addWidget(window)
    window.show()
    sign_in(qtbot, window, world.emails["ar_rx_x"])
    yield window
    window.close()


def sign_in(qtbot: QtBot, window: DeskWindow, email: str) -> None:
    page = window.sign_in_page
    qtbot.keyClicks(page.email, email)
    qtbot.keyClicks(page.password, PASSWORD)
    qtbot.mouseClick(page.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.workspace is not None, timeout=WAIT)


def test_enter_in_the_pharmacys_date_of_birth_looks_the_patient_up(
    pharmacy: DeskWindow, qtbot: QtBot
) -> None:
    workspace = pharmacy.workspace
    assert isinstance(workspace, PharmacyWorkspace)
    qtbot.waitUntil(lambda: pharmacy.link is not None and pharmacy.link.client() is not None)
    qtbot.keyClicks(workspace.name, "Rosa Test")
    workspace.dob.setFocus()
    workspace.dob.setDate(QDate(1980, 1, 1))
    qtbot.keyClick(workspace.dob, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: workspace.panel.verdict.text().startswith("Rosa Test"), timeout=WAIT)


# One meaning per Alt+letter
def _mnemonic(text: str) -> str | None:
    found = re.search(r"&([^&\s])", text.replace("&&", ""))
    return found.group(1).lower() if found else None


def mnemonics(window: QWidget) -> list[tuple[str, str]]:
    """Every Alt+letter reachable in the window as it is shown: buttons, labels with a
    buddy, group boxes, tabs and the menu bar's menus."""
    texts: list[str] = []
    for widget in window.findChildren(QWidget):
        if not widget.isVisibleTo(window):
            continue
        if isinstance(widget, QAbstractButton):
            texts.append(widget.text())
        elif isinstance(widget, QLabel):
            texts += [widget.text()] if widget.buddy() is not None else []
        elif isinstance(widget, QGroupBox):
            texts.append(widget.title())
        elif isinstance(widget, QTabBar):
            texts += [widget.tabText(n) for n in range(widget.count())]
        elif isinstance(widget, QMenuBar):
            texts += [action.text() for action in widget.actions()]
    return [(letter, text) for text in texts if (letter := _mnemonic(text))]


def clashes(window: QWidget) -> list[str]:
    found = mnemonics(window)
    counts = Counter(letter for letter, _ in found)
    return sorted(f"Alt+{letter.upper()}: {text!r}" for letter, text in found if counts[letter] > 1)


def every_tab(window: QWidget) -> Iterator[str]:
    """Each tab of each tab widget in turn (only the shown tab's Alt+letters count)."""
    for tabs in window.findChildren(QTabWidget):
        if not tabs.isVisibleTo(window):
            continue
        for n in range(tabs.count()):
            tabs.setCurrentIndex(n)
            QApplication.processEvents()
            yield tabs.tabText(n)


def assert_no_clashes(window: QWidget, where: str) -> None:
    found = clashes(window)
    assert not found, f"{where}: {found}"


def test_each_alt_letter_is_unique_in_every_window_and_dialog(
    qtbot: QtBot,
    tmp_path: Path,
    memory_keyring: MemoryKeyring,
    world: World,
    prescriber_session: Session,
    worker: StoreWorker,  # stopped before the session signs out
) -> None:
    # The office's window, a prescriber's (every tab, a chart open), and its dialogs.
    desk = Desk(tmp_path / "office", SystemClock(), kdf=FAST_KDF)
    desk.create_connected(
        DeskConfig(world.url), [(world.emails["dr_a"], PASSWORD), (world.emails["des_a"], PASSWORD)]
    )
    window = DeskWindow(desk, lambda: TODAY, sync_interval=3600)
    qtbot.addWidget(window)
    window.show()
    assert_no_clashes(window, "sign-in")
    sign_in(qtbot, window, world.emails["dr_a"])
    workspace = window.workspace
    assert isinstance(workspace, Workspace)
    qtbot.waitUntil(lambda: workspace.roster_model.total > 0, timeout=WAIT)
    workspace.open_chart(world.ids["p1"])
    qtbot.waitUntil(lambda: any(c.data is not None for c in workspace.charts()), timeout=WAIT)
    for tab in every_tab(window):
        assert_no_clashes(window, f"office window, tab {tab!r}")
    for top in window.menuBar().actions():
        menu = top.menu()
        assert isinstance(menu, QMenu)
        letters = [_mnemonic(a.text()) for a in menu.actions() if _mnemonic(a.text())]
        assert len(letters) == len(set(letters)), f"menu {top.text()!r}: {letters}"

    dialogs: list[tuple[str, QWidget]] = [
        ("Add ANC", AddAncDialog("p1", "Rosa Test", TODAY)),
        ("Change password", ChangePasswordDialog(worker, prescriber_session, None)),
        ("Manage designees", ManageDesigneesDialog(workspace.calls)),
        ("Add a person", AddPersonDialog(desk, worker, prescriber_session)),
    ]
    workspace.enroll()
    qtbot.waitUntil(lambda: isinstance(workspace.last_dialog, EnrollmentWizard), timeout=WAIT)
    wizard = workspace.last_dialog
    workspace.last_dialog = None
    workspace.new_psf(world.ids["p1"])
    qtbot.waitUntil(lambda: workspace.last_dialog is not None, timeout=WAIT)
    assert workspace.last_dialog is not None
    dialogs.append(("PSF editor", workspace.last_dialog))
    for name, dialog in dialogs:
        dialog.show()
        assert_no_clashes(dialog, name)
        for tab in every_tab(dialog):
            assert_no_clashes(dialog, f"{name}, tab {tab!r}")
        dialog.close()
    assert isinstance(wizard, EnrollmentWizard)
    for page in range(3):  # each page with the wizard's own buttons
        assert_no_clashes(wizard, f"enrollment wizard, page {page + 1}")
        wizard.ben.setChecked(True)
        qtbot.keyClicks(wizard.name, "x") if page == 0 else None
        qtbot.keyClicks(wizard.dob, "04/12/1975") if page == 0 else None
        for value, unit, _ in wizard.rows if page == 1 else []:
            qtbot.keyClicks(value, "1500")
            unit.setCurrentIndex(1)
        wizard.next()
    wizard.close()
    window.close()


def test_each_alt_letter_is_unique_in_the_pharmacys_and_the_wholesalers_windows(
    pharmacy: DeskWindow, qtbot: QtBot, tmp_path: Path, world: World
) -> None:
    for tab in every_tab(pharmacy):
        assert_no_clashes(pharmacy, f"pharmacy window, tab {tab!r}")
    requests: Any = _NoRequests()
    dialog = DispenseRationaleDialog(requests, "rx", False, "p1", "Rosa Test", TODAY)
    dialog.show()
    assert_no_clashes(dialog, "Dispense Rationale")
    dialog.close()

    desk = Desk(tmp_path / "wholesaler", SystemClock(), kdf=FAST_KDF)
    desk.create_connected(DeskConfig(world.url), [(world.emails["ws"], PASSWORD)])
    window = DeskWindow(desk, lambda: TODAY, sync_interval=3600)
    qtbot.addWidget(window)
    window.show()
    sign_in(qtbot, window, world.emails["ws"])
    for tab in every_tab(window):
        assert_no_clashes(window, f"wholesaler window, tab {tab!r}")
    window.close()
