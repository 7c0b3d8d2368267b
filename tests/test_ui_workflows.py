"""The desktop window driven as a person drives it (pytest-qt): type, click, read the screen.
The registry is real: the embedded demo registry, a child process on loopback, or (for the
first run) a registry served in this process; the OS keyring is the in-memory one."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, QPoint, Qt
from PySide6.QtPrintSupport import QPrintPreviewDialog
from PySide6.QtWidgets import QInputDialog, QMessageBox
from pytestqt.qtbot import QtBot

from app.clock import SystemClock
from app.rda import RdaReason
from desk.demo.accounts import DEMO_ACCOUNTS
from desk.shell import Desk
from local_store.audit import AuditAction
from local_store.database import Database
from local_store.forms import FormKind
from local_store.keys import FAST_KDF
from local_store.outbox import OutboxState
from sync.client import RegistryClient
from tests.support.desk_window import open_add_anc
from tests.support.memory_keyring import MemoryKeyring
from tests.support.pdf_reading import page_texts
from tests.support.registry_world import PASSWORD, World, ok
from tests.support.screens import cell_text, office_of, pharmacy_of, session_of, shown
from ui.add_anc import AddAncDialog
from ui.chart_view import ChartPage
from ui.enrollment_wizard import EnrollmentWizard
from ui.main_window import DeskWindow
from ui.people_dialog import AddPersonDialog
from ui.pharmacy_workspace import PharmacyWorkspace
from ui.print_preview import PreviewDialog
from ui.psf_editor import PsfEditor

DESIGNEE = DEMO_ACCOUNTS["sam-rivera"]
PRESCRIBER = DEMO_ACCOUNTS["dr-okafor"]
WAIT = 30_000  # ms


@pytest.fixture
def demo(tmp_path: Path, memory_keyring: MemoryKeyring, qtbot: QtBot) -> Iterator[DeskWindow]:
    """The README's demo: a store, an embedded registry with the demo clinic, the window."""
    desk = Desk(tmp_path / "demo", SystemClock(), kdf=FAST_KDF)
    window = DeskWindow(desk, SystemClock().today, sync_interval=0.5)
    qtbot.addWidget(window)
    window.show()
    window.first_run.create_demo()
    qtbot.waitUntil(lambda: hasattr(window, "sign_in_page"), timeout=90_000)
    yield window
    window.close()


def sign_in(qtbot: QtBot, window: DeskWindow, who: tuple[str, str]) -> None:
    page = window.sign_in_page
    page.email.clear()
    qtbot.keyClicks(page.email, who[0])
    qtbot.keyClicks(page.password, who[1])
    qtbot.mouseClick(page.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: window.workspace is not None and office_of(window).roster_model.total > 0,
        timeout=WAIT,
    )


def roster_text(window: DeskWindow) -> dict[str, list[str]]:
    model = office_of(window).roster_model
    rows = {}
    for row in range(model.rowCount()):
        cells = [str(model.data(model.index(row, c))) for c in range(model.columnCount())]
        rows[cells[0].removeprefix("⚠ ")] = cells
    return rows


def synced(window: DeskWindow) -> bool:
    report = window.last_report
    return report is not None and report.connectivity.value == "online" and report.queued == 0


def test_first_run_connects_to_the_registry_and_makes_the_accounts(
    tmp_path: Path, memory_keyring: MemoryKeyring, qtbot: QtBot, world: World
) -> None:
    desk = Desk(tmp_path / "office", SystemClock(), kdf=FAST_KDF)
    window = DeskWindow(desk, SystemClock().today)
    qtbot.addWidget(window)
    page = window.first_run
    qtbot.keyClicks(page.url, world.url)
    qtbot.keyClicks(page.email, world.emails["dr_a"])
    qtbot.keyClicks(page.password, "not the password")
    qtbot.mouseClick(page.connect_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "did not accept" in page.message.text(), timeout=WAIT)
    assert not desk.workstation.exists()  # nothing half-made

    page.password.clear()
    qtbot.keyClicks(page.password, PASSWORD)
    qtbot.keyClicks(page.designee_email, world.emails["des_a"])
    qtbot.keyClicks(page.designee_password, PASSWORD)
    qtbot.mouseClick(page.connect_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: hasattr(window, "sign_in_page"), timeout=WAIT)
    accounts = {a.email: a for a in desk.workstation.accounts()}
    # Same ids as the registry's, so a signature made here names a signer it knows.
    assert accounts[world.emails["dr_a"]].id == world.ids["dr_a"]
    assert accounts[world.emails["des_a"]].id == world.ids["des_a"]
    sign_in(qtbot, window, (world.emails["des_a"], PASSWORD))
    assert "Rosa Test" in roster_text(window)  # dr_a's patient, pulled from the registry
    window.close()


