"""The Patient Status Form editor driven as the office drives it (pytest-qt, a registry served
on loopback): the treatment status says what it does, the reporting period never ends before
it starts, one draft per patient that waits for the prescriber only once it is sent, and the
ANC rows take a chosen unit and an MM/DD/YYYY date like the rest of the window."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QInputDialog, QWidget
from pytestqt.qtbot import QtBot

from app.clock import ManualClock, SystemClock
from desk.psf import psf_facts
from desk.shell import Desk, DeskConfig
from local_store.forms import FormKind, FormState
from local_store.keys import FAST_KDF
from local_store.outbox import OutboxState
from local_store.session import Session
from printing import forms as printed
from tests.conftest import PRESCRIBER_PASSWORD
from tests.support.memory_keyring import MemoryKeyring
from tests.support.registry_world import PASSWORD, World, ok
from tests.support.screens import office_of, session_of
from tests.support.store_world import certify_office, enroll
from ui.main_window import DeskWindow
from ui.psf_editor import AncRow, PsfEditor, period_words
from ui.unit_choice import UnitChoice
from ui.us_dates import us_day
from ui.workspace import Workspace

WAIT = 30_000
INTERRUPTED_ON = date(2024, 1, 10)
DAY = date(2024, 1, 11)
RATIONALE = "Hematology consulted; benefits outweigh the risk."


@dataclass
class Office:
    """Dr. A's workstation (Dr. A and her designee), its own day, and the registry's world."""

    window: DeskWindow
    world: World
    days: list[date] = field(default_factory=lambda: [DAY])

    @property
    def patient(self) -> str:
        return self.world.ids["p1"]  # Rosa Test

    def registry_day(self, day: date) -> None:
        self.days[0] = day
        ok(self.world.operator.put("/v1/test/clock", {"today": day.isoformat()}))


@pytest.fixture
def office(
    tmp_path: Path, memory_keyring: MemoryKeyring, world: World, qtbot: QtBot
) -> Iterator[Office]:
    desk = Desk(tmp_path / "office", SystemClock(), kdf=FAST_KDF)
    people = [(world.emails["dr_a"], PASSWORD), (world.emails["des_a"], PASSWORD)]
    desk.create_connected(DeskConfig(world.url), people)
    days = [DAY]
    window = DeskWindow(desk, lambda: days[0], sync_interval=3600)
    qtbot.addWidget(window)
    window.show()
    built = Office(window, world, days)
    built.registry_day(DAY)
    yield built
    window.close()


def interrupt(office: Office, value: int = 800) -> None:
    """Dr. A reports a low ANC at the registry: Rosa Test's treatment is interrupted."""
    office.registry_day(INTERRUPTED_ON)
    anc = {"value": value, "as_entered": str(value), "unit": "/uL", "drawn": "2024-01-10"}
    answer = ok(office.world.client("dr_a").post(f"/v1/patients/{office.patient}/ancs", anc))
    assert answer["treatment_status"] == "interrupted"
    office.registry_day(DAY)


def sign_in(qtbot: QtBot, office: Office, who: str) -> None:
    window = office.window
    if window.workspace is not None:
        window.sign_out()
    page = window.sign_in_page
    page.email.clear()
    page.password.clear()
    qtbot.keyClicks(page.email, office.world.emails[who])
    qtbot.keyClicks(page.password, PASSWORD)
    qtbot.mouseClick(page.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: isinstance(window.workspace, Workspace) and window.workspace.roster_model.total > 0,
        timeout=WAIT,
    )


def designee_adds_an_anc_row(qtbot: QtBot, office: Office) -> tuple[PsfEditor, AncRow]:
    """The designee's new PSF, with an empty ANC row added."""
    sign_in(qtbot, office, "des_a")
    editor = new_psf(qtbot, office)
    qtbot.mouseClick(editor.add_row, Qt.MouseButton.LeftButton)
    return editor, editor.anc_rows[-1]


def new_psf(qtbot: QtBot, office: Office) -> PsfEditor:
    workspace = office_of(office.window)
    workspace.last_dialog = None
    workspace.new_psf(office.patient)
    qtbot.waitUntil(lambda: isinstance(workspace.last_dialog, PsfEditor), timeout=WAIT)
    editor = workspace.last_dialog
    assert isinstance(editor, PsfEditor)
    return editor


