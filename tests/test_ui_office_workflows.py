"""The FAQ's office workflows done in the window, end to end, against a registry served on
loopback (issue #15, item 14): Manage Designees → Invite Designee; a prescriber removes a
patient from their list; Change password (the workstation's and the registry's); a refused
outbox item dismissed, or corrected and sent again."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import TypeVar

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel, QMenu, QMessageBox, QTableWidget
from pytestqt.qtbot import QtBot

from app.clock import SystemClock
from desk.shell import Desk, DeskConfig
from local_store.keys import FAST_KDF
from local_store.outbox import OutboxItem, OutboxState
from local_store.session import Session
from sync.client import RegistryClient, SignInRequired
from tests.support.memory_keyring import MemoryKeyring
from tests.support.registry_world import PASSWORD, World, ok
from ui.add_anc import AddAncDialog
from ui.chart_view import ChartPage
from ui.enrollment_wizard import EnrollmentWizard
from ui.main_window import DeskWindow
from ui.password_dialog import ChangePasswordDialog
from ui.people_dialog import ManageDesigneesDialog
from ui.workspace import Workspace

WAIT = 30_000  # ms
T = TypeVar("T")
REGISTRY_DAY = date(2024, 1, 3)  # the world's program date
NEW_PASSWORD = "a fresh harbor lantern at dusk"


@pytest.fixture
def office(
    tmp_path: Path, memory_keyring: MemoryKeyring, qtbot: QtBot, world: World
) -> Iterator[DeskWindow]:
    """Prescriber A's office workstation (A and A's designee), on the served registry."""
    desk = Desk(tmp_path / "office", SystemClock(), kdf=FAST_KDF)
    desk.create_connected(
        DeskConfig(world.url),
        [(world.emails["dr_a"], PASSWORD), (world.emails["des_a"], PASSWORD)],
    )
    window = DeskWindow(desk, lambda: REGISTRY_DAY, sync_interval=0.5)
    qtbot.addWidget(window)
    window.show()
    yield window
    window.close()


def sign_in(
    qtbot: QtBot, window: DeskWindow, email: str, password: str = PASSWORD, *, pulled: bool = True
) -> None:
    """Signs in; `pulled`: and waits for the roster the registry sends."""
    page = window.sign_in_page
    page.email.clear()
    page.password.clear()
    qtbot.keyClicks(page.email, email)
    qtbot.keyClicks(page.password, password)
    qtbot.mouseClick(page.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: (
            isinstance(window.workspace, Workspace)
            and (window.workspace.roster_model.total > 0 or not pulled)
        ),
        timeout=WAIT,
    )


def shown(kind: type[T], widget: object) -> T:
    """The widget, known to be of `kind` (the window keeps the one it opened last)."""
    assert isinstance(widget, kind), widget
    return widget


def office_of(window: DeskWindow) -> Workspace:
    return shown(Workspace, window.workspace)


def session_of(window: DeskWindow) -> Session:
    return shown(Session, window.session)


def menu_action(window: DeskWindow, text: str) -> QAction | None:
    for top in window.menuBar().actions():
        menu = top.menu()
        for action in menu.actions() if isinstance(menu, QMenu) else []:
            if action.text() == text:
                return action
    return None


def synced(window: DeskWindow) -> bool:
    report = window.last_report
    return report is not None and report.connectivity.value == "online" and report.queued == 0


def roster_names(window: DeskWindow) -> list[str]:
    model = office_of(window).roster_model
    return [str(model.data(model.index(r, 0))).removeprefix("⚠ ") for r in range(model.rowCount())]


def table_text(table: QTableWidget) -> str:
    cells = (table.item(r, c) for r in range(table.rowCount()) for c in range(table.columnCount()))
    return " | ".join(cell.text() for cell in cells if cell is not None)


def outbox_items(window: DeskWindow) -> list[OutboxItem]:
    session = session_of(window)
    items: list[OutboxItem] = window.worker.run_now(lambda: session.outbox.items())
    return items


def answer_yes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    asked: list[str] = []

    def question(_parent: object, _title: str, text: str) -> QMessageBox.StandardButton:
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", question)
    return asked


# (a) Manage Designees → Invite Designee
def test_a_prescriber_invites_a_designee_and_sees_the_invitation_and_the_designees(
    office: DeskWindow, qtbot: QtBot, world: World
) -> None:
    sign_in(qtbot, office, world.emails["dr_a"])
    qtbot.waitUntil(lambda: office.link is not None and office.link.client() is not None)
    action = menu_action(office, "Manage &designees…")
    assert action is not None
    action.trigger()
    dialog = shown(ManageDesigneesDialog, office_of(office).last_dialog)
    qtbot.waitUntil(lambda: world.emails["des_a"] in table_text(dialog.table), timeout=WAIT)
    assert "1 designee; 0 invitations" in dialog.note.text()
    assert world.emails["des_b"] not in table_text(dialog.table)  # only A's own

    qtbot.mouseClick(dialog.invite, Qt.MouseButton.LeftButton)  # nothing typed yet
    assert "Type the designee's name" in dialog.message.text()
    qtbot.keyClicks(dialog.name, "Lena Park")
    qtbot.keyClicks(dialog.email, "lena.park@world.test")
    qtbot.keyClick(dialog.email, Qt.Key.Key_Return)  # Enter invites
    qtbot.waitUntil(lambda: "Invitation made for Lena Park" in dialog.message.text(), timeout=WAIT)
    qtbot.waitUntil(lambda: "lena.park@world.test" in table_text(dialog.table), timeout=WAIT)
    assert "Invited; not accepted yet" in table_text(dialog.table)
    assert "1 invitation not accepted yet" in dialog.note.text()  # one, not two
    assert dialog.isVisible()

    # The code shown works: she accepts it and is A's designee at the registry.
    found = re.search(r"this code: (\S+) \(valid", dialog.message.text())
    assert found is not None
    accept = {"code": found.group(1), "password": "violet anchor seventeen", "name": "Lena Park"}
    body = ok(world.operator.post_public("/v1/invitations/accept", accept))
    assert body["role"] == "designee"
    dialog.load()
    qtbot.waitUntil(lambda: "0 invitations" in dialog.note.text(), timeout=WAIT)
    assert "2 designees" in dialog.note.text()


def test_a_designee_has_no_manage_designees_and_the_registry_refuses_her(
    office: DeskWindow, qtbot: QtBot, world: World
) -> None:
    sign_in(qtbot, office, world.emails["des_a"])
    assert menu_action(office, "Manage &designees…") is None
    designee = world.client("des_a")
    invite = designee.post("/v1/invitations", {"role": "designee", "email": "x@world.test"})
    assert (invite.status, invite.error) == (403, "NOT_PERMITTED")
    listing = designee.get("/v1/designees")
    assert (listing.status, listing.error) == (403, "NOT_PERMITTED")


# (b) A prescriber removes a patient from their list
def open_chart(qtbot: QtBot, window: DeskWindow, name: str) -> ChartPage:
    workspace = office_of(window)
    names = roster_names(window)
    workspace.roster.table.selectRow(names.index(name))
    patient_id = workspace.roster.selected_patient()
    assert patient_id is not None
    workspace.open_chart(patient_id)
    chart = shown(ChartPage, workspace.currentWidget())
    qtbot.waitUntil(lambda: chart.data is not None, timeout=WAIT)
    return chart


def test_a_prescriber_removes_a_patient_from_the_list_through_the_outbox(
    office: DeskWindow, qtbot: QtBot, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    sign_in(qtbot, office, world.emails["dr_a"])
    qtbot.waitUntil(lambda: synced(office), timeout=WAIT)
    chart = open_chart(qtbot, office, "Rosa Test")
    assert chart.remove.isVisible()
    asked = answer_yes(monkeypatch)
    assert office.link is not None
    office.link.stop()  # offline for a moment: the removal waits in the outbox, on the chart
    office.link = None
    qtbot.mouseClick(chart.remove, Qt.MouseButton.LeftButton)
    assert "Remove Rosa Test (born 01/01/1980) from your patient list?" in asked[0]
    assert "enrollment and treatment status stay" in asked[0]
    qtbot.waitUntil(lambda: chart.removal.isVisible(), timeout=WAIT)
    assert "Removal of Rosa Test from your list is queued" in chart.removal.text()
    assert not chart.remove.isEnabled()  # asked once
    assert [i.kind for i in outbox_items(office)] == ["deactivate_patient"]
    assert "Removal from the prescriber's list" in table_text(office_of(office).outbox.table)

    office._password = PASSWORD  # the link comes back, as at the next sign-in
    office._start_link()
    qtbot.waitUntil(
        lambda: [i.state for i in outbox_items(office)] == [OutboxState.ACKED], timeout=WAIT
    )
    patient = ok(world.operator.get(f"/v1/patients/{world.ids['p1']}"))
    assert patient["prescriber_id"] is None  # at the registry: no longer A's
    assert patient["treatment_status"] == "enrolled"  # the enrollment stays
    qtbot.waitUntil(lambda: "Rosa Test" not in roster_names(office), timeout=WAIT)


def test_a_designee_cannot_remove_a_patient_from_the_list(
    office: DeskWindow, qtbot: QtBot, world: World
) -> None:
    sign_in(qtbot, office, world.emails["des_a"])
    chart = open_chart(qtbot, office, "Rosa Test")
    assert not chart.remove.isVisible()
    refused = world.client("des_a").post(f"/v1/patients/{world.ids['p1']}/deactivate")
    assert (refused.status, refused.error) == (403, "NOT_PERMITTED")


# (c) Change password
def change_password(
    qtbot: QtBot, window: DeskWindow, current: str, new: str, repeat: str | None = None
) -> ChangePasswordDialog:
    action = menu_action(window, "&Change password…")
    assert action is not None
    action.trigger()
    dialog = shown(ChangePasswordDialog, window.last_dialog)
    for field, text in (
        (dialog.current, current),
        (dialog.new, new),
        (dialog.repeat, new if repeat is None else repeat),
    ):
        field.clear()
        qtbot.keyClicks(field, text)
    qtbot.mouseClick(dialog.change, Qt.MouseButton.LeftButton)
    return dialog


def test_changing_the_password_changes_the_workstations_and_the_registrys(
    office: DeskWindow, qtbot: QtBot, world: World
) -> None:
    email = world.emails["dr_a"]
    sign_in(qtbot, office, email)
    qtbot.waitUntil(lambda: synced(office), timeout=WAIT)
    dialog = change_password(qtbot, office, PASSWORD, NEW_PASSWORD, "a different one")
    assert "not the same" in dialog.message.text()
    dialog = change_password(qtbot, office, PASSWORD, "password")
    assert "Nothing was changed" in dialog.message.text()  # the breach list, before either
    dialog.reject()
    dialog = change_password(qtbot, office, "not my password", NEW_PASSWORD)
    qtbot.waitUntil(lambda: "Nothing was changed" in dialog.message.text(), timeout=WAIT)
    dialog.reject()

    dialog = change_password(qtbot, office, PASSWORD, NEW_PASSWORD)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=WAIT)
    assert "changed on this workstation and at the registry" in office.statusBar().currentMessage()
    # At the registry: the new password signs in, the old does not; other sign-ins ended.
    with pytest.raises(SignInRequired):
        world.client("dr_a").get("/v1/me")
    fresh = RegistryClient(world.url)
    assert not fresh.sign_in(email, PASSWORD).ok
    assert fresh.sign_in(email, NEW_PASSWORD).ok
    fresh.close()
    link = office.link
    assert link is not None and (client := link.client()) is not None
    assert ok(client.get("/v1/me"))["id"] == world.ids["dr_a"]  # this one goes on
    # On the workstation: the same.
    office.sign_out()
    page = office.sign_in_page
    qtbot.keyClicks(page.email, email)
    qtbot.keyClicks(page.password, PASSWORD)
    qtbot.mouseClick(page.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "not right" in page.message.text(), timeout=WAIT)
    sign_in(qtbot, office, email, NEW_PASSWORD)


def test_when_the_registry_refuses_the_change_the_dialog_says_which_password_changed(
    office: DeskWindow, qtbot: QtBot, world: World
) -> None:
    email = world.emails["des_a"]
    # Her registry password was changed elsewhere: the workstation's is the old one.
    ok(world.client("des_a").post("/v1/me/password", {
        "current_password": PASSWORD, "new_password": "changed on another computer"}))  # fmt: skip
    sign_in(qtbot, office, email, pulled=False)
    dialog = change_password(qtbot, office, PASSWORD, NEW_PASSWORD)
    qtbot.waitUntil(lambda: "NOT changed at the registry" in dialog.message.text(), timeout=WAIT)
    assert "IS changed on this workstation" in dialog.message.text()
    assert dialog.isVisible()
    office.sign_out()
    sign_in(qtbot, office, email, NEW_PASSWORD, pulled=False)  # the workstation's did change


# (d) A refused outbox item: dismissed, or corrected and sent again
def add_anc(qtbot: QtBot, window: DeskWindow, value: str, drawn: QDate) -> None:
    workspace = office_of(window)
    workspace.roster.table.selectRow(roster_names(window).index("Rosa Test"))
    workspace.add_anc(workspace.roster.selected_patient() or "")
    qtbot.waitUntil(lambda: workspace.last_dialog is not None, timeout=WAIT)
    dialog = shown(AddAncDialog, workspace.last_dialog)
    qtbot.keyClicks(dialog.value, value)
    dialog.unit.setCurrentIndex(1)  # cells/µL
    dialog.drawn.setDate(drawn)
    qtbot.mouseClick(dialog.buttons.buttons()[0], Qt.MouseButton.LeftButton)
    workspace.last_dialog = None


def refused_row(window: DeskWindow) -> Callable[[], bool]:
    table = office_of(window).outbox.table
    return lambda: "Refused by the registry" in table_text(table)


def test_a_refused_anc_is_corrected_and_sent_again_with_a_new_key(
    office: DeskWindow, qtbot: QtBot, world: World
) -> None:
    sign_in(qtbot, office, world.emails["des_a"])
    add_anc(qtbot, office, "1850", QDate(1924, 1, 2))  # 1924: a slip for 2024
    qtbot.waitUntil(refused_row(office), timeout=WAIT)
    outbox = office_of(office).outbox
    office_of(office).setCurrentWidget(outbox)
    assert not outbox.correct_button.isEnabled()  # nothing chosen yet
    outbox.table.selectRow(0)
    assert outbox.correct_button.isEnabled() and outbox.dismiss_button.isEnabled()
    qtbot.mouseClick(outbox.correct_button, Qt.MouseButton.LeftButton)
    dialog = shown(AddAncDialog, office_of(office).last_dialog)
    assert dialog.value.text() == "1850" and dialog.unit.currentIndex() == 1
    assert dialog.drawn.date() == QDate(1924, 1, 2)
    why = [
        w
        for w in dialog.findChildren(QLabel)
        if w.accessibleName() == "Why the registry refused it"
    ]
    assert "INVALID_DATE" in why[0].text()  # what to correct, in the registry's words
    dialog.drawn.setDate(QDate(2024, 1, 2))
    qtbot.mouseClick(dialog.buttons.buttons()[0], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: sorted(i.state.value for i in outbox_items(office)) == ["acked", "superseded"],
        timeout=WAIT,
    )
    old, new = outbox_items(office)
    assert old.state is OutboxState.SUPERSEDED and new.state is OutboxState.ACKED
    assert new.id != old.id  # a new Idempotency-Key
    assert new.payload["drawn"] == "2024-01-02"
    qtbot.waitUntil(lambda: outbox.table.rowCount() == 0, timeout=WAIT)
    chart = open_chart(qtbot, office, "Rosa Test")
    # Each ANC once: the corrected one (the refused one was never recorded anywhere).
    qtbot.waitUntil(
        lambda: chart.data is not None and [a.anc.per_ul for a in chart.data.ancs] == [2100, 1850],
        timeout=WAIT,
    )


def test_a_refused_item_is_dismissed_and_kept_in_the_audit(
    office: DeskWindow, qtbot: QtBot, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    sign_in(qtbot, office, world.emails["des_a"])
    add_anc(qtbot, office, "1850", QDate(1924, 1, 2))
    qtbot.waitUntil(refused_row(office), timeout=WAIT)
    outbox = office_of(office).outbox
    outbox.table.selectRow(0)
    asked = answer_yes(monkeypatch)
    qtbot.mouseClick(outbox.dismiss_button, Qt.MouseButton.LeftButton)
    assert "Dismiss the refused ANC result for Rosa Test?" in asked[0]
    qtbot.waitUntil(lambda: outbox.table.rowCount() == 0, timeout=WAIT)
    assert "Outbox (0)" in office_of(office).tabText(2)
    [item] = outbox_items(office)
    assert item.state is OutboxState.DISMISSED
    session = session_of(office)
    entries = office.worker.run_now(lambda: session.audit.entries())
    assert any(e.subject == f"outbox:{item.id}" and "dismissed" in e.detail for e in entries)


def test_a_refused_enrollment_is_corrected_in_the_wizard_and_sent_again(
    office: DeskWindow, qtbot: QtBot, world: World
) -> None:
    sign_in(qtbot, office, world.emails["des_a"])
    qtbot.waitUntil(lambda: synced(office), timeout=WAIT)
    # The registry's date is behind the workstation's: today's draw date is "after today".
    ok(world.operator.put("/v1/test/clock", {"today": "2024-01-01"}))
    workspace = office_of(office)
    workspace.enroll()
    qtbot.waitUntil(lambda: workspace.last_dialog is not None, timeout=WAIT)
    wizard = shown(EnrollmentWizard, workspace.last_dialog)
    qtbot.keyClicks(wizard.name, "Nadia Haddad")
    qtbot.keyClicks(wizard.dob, "03/14/1979")
    wizard.next()
    value, unit, _drawn = wizard.rows[0]
    qtbot.keyClicks(value, "2300")
    unit.setCurrentIndex(1)
    wizard.next()
    wizard.accept()
    qtbot.waitUntil(refused_row(office), timeout=WAIT)
    assert "INVALID_DATE" in table_text(workspace.outbox.table)

    ok(world.operator.put("/v1/test/clock", {"today": "2024-01-03"}))  # put right
    workspace.last_dialog = None
    workspace.outbox.table.selectRow(0)
    qtbot.mouseClick(workspace.outbox.correct_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: workspace.last_dialog is not None, timeout=WAIT)
    again = shown(EnrollmentWizard, workspace.last_dialog)
    assert again.name.text() == "Nadia Haddad" and again.dob.text() == "03/14/1979"
    assert again.rows[0][0].text() == "2300"
    again.next()
    again.next()
    again.accept()
    qtbot.waitUntil(lambda: "Nadia Haddad" in roster_names(office), timeout=WAIT)
    items = [i for i in outbox_items(office) if i.kind == "enroll_patient"]
    assert [i.state for i in items] == [OutboxState.SUPERSEDED, OutboxState.ACKED]
    assert items[0].id != items[1].id  # the correction went under a new key
    qtbot.waitUntil(lambda: workspace.outbox.table.rowCount() == 0, timeout=WAIT)