def test_a_wrong_password_says_how_many_tries_are_left_then_the_account_locks(
    demo: DeskWindow, qtbot: QtBot
) -> None:
    page = demo.sign_in_page
    qtbot.keyClicks(page.email, DESIGNEE[0])
    for attempt in range(1, 6):
        qtbot.keyClicks(page.password, f"wrong guess {attempt}")
        qtbot.mouseClick(page.button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: page.button.isEnabled(), timeout=WAIT)
    assert "locked after 5 wrong passwords" in page.message.text()
    assert "Try again in 30 minutes" in page.message.text()
    qtbot.keyClicks(page.password, DESIGNEE[1])  # even the right password waits now
    qtbot.mouseClick(page.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.button.isEnabled(), timeout=WAIT)
    assert demo.session is None
    assert "locked" in page.message.text()


def test_the_roster_shows_the_demo_clinic_with_categories_in_words(
    demo: DeskWindow, qtbot: QtBot
) -> None:
    sign_in(qtbot, demo, DESIGNEE)
    rows = roster_text(demo)
    assert rows["Tomasz Kowalski"][2:5] == ["Interrupted", "780/µL", "Moderate neutropenia"]
    assert rows["Aisha Bello"][4] == "BEN neutropenia"
    assert any(r[7].startswith("OVERDUE") for r in rows.values())
    qtbot.keyClicks(office_of(demo).roster.filter, "tomasz k")
    qtbot.waitUntil(lambda: office_of(demo).roster_model.total == 1, timeout=WAIT)
    assert list(roster_text(demo)) == ["Tomasz Kowalski"]
    assert "Moderate neutropenia" in office_of(demo).alerts.text()  # the sign-in notification


def test_the_roster_sorts_by_a_column_in_the_store(demo: DeskWindow, qtbot: QtBot) -> None:
    sign_in(qtbot, demo, DESIGNEE)
    header = office_of(demo).roster.table.horizontalHeader()
    x = header.sectionViewportPosition(3) + 10  # "Latest ANC"
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))
    qtbot.waitUntil(lambda: first_patient(demo) == "Tomasz Kowalski", timeout=WAIT)  # 780/µL
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))
    qtbot.waitUntil(lambda: first_patient(demo) == "María José Núñez-Ölçer", timeout=WAIT)


def first_patient(window: DeskWindow) -> str:
    model = office_of(window).roster_model
    return str(model.data(model.index(0, 0))).removeprefix("⚠ ")


def test_an_idle_session_locks_hides_the_patients_and_opens_with_the_password(
    demo: DeskWindow, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    sign_in(qtbot, demo, DESIGNEE)
    session = session_of(demo)
    session.workstation.idle_timeout = timedelta(seconds=1)
    qtbot.wait(1300)  # nobody types or clicks
    seen: list[tuple[bool, bool]] = []
    answers = iter([("not my password", True), (DESIGNEE[1], True)])

    def prompt(*_args: object, **_kwargs: object) -> tuple[str, bool]:
        seen.append((office_of(demo).isHidden(), session.locked))
        return next(answers)

    warnings: list[str] = []
    monkeypatch.setattr(QInputDialog, "getText", prompt)
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text: warnings.append(text))
    demo.check_idle()
    qtbot.waitUntil(lambda: len(seen) == 2 and office_of(demo).isVisible(), timeout=WAIT)
    assert seen == [(True, True), (True, True)]  # hidden and closed while asking
    assert "not right" in warnings[0]
    assert not session.locked
    entries = demo.worker.run_now(lambda: session.audit.entries())
    assert [e.detail for e in entries if e.action == AuditAction.SESSION_LOCKED.value] == ["idle"]