def idle(qtbot: QtBot, office: Office) -> None:
    """The draft's save (half a second after typing stops) and the store thread are done."""
    qtbot.wait(700)
    qtbot.waitUntil(lambda: office.window.worker.busy == 0, timeout=WAIT)


def status_of(office: Office) -> str:
    answer = ok(office.world.client("dr_a").get(f"/v1/patients/{office.patient}"))
    return str(answer["treatment_status"])


def sign_with_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: (PASSWORD, True))


def psf_drafts(office: Office) -> list[str]:
    session = session_of(office.window)
    forms = office.window.worker.run_now(lambda: session.forms.for_patient(office.patient))
    return [f.id for f in forms if f.kind is FormKind.PSF and f.state is FormState.DRAFT]


def top(widget: QWidget, editor: PsfEditor) -> int:
    return widget.mapTo(editor, QPoint(0, 0)).y()


# Item 3: "No change" changes nothing; the printed form's choices, resume among them
def test_no_change_with_a_rationale_does_not_resume_and_resume_is_a_choice_of_its_own(
    office: Office, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    interrupt(office)
    sign_in(qtbot, office, "dr_a")
    editor = new_psf(qtbot, office)
    choices = [editor.status.itemData(i) for i in range(editor.status.count())]
    [field_] = [f for f in printed.PSF.fields() if f.key == "treatment_status"]
    assert [c or "no_change" for c in choices] == [value for value, _ in field_.options]
    assert editor.status.itemText(1) == "Resume treatment (enrolled)"
    assert editor.status.currentText() == "No change"

    qtbot.keyClicks(editor.rationale, RATIONALE)
    sign_with_password(monkeypatch)
    qtbot.mouseClick(editor.submit, Qt.MouseButton.LeftButton)
    assert editor.isVisible()  # not signed, not sent
    assert '"No change" keeps it interrupted' in editor.message.text()
    idle(qtbot, office)
    session = session_of(office.window)
    assert office.window.worker.run_now(lambda: session.outbox.items()) == []
    assert status_of(office) == "interrupted"

    editor.status.setCurrentIndex(editor.status.findData("enrolled"))
    qtbot.mouseClick(editor.submit, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not editor.isVisible(), timeout=WAIT)
    qtbot.waitUntil(lambda: status_of(office) == "enrolled", timeout=WAIT)


def test_a_designee_is_offered_the_resume_and_a_rationale_goes_to_the_prescriber(
    office: Office, qtbot: QtBot
) -> None:
    interrupt(office, value=400)  # severe
    sign_in(qtbot, office, "des_a")
    editor = new_psf(qtbot, office)
    assert editor.status.findData("enrolled") >= 0
    # Resuming after a severe ANC is a rechallenge, the prescriber's (rules.md §13 R12),
    # with a rationale or without one.
    editor.status.setCurrentIndex(editor.status.findData("enrolled"))
    assert "resumes treatment after a severe ANC (a rechallenge)" in editor.needs.text()
    assert editor.submit.text() == "&Send for the prescriber's signature"
    qtbot.keyClicks(editor.rationale, RATIONALE)
    assert "gives a Treatment Rationale, resumes treatment" in editor.needs.text()


# Item 4: the reporting period never ends before it starts
def test_the_period_starts_the_day_after_the_latest_psf_and_is_none_on_its_own_day(
    office: Office, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    sign_in(qtbot, office, "dr_a")
    editor = new_psf(qtbot, office)
    heading = editor.heading.text()
    assert "reporting period 01/04/2024 to 01/11/2024" in heading  # after the enrollment
    sign_with_password(monkeypatch)
    qtbot.mouseClick(editor.submit, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not editor.isVisible(), timeout=WAIT)
    session = session_of(office.window)

    def latest_psf_day() -> date | None:
        latest = office.window.worker.run_now(lambda: session.ledger.latest_psf(office.patient))
        return latest.dated if latest else None

    qtbot.waitUntil(lambda: latest_psf_day() == DAY, timeout=WAIT)  # back from the registry

    same_day = new_psf(qtbot, office)  # the same day, a second PSF
    heading = same_day.heading.text()
    assert "01/12/2024 to 01/11/2024" not in heading
    assert "reporting period none: the latest PSF, dated 01/11/2024" in heading
    same_day.close()
    idle(qtbot, office)

    office.days[0] = date(2024, 1, 12)  # the day after
    next_day = new_psf(qtbot, office)
    heading = next_day.heading.text()
    assert "reporting period 01/12/2024 to 01/12/2024" in heading


# Item 11: one draft per patient, awaiting signature only once sent, no sign button for a designee
def test_new_psf_opens_the_patients_open_draft_and_saving_again_updates_it(
    office: Office, qtbot: QtBot
) -> None:
    sign_in(qtbot, office, "des_a")
    editor = new_psf(qtbot, office)
    qtbot.keyClicks(editor.adverse, "Headache since Monday")
    idle(qtbot, office)
    editor.close()
    idle(qtbot, office)
    [draft] = psf_drafts(office)

    again = new_psf(qtbot, office)
    assert again.adverse.text() == "Headache since Monday"  # the draft, not a blank form
    assert again.form_id == draft
    qtbot.keyClicks(again.adverse, ", better today")
    idle(qtbot, office)
    again.close()
    idle(qtbot, office)
    assert psf_drafts(office) == [draft]  # updated, not a second


def test_a_designee_draft_waits_for_the_prescriber_only_once_sent(
    office: Office, qtbot: QtBot
) -> None:
    sign_in(qtbot, office, "des_a")
    awaiting = office_of(office.window).awaiting
    assert "sign" not in awaiting.open_button.text().lower()  # a designee does not sign
    assert "your signature" not in awaiting.intro.text()
    editor = new_psf(qtbot, office)
    qtbot.keyClicks(editor.rationale, RATIONALE)
    idle(qtbot, office)
    office_of(office.window).refresh_lists()
    idle(qtbot, office)
    assert awaiting.table.rowCount() == 0  # a draft being typed is not awaiting anyone

    qtbot.mouseClick(editor.submit, Qt.MouseButton.LeftButton)  # Send for the signature
    qtbot.waitUntil(lambda: not editor.isVisible(), timeout=WAIT)
    qtbot.waitUntil(lambda: awaiting.table.rowCount() == 1, timeout=WAIT)

    sign_in(qtbot, office, "dr_a")
    awaiting = office_of(office.window).awaiting
    qtbot.waitUntil(lambda: awaiting.table.rowCount() == 1, timeout=WAIT)
    assert awaiting.open_button.text() == "&Review and sign…"


# Item 12: the ANC rows' unit is chosen, their dates are MM/DD/YYYY, the form holds still
def test_anc_rows_take_a_chosen_unit_with_add_ancs_warning_and_us_dates(
    office: Office, qtbot: QtBot
) -> None:
    editor, row = designee_adds_an_anc_row(qtbot, office)
    assert isinstance(editor.ancs.cellWidget(0, 1), UnitChoice)
    same = UnitChoice("Add ANC")
    assert [row.unit.itemData(i) for i in range(row.unit.count())] == [
        same.itemData(i) for i in range(same.count())
    ]
    assert row.unit.currentData() is None  # no unit until one is chosen
    assert row.drawn.displayFormat() == "MM/dd/yyyy" and row.drawn.text() == "01/11/2024"

    qtbot.keyClicks(row.value, "1.9")
    row.unit.setCurrentIndex(row.unit.findData("/uL"))
    assert "If the lab reported 1.9 ×10³/µL, choose the unit K/µL" in row.meaning.text()
    qtbot.mouseClick(editor.submit, Qt.MouseButton.LeftButton)
    assert editor.isVisible() and "choose the unit K/µL" in editor.message.text()
    row.unit.setCurrentIndex(row.unit.findData("K/uL"))
    assert row.meaning.text() == "= 1,900 cells/µL"
    # The number the rules read, the text as typed beside it (rules.md §13 R16).
    assert editor.document()["ancs"] == [
        {"value": 1.9, "as_entered": "1.9", "unit": "K/uL", "drawn": "2024-01-11"}
    ]


def test_typing_a_rationale_does_not_move_the_fields_under_it(office: Office, qtbot: QtBot) -> None:
    sign_in(qtbot, office, "des_a")
    editor = new_psf(qtbot, office)
    qtbot.waitExposed(editor)
    watched = (editor.ben, editor.adverse, editor.submit)
    before = [top(w, editor) for w in watched]
    qtbot.keyClicks(editor.rationale, "R")  # the banner "needs the prescriber" appears
    QApplication.processEvents()
    assert editor.needs.isVisible()
    assert [top(w, editor) for w in watched] == before
    editor.rationale.clear()
    QApplication.processEvents()
    assert [top(w, editor) for w in watched] == before


def test_a_psf_signed_here_and_not_back_from_the_registry_starts_the_next_period(
    prescriber_session: Session, store_clock: ManualClock
) -> None:
    # Signed while the registry is away: the registry has not dated it, but the next PSF's
    # period still starts after it, so its days and ANCs are not reported twice.
    certify_office(prescriber_session, store_clock)
    enroll(prescriber_session, store_clock, "p1", "Lee Park", "1980-05-06")
    store_clock.advance(timedelta(days=8))
    prescriber_session.touch()  # the office worked meanwhile: no idle lock
    signed_on = store_clock.now().astimezone().date()
    first = psf_facts(prescriber_session, "p1", None, signed_on)
    form_id = prescriber_session.save_draft(FormKind.PSF, "p1", first.document)
    prescriber_session.sign_form(form_id, PRESCRIBER_PASSWORD)
    store_clock.advance(timedelta(days=1))
    prescriber_session.touch()
    next_day = signed_on + timedelta(days=1)
    second = psf_facts(prescriber_session, "p1", None, next_day)
    assert period_words(second.draft) == f"{us_day(next_day)} to {us_day(next_day)}"
    # Refused by the registry, it never happened: the period runs from the enrollment again.
    prescriber_session.outbox.set_state(form_id, OutboxState.REJECTED, store_clock.now())
    again = psf_facts(prescriber_session, "p1", None, next_day)
    period = period_words(again.draft)
    assert period.endswith(f"to {us_day(next_day)}") and period != period_words(second.draft)


# Issue #16: units as the lab report prints them (rules.md §13 R15), typed into the row
ACCEPTED = ("×10³/µL", "10*3/uL", "x10^9/L", "G/L")
REFUSED_UNITS = ("g/L", "%")


def test_anc_rows_take_every_unit_spelling_of_r15_and_refuse_the_rest_listing_them(
    office: Office, qtbot: QtBot
) -> None:
    editor, row = designee_adds_an_anc_row(qtbot, office)
    qtbot.keyClicks(row.value, "1.6")
    for spelling in ACCEPTED:
        row.unit.setEditText("")
        qtbot.keyClicks(row.unit.lineEdit(), spelling)
        assert row.meaning.text() == "= 1,600 cells/µL", spelling
    for spelling in REFUSED_UNITS:
        row.unit.setEditText("")
        qtbot.keyClicks(row.unit.lineEdit(), spelling)
        words = row.meaning.text()
        assert f"The unit '{spelling}' is not an ANC unit" in words
        assert "×10³/µL" in words and "cells/µL" in words and "G/L" in words  # what to type
    qtbot.mouseClick(editor.submit, Qt.MouseButton.LeftButton)
    assert editor.isVisible() and "is not an ANC unit" in editor.message.text()  # kept
    for value in ("1e3", "Infinity"):
        row.value.setText(value)
        row.unit.setEditText("K/uL")
        assert "is not a number as a lab report prints it" in row.meaning.text(), value


def test_an_anc_typed_on_the_psf_reaches_the_registry_as_a_number_and_shows_as_typed(
    office: Office, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Issue #16 item 2: the row's text goes through one EnteredAnc, so the registry gets the
    # number (rules.md §13 R16), and the chart shows what the lab slip said, after a sync.
    sign_in(qtbot, office, "dr_a")
    editor = new_psf(qtbot, office)
    qtbot.mouseClick(editor.add_row, Qt.MouseButton.LeftButton)
    row = editor.anc_rows[-1]
    qtbot.keyClicks(row.value, " 1.65 ")
    qtbot.keyClicks(row.unit.lineEdit(), "×10³/µL")
    assert row.meaning.text() == "= 1,650 cells/µL"
    sign_with_password(monkeypatch)
    qtbot.mouseClick(editor.submit, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not editor.isVisible(), timeout=WAIT)
    window = office.window
    session = session_of(window)
    qtbot.waitUntil(
        lambda: (
            [i.state for i in window.worker.run_now(lambda: session.outbox.items())]
            == [OutboxState.ACKED]
        ),
        timeout=WAIT,
    )
    before = window.last_report
    window.sync_now()  # a sync after the one that sent it pulls the registry's record back
    qtbot.waitUntil(lambda: window.last_report is not before, timeout=WAIT)
    history = window.worker.run_now(lambda: session.ledger.anc_history(office.patient))
    typed = [(r.anc.per_ul, r.entered_value, r.entered_unit) for r in history]
    assert (1650, "1.65", "×10³/µL") in typed, typed
    assert status_of(office) == "enrolled"