def test_enrolling_a_patient_reaches_the_registry_and_the_roster(
    demo: DeskWindow, qtbot: QtBot
) -> None:
    sign_in(qtbot, demo, DESIGNEE)
    office_of(demo).enroll()
    qtbot.waitUntil(lambda: office_of(demo).last_dialog is not None, timeout=WAIT)
    wizard = shown(EnrollmentWizard, office_of(demo).last_dialog)
    assert not wizard.ben.isEnabled()  # BEN is the prescriber's to set
    qtbot.keyClicks(wizard.name, "Nadia Haddad")
    qtbot.keyClicks(wizard.dob, "03/14/1979")
    wizard.next()
    value, unit, _drawn = wizard.rows[0]
    qtbot.keyClicks(value, "1200")
    unit.setCurrentIndex(1)  # cells/µL
    wizard.next()  # checked on Next: the page stays, the problem beside the ANCs
    assert wizard.currentId() == 1
    assert "below what starting clozapine needs" in wizard.baseline_error.text()
    value.clear()
    qtbot.keyClicks(value, "2300")
    wizard.next()
    assert wizard.message.text() == ""
    wizard.accept()
    qtbot.waitUntil(lambda: "Nadia Haddad" in roster_text(demo), timeout=WAIT)
    assert roster_text(demo)["Nadia Haddad"][2:5] == ["Enrolled", "2,300/µL", "Normal range"]


def test_a_closed_enrollment_is_kept_as_a_draft_and_offered_again(
    demo: DeskWindow, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    sign_in(qtbot, demo, DESIGNEE)
    office_of(demo).enroll()
    qtbot.waitUntil(lambda: office_of(demo).last_dialog is not None, timeout=WAIT)
    wizard = shown(EnrollmentWizard, office_of(demo).last_dialog)
    qtbot.keyClicks(wizard.name, "Omar Siddiqui")
    qtbot.keyClicks(wizard.dob, "03/14/1979")
    wizard.next()
    value, unit, _drawn = wizard.rows[0]
    qtbot.keyClicks(value, "1.8")
    unit.setCurrentIndex(2)  # K/µL
    wizard.reject()  # closed half-way: the phone rang
    session = session_of(demo)
    qtbot.waitUntil(lambda: demo.worker.busy == 0, timeout=WAIT)
    drafts = demo.worker.run_now(
        lambda: session.forms.drafts_by(FormKind.ENROLLMENT, session.account.id)
    )
    assert [d.document["name"] for d in drafts] == ["Omar Siddiqui"]
    asked: list[str] = []

    def question(_parent: object, _title: str, text: str) -> QMessageBox.StandardButton:
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", question)
    office_of(demo).last_dialog = None
    office_of(demo).enroll()
    qtbot.waitUntil(lambda: office_of(demo).last_dialog is not None, timeout=WAIT)
    again = shown(EnrollmentWizard, office_of(demo).last_dialog)
    assert "You started enrolling Omar Siddiqui" in asked[0]
    assert again.name.text() == "Omar Siddiqui"
    assert again.rows[0][0].text() == "1.8" and again.rows[0][1].currentIndex() == 2
    assert again.form_id == drafts[0].id  # the same draft, not a second one


def test_a_prescriber_adds_a_designee_who_has_a_registry_account(
    demo: DeskWindow, qtbot: QtBot
) -> None:
    # The registry's invitation, accepted: the new designee has a registry account.
    prescriber = RegistryClient(demo.desk.registry_url())
    ok(prescriber.sign_in(*PRESCRIBER))
    invite = {"role": "designee", "email": "lena.park@demo.clinic", "name": "Lena Park"}
    code = ok(prescriber.post("/v1/invitations", invite))["code"]
    accept = {"code": code, "password": "violet anchor seventeen", "name": "Lena Park"}
    ok(prescriber.post_public("/v1/invitations/accept", accept))
    prescriber.close()

    sign_in(qtbot, demo, PRESCRIBER)
    demo.add_person()
    dialog = shown(AddPersonDialog, demo.last_dialog)
    qtbot.keyClicks(dialog.email, "lena.park@demo.clinic")
    qtbot.keyClicks(dialog.password, "not her password")
    qtbot.mouseClick(dialog.add, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "did not accept" in dialog.message.text(), timeout=WAIT)
    qtbot.keyClicks(dialog.password, "violet anchor seventeen")
    qtbot.mouseClick(dialog.add, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=WAIT)
    assert "Lena Park can now sign in" in demo.statusBar().currentMessage()
    demo.sign_out()
    sign_in(qtbot, demo, ("lena.park@demo.clinic", "violet anchor seventeen"))
    assert session_of(demo).account.role.value == "designee"
    assert "Tomasz Kowalski" in roster_text(demo)  # her prescriber's patients


def test_add_anc_explains_a_unit_mistake_and_sends_the_value_as_typed(
    demo: DeskWindow, qtbot: QtBot
) -> None:
    sign_in(qtbot, demo, DESIGNEE)
    dialog = open_add_anc(qtbot, office_of(demo), "p-tran")
    ok = dialog.buttons.buttons()[0]
    qtbot.keyClicks(dialog.value, "1.9")
    assert "Choose or type the unit" in dialog.meaning.text() and not ok.isEnabled()
    dialog.unit.setCurrentIndex(1)  # cells/µL: 1.9 cells is not a real ANC
    assert "If the lab reported 1.9 ×10³/µL, choose the unit K/µL" in dialog.meaning.text()
    assert not ok.isEnabled()
    dialog.unit.setCurrentIndex(2)  # K/µL
    assert dialog.meaning.text() == "= 1,900 cells/µL" and ok.isEnabled()
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: roster_text(demo)["Linh Tran"][3] == "1,900/µL", timeout=WAIT)
    office_of(demo).open_chart("p-tran")
    chart = shown(ChartPage, office_of(demo).widget(office_of(demo).count() - 1))
    qtbot.waitUntil(lambda: chart.data is not None, timeout=WAIT)
    assert chart.data is not None
    assert chart.data.ancs[-1].entered_value == "1.9"  # kept exactly as typed
    assert chart.data.ancs[-1].entered_unit == "K/uL"


def test_a_designee_psf_waits_for_the_prescriber_who_signs_it_to_the_registry(
    demo: DeskWindow, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    sign_in(qtbot, demo, DESIGNEE)
    assert roster_text(demo)["Tomasz Kowalski"][2] == "Interrupted"
    office_of(demo).new_psf("p-kowalski")
    qtbot.waitUntil(lambda: office_of(demo).last_dialog is not None, timeout=WAIT)
    editor = shown(PsfEditor, office_of(demo).last_dialog)
    assert editor.anc_rows[0].value.text() == "780"  # prefilled with the period's ANC
    qtbot.keyClicks(editor.rationale, "Recovering; benefit outweighs risk.")
    editor.status.setCurrentIndex(editor.status.findData("enrolled"))  # resume, said so
    assert "needs the prescriber's signature" in editor.needs.text()
    assert editor.submit.text() == "&Send for the prescriber's signature"
    qtbot.mouseClick(editor.submit, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not editor.isVisible(), timeout=WAIT)
    demo.sign_out()

    sign_in(qtbot, demo, PRESCRIBER)
    qtbot.waitUntil(lambda: office_of(demo).awaiting.table.rowCount() == 1, timeout=WAIT)
    assert cell_text(office_of(demo).awaiting.table, 0, 0) == "Tomasz Kowalski"
    assert cell_text(office_of(demo).awaiting.table, 0, 2) == "Sam Rivera"
    office_of(demo).last_dialog = None
    qtbot.mouseClick(office_of(demo).awaiting.open_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: office_of(demo).last_dialog is not None, timeout=WAIT)
    editor = shown(PsfEditor, office_of(demo).last_dialog)
    assert editor.rationale.toPlainText() == "Recovering; benefit outweighs risk."
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: (PRESCRIBER[1], True))
    qtbot.mouseClick(editor.submit, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not editor.isVisible(), timeout=WAIT)
    # Over real HTTP to the embedded registry, then back through the feed.
    qtbot.waitUntil(lambda: roster_text(demo)["Tomasz Kowalski"][2] == "Enrolled", timeout=WAIT)
    assert synced(demo)
    assert office_of(demo).awaiting.table.rowCount() == 0
    session = session_of(demo)
    signed = demo.worker.run_now(lambda: session.forms.for_patient("p-kowalski"))
    assert signed[-1].signature is not None and signed[-1].signature_valid
    office_of(demo).open_form(signed[-1].id)
    qtbot.waitUntil(lambda: office_of(demo).last_dialog is not editor, timeout=WAIT)
    signed_view = shown(PsfEditor, office_of(demo).last_dialog)
    assert signed_view.read_only and not signed_view.rationale.isEnabled()
    assert "SIGNED by Dr. Ada Okafor" in signed_view.mark.text()
    # A correction is a new draft with the signed content that names the form it replaces.
    qtbot.mouseClick(signed_view.correct, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: office_of(demo).last_dialog is not signed_view, timeout=WAIT)
    correction = shown(PsfEditor, office_of(demo).last_dialog)
    assert not correction.read_only and correction.rationale.isEnabled()
    assert "This is a correction" in correction.mark.text()
    assert correction.rationale.toPlainText() == "Recovering; benefit outweighs risk."
    forms = demo.worker.run_now(lambda: session.forms.for_patient("p-kowalski"))
    assert forms[-1].supersedes == signed[-1].id and forms[-1].state.value == "draft"


def test_print_preview_of_a_psf_is_letter_and_audited(
    demo: DeskWindow, qtbot: QtBot, tmp_path: Path
) -> None:
    sign_in(qtbot, demo, DESIGNEE)
    office_of(demo).last_dialog = None
    office_of(demo).print_psf("p-bello")
    qtbot.waitUntil(lambda: isinstance(office_of(demo).last_dialog, PreviewDialog), timeout=WAIT)
    preview = shown(PreviewDialog, office_of(demo).last_dialog)
    # The printer the dialog prints to (PreviewDialog's attribute of the same name hides
    # the Qt method from the type checker).
    size = QPrintPreviewDialog.printer(preview).pageLayout().pageSize()
    assert size.id() == size.PageSizeId.Letter
    assert len(preview.job.pages) >= 1 and not preview.job.pages[0].isNull()
    saved = tmp_path / "bello.pdf"
    preview.save_pdf(str(saved))
    assert "Aisha Bello" in " ".join(page_texts(saved.read_bytes()))
    session = session_of(demo)
    qtbot.waitUntil(lambda: demo.worker.busy == 0, timeout=WAIT)
    entries = demo.worker.run_now(lambda: session.audit.entries())
    prints = [e for e in entries if e.action == AuditAction.PRINT.value]
    assert prints and "saved Patient Status Form: Aisha Bello" in prints[-1].detail


def test_work_made_while_the_registry_is_down_is_queued_then_sent(
    demo: DeskWindow, qtbot: QtBot
) -> None:
    sign_in(qtbot, demo, DESIGNEE)
    qtbot.waitUntil(lambda: synced(demo), timeout=WAIT)
    registry = demo.desk.registry_process
    assert registry is not None
    registry.kill()
    office_of(demo).add_anc("p-miller")
    qtbot.waitUntil(lambda: office_of(demo).last_dialog is not None, timeout=WAIT)
    dialog = shown(AddAncDialog, office_of(demo).last_dialog)
    qtbot.keyClicks(dialog.value, "2150")
    dialog.unit.setCurrentIndex(1)
    qtbot.mouseClick(dialog.buttons.buttons()[0], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Offline" in demo.sync_status.label.text(), timeout=WAIT)
    qtbot.wait(2000)  # a few more sync rounds: it still waits, and was never refused
    qtbot.waitUntil(lambda: "1 queued" in demo.sync_status.label.text(), timeout=WAIT)
    qtbot.waitUntil(lambda: roster_text(demo)["Robert Miller"][9] == "Not sent (1)", timeout=WAIT)
    assert cell_text(office_of(demo).outbox.table, 0, 3) in ("Will try again", "Waiting to send")
    registry.start()  # the same port and database: the registry is back
    demo.sync_now()
    qtbot.waitUntil(lambda: synced(demo), timeout=60_000)
    qtbot.waitUntil(lambda: roster_text(demo)["Robert Miller"][3] == "2,150/µL", timeout=WAIT)
    assert roster_text(demo)["Robert Miller"][9] == "Up to date"
    session = session_of(demo)
    items = demo.worker.run_now(lambda: session.outbox.items())
    assert [i.state for i in items if i.kind == "report_anc"] == [OutboxState.ACKED]


def test_the_demo_pharmacy_asks_the_demo_clinics_registry(
    tmp_path: Path, memory_keyring: MemoryKeyring, qtbot: QtBot
) -> None:
    """`clozapine-desk app --demo pharmacy`: Main Street Pharmacy's workstation on the demo
    clinic's training registry (the clinic is made first). Linh Tran's last PSF is older
    than 37 days: the registry denies for that alone, and a Dispense Rationale is offered."""
    clinic = Desk(tmp_path / "demo", SystemClock(), kdf=FAST_KDF)
    desk = Desk(tmp_path / "demo-pharmacy", SystemClock(), kdf=FAST_KDF)
    window = DeskWindow(desk, SystemClock().today, sync_interval=3600)
    qtbot.addWidget(window)
    window.show()
    window.first_run.create_demo_workstation("pharmacy", clinic)
    qtbot.waitUntil(lambda: hasattr(window, "sign_in_page"), timeout=90_000)
    email, password = DEMO_ACCOUNTS["ar-main"]
    hint = window.sign_in_page.hint.text()
    assert email in hint and password in hint and "Ari Shah" in hint
    assert clinic.is_set_up() and desk.demo_kind() == "pharmacy"
    page = window.sign_in_page
    qtbot.keyClicks(page.email, email)
    qtbot.keyClicks(page.password, password)
    qtbot.mouseClick(page.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: isinstance(window.workspace, PharmacyWorkspace), timeout=WAIT)
    workspace = pharmacy_of(window)
    qtbot.waitUntil(lambda: window.last_report is not None, timeout=WAIT)
    qtbot.keyClicks(workspace.name, "Linh Tran")
    workspace.dob.setDate(QDate(1968, 11, 15))
    qtbot.mouseClick(workspace.look_up_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: workspace.panel.verdict.text().startswith("Linh Tran"), timeout=WAIT)
    assert workspace.panel.messages() == [RdaReason.PSF_NOT_CURRENT.message]
    qtbot.mouseClick(workspace.rda.request, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Denied" in workspace.rda.answer.text(), timeout=WAIT)
    assert workspace.rda.rationale.isVisible()
    window.close()


def _outbox_text(window: DeskWindow) -> str:
    table = office_of(window).outbox.table
    cells = (table.item(r, c) for r in range(table.rowCount()) for c in range(table.columnCount()))
    return " | ".join(cell.text() for cell in cells if cell is not None)


def test_a_form_signed_offline_is_sent_at_the_signers_next_sign_in_not_as_the_designee(
    demo: DeskWindow, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The registry takes a signature only from the signer's own session (issue #14): a
    # form Dr. Okafor signed while the registry was down waits for her, visibly.
    sign_in(qtbot, demo, DESIGNEE)
    office_of(demo).new_psf("p-kowalski")
    qtbot.waitUntil(lambda: office_of(demo).last_dialog is not None, timeout=WAIT)
    editor = shown(PsfEditor, office_of(demo).last_dialog)
    qtbot.keyClicks(editor.rationale, "Recovering; benefit outweighs risk.")
    editor.status.setCurrentIndex(editor.status.findData("enrolled"))  # resume, said so
    qtbot.mouseClick(editor.submit, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not editor.isVisible(), timeout=WAIT)
    demo.sign_out()

    sign_in(qtbot, demo, PRESCRIBER)
    qtbot.waitUntil(lambda: office_of(demo).awaiting.table.rowCount() == 1, timeout=WAIT)
    qtbot.waitUntil(lambda: synced(demo), timeout=WAIT)
    registry = demo.desk.registry_process
    assert registry is not None
    registry.kill()
    office_of(demo).last_dialog = None
    qtbot.mouseClick(office_of(demo).awaiting.open_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: office_of(demo).last_dialog is not None, timeout=WAIT)
    editor = shown(PsfEditor, office_of(demo).last_dialog)
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: (PRESCRIBER[1], True))
    qtbot.mouseClick(editor.submit, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not editor.isVisible(), timeout=WAIT)
    qtbot.wait(2000)  # a few more sync rounds: it still waits, and was never refused
    qtbot.waitUntil(lambda: "1 queued" in demo.sync_status.label.text(), timeout=WAIT)
    demo.sign_out()

    registry.start()
    sign_in(qtbot, demo, DESIGNEE)
    qtbot.waitUntil(
        lambda: demo.last_report is not None and demo.last_report.connectivity.value == "online",
        timeout=60_000,
    )
    demo.sync_now()
    qtbot.waitUntil(lambda: "Signed by Dr. Ada Okafor" in _outbox_text(demo), timeout=WAIT)
    qtbot.wait(2000)  # a few more sync rounds: it still waits, and was never refused
    qtbot.waitUntil(lambda: "1 queued" in demo.sync_status.label.text(), timeout=WAIT)
    assert roster_text(demo)["Tomasz Kowalski"][2] == "Interrupted"  # the registry has not
    session = session_of(demo)
    items = demo.worker.run_now(lambda: session.outbox.items())
    assert [i.state for i in items if i.kind == "submit_psf"] == [OutboxState.QUEUED]
    demo.sign_out()

    sign_in(qtbot, demo, PRESCRIBER)
    qtbot.waitUntil(lambda: synced(demo), timeout=60_000)
    qtbot.waitUntil(lambda: roster_text(demo)["Tomasz Kowalski"][2] == "Enrolled", timeout=WAIT)
    session = session_of(demo)
    items = demo.worker.run_now(lambda: session.outbox.items())
    assert [i.state for i in items if i.kind == "submit_psf"] == [OutboxState.ACKED]


def test_a_damaged_audit_log_is_said_at_sign_in_and_work_goes_on(
    demo: DeskWindow, qtbot: QtBot
) -> None:
    sign_in(qtbot, demo, DESIGNEE)
    session = session_of(demo)
    key, path = session._data_key, session.workstation.database_path
    assert key is not None
    demo.sign_out()
    tamperer = Database.open(path, key)  # around the app, with the key, while it is closed
    tamperer.execute("DELETE FROM audit_head")
    tamperer.close()
    sign_in(qtbot, demo, DESIGNEE)  # no traceback: the roster is there
    qtbot.waitUntil(lambda: demo.audit_damage_box is not None, timeout=WAIT)
    box = shown(QMessageBox, demo.audit_damage_box)
    assert box.isVisible() and not box.isModal()
    assert "audit log is not as it was written" in box.text()
    assert "Tomasz" not in box.text()  # it names no patient
    assert roster_text(demo)["Tomasz Kowalski"][2] == "Interrupted"


def test_add_anc_takes_a_unit_typed_as_the_lab_prints_it_and_refuses_grams(
    demo: DeskWindow, qtbot: QtBot
) -> None:
    sign_in(qtbot, demo, DESIGNEE)
    dialog = open_add_anc(qtbot, office_of(demo), "p-tran")
    ok = dialog.buttons.buttons()[0]
    qtbot.keyClicks(dialog.value, "1.6")
    for spelling in ("×10³/µL", "10*3/uL", "x10^9/L", "G/L"):  # rules.md §13 R15
        dialog.unit.setEditText("")
        qtbot.keyClicks(dialog.unit.lineEdit(), spelling)
        assert dialog.meaning.text() == "= 1,600 cells/µL" and ok.isEnabled(), spelling
    for spelling in ("g/L", "%"):  # grams, a percentage: never read as cells
        dialog.unit.setEditText("")
        qtbot.keyClicks(dialog.unit.lineEdit(), spelling)
        assert f"The unit '{spelling}' is not an ANC unit" in dialog.meaning.text()
        assert "K/µL" in dialog.meaning.text() and not ok.isEnabled()
    for value in ("1e3", "Infinity"):
        dialog.value.setText(value)
        dialog.unit.setEditText("G/L")
        assert "not a number as a lab report prints it" in dialog.meaning.text()
        assert not ok.isEnabled()
    dialog.value.setText("1.6")
    dialog.unit.setEditText("G/L")
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: roster_text(demo)["Linh Tran"][3] == "1,600/µL", timeout=WAIT)
