"""Monitoring as the label says it, in the window (rules.md §13 R12, R14): a first ANC below
normal after a normal one is confirmed the next day, and the roster, the Patients tab, the chart
and the PSF editor say so; after a severe ANC only the prescriber resumes treatment, and the
Awaiting signature list, the chart and the editor say that to each of them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from pytestqt.qtbot import QtBot

from tests.support.desk_window import (
    DESIGNEE,
    PRESCRIBER,
    WAIT,
    add_anc,
    open_chart,
    roster_row,
    sign_in,
    start_demo,
)
from tests.support.memory_keyring import MemoryKeyring
from tests.support.screens import cell_text, shown
from ui.main_window import DeskWindow
from ui.psf_editor import PsfEditor
from ui.workspace import Workspace

CONFIRM = "Confirm the first low ANC within 24 hours"


@pytest.fixture
def demo(tmp_path: Path, memory_keyring: MemoryKeyring, qtbot: QtBot) -> Iterator[DeskWindow]:
    window = start_demo(tmp_path / "demo", qtbot)
    yield window
    window.close()


def us(day: date) -> str:
    return day.strftime("%m/%d/%Y")


def roster_tooltip(workspace: Workspace, name: str, column: int) -> str:
    model = workspace.roster_model
    for row in range(model.rowCount()):
        if str(model.data(model.index(row, 0))).removeprefix("⚠ ") == name:
            return str(model.data(model.index(row, column), Qt.ItemDataRole.ToolTipRole))
    raise AssertionError(f"{name} is not on the roster")


def test_a_first_low_anc_is_due_again_tomorrow_and_every_surface_says_why(
    demo: DeskWindow, qtbot: QtBot
) -> None:
    workspace = sign_in(qtbot, demo, DESIGNEE)
    assert roster_row(demo, "Robert Miller")[4] == "Normal range"  # his latest is normal
    assert "Robert Miller" not in workspace.to_confirm.text()
    add_anc(qtbot, workspace, "p-miller", "1300")  # mild, drawn today
    today, tomorrow = us(date.today()), us(date.today() + timedelta(days=1))
    qtbot.waitUntil(lambda: roster_row(demo, "Robert Miller")[3] == "1,300/µL", timeout=WAIT)
    # Not three times weekly's 2 days: the next day, and the cell says why.
    assert roster_row(demo, "Robert Miller")[7] == f"{tomorrow} · confirm"
    why = (
        f"{CONFIRM}: 1,300/µL drawn {today} came after a normal ANC; "
        f"the next ANC is due {tomorrow}."
    )
    assert roster_tooltip(workspace, "Robert Miller", 7) == why
    # Over the roster, where the office looks for what is due: a link to his chart.
    qtbot.waitUntil(lambda: "Robert Miller" in workspace.to_confirm.text(), timeout=WAIT)
    assert workspace.to_confirm.isVisible() and CONFIRM in workspace.to_confirm.text()
    workspace.to_confirm.linkActivated.emit("p-miller")  # what clicking his name does
    page = workspace.currentWidget()
    qtbot.waitUntil(lambda: getattr(page, "data", None) is not None, timeout=WAIT)
    assert getattr(page, "patient_id", None) == "p-miller"
    page = open_chart(qtbot, workspace, "p-miller")
    assert f"Next ANC due:</b> {tomorrow} (within 24 hours)" in page.facts.text()
    assert page.follow_up.isVisible() and page.follow_up.text() == why
    # The PSF editor's hint says the same.
    workspace.last_dialog = None
    workspace.new_psf("p-miller")
    qtbot.waitUntil(lambda: isinstance(workspace.last_dialog, PsfEditor), timeout=WAIT)
    editor = shown(PsfEditor, workspace.last_dialog)
    assert editor.monitoring_hint.isVisible() and editor.monitoring_hint.text() == why
    editor.close()

    # The confirming ANC (low again, so no longer the first low): the marks go.
    add_anc(qtbot, workspace, "p-miller", "1400")
    qtbot.waitUntil(lambda: roster_row(demo, "Robert Miller")[3] == "1,400/µL", timeout=WAIT)
    assert "confirm" not in roster_row(demo, "Robert Miller")[7]
    qtbot.waitUntil(lambda: "Robert Miller" not in workspace.to_confirm.text(), timeout=WAIT)
    qtbot.waitUntil(lambda: not page.follow_up.isVisible(), timeout=WAIT)


def test_sorting_by_next_anc_due_lists_the_ancs_to_confirm_first(
    demo: DeskWindow, qtbot: QtBot
) -> None:
    workspace = sign_in(qtbot, demo, DESIGNEE)
    # The demo clinic: O'Connor's and Kowalski's first low ANCs drawn two days ago (overdue),
    # Bello's yesterday (due today); others were due weeks ago, by the usual schedule.
    text = workspace.to_confirm.text
    qtbot.waitUntil(lambda: "3, 2 overdue" in text(), timeout=WAIT)
    assert text().index("James O'Connor") < text().index("Aisha Bello")  # longest waiting first
    header = workspace.roster.table.horizontalHeader()
    at = QPoint(header.sectionViewportPosition(7) + 20, header.height() // 2)
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=at)
    if header.sortIndicatorOrder() is Qt.SortOrder.DescendingOrder:
        qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=at)
    model = workspace.roster_model

    def first() -> list[str]:
        return [str(model.data(model.index(r, 0))).removeprefix("⚠ ") for r in range(4)]

    qtbot.waitUntil(lambda: first()[:3] == ["James O'Connor", "Tomasz Kowalski", "Aisha Bello"],
                    timeout=WAIT)  # fmt: skip
    dues = [str(model.data(model.index(r, 7))) for r in range(4)]
    assert [d.endswith("· confirm") for d in dues] == [True, True, True, False]
    assert dues[0].startswith("OVERDUE ") and not dues[2].startswith("OVERDUE ")


def test_after_a_severe_anc_only_the_prescriber_resumes_and_each_is_told_so(
    demo: DeskWindow, qtbot: QtBot
) -> None:
    workspace = sign_in(qtbot, demo, DESIGNEE)
    add_anc(qtbot, workspace, "p-tran", "400")  # severe: treatment is interrupted
    qtbot.waitUntil(lambda: roster_row(demo, "Linh Tran")[2] == "Interrupted", timeout=WAIT)
    assert roster_tooltip(workspace, "Linh Tran", 2) == (
        "Only the prescriber can resume treatment after a severe ANC (a rechallenge)."
    )
    page = open_chart(qtbot, workspace, "p-tran")
    qtbot.waitUntil(lambda: "rechallenge" in page.follow_up.text(), timeout=WAIT)
    assert page.follow_up.text().startswith(CONFIRM)  # 400 after a normal ANC: also R14
    assert "Only the prescriber can resume treatment after a severe ANC" in page.follow_up.text()
    workspace.last_dialog = None
    workspace.new_psf("p-tran")
    qtbot.waitUntil(lambda: isinstance(workspace.last_dialog, PsfEditor), timeout=WAIT)
    editor = shown(PsfEditor, workspace.last_dialog)
    hint = editor.monitoring_hint.text()
    assert "Only the prescriber can resume treatment after a severe ANC (a rechallenge)" in hint
    assert "goes for the prescriber's signature" in hint
    editor.status.setCurrentIndex(editor.status.findData("enrolled"))
    qtbot.keyClicks(editor.rationale, "Benefit outweighs risk; hematology agrees.")
    assert editor.submit.text() == "&Send for the prescriber's signature"
    qtbot.mouseClick(editor.submit, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not editor.isVisible(), timeout=WAIT)
    # The designee's Awaiting signature list says why it waits.
    awaiting = workspace.awaiting.table
    qtbot.waitUntil(lambda: awaiting.rowCount() == 1, timeout=WAIT)
    needs = cell_text(awaiting, 0, 4)
    assert (
        needs == "Gives a Treatment Rationale; resumes treatment after a severe ANC (a rechallenge)"
    )
    demo.sign_out()

    workspace = sign_in(qtbot, demo, PRESCRIBER)
    awaiting = workspace.awaiting.table
    qtbot.waitUntil(lambda: awaiting.rowCount() == 1, timeout=WAIT)
    assert cell_text(awaiting, 0, 0) == "Linh Tran" and cell_text(awaiting, 0, 4) == needs
    workspace.last_dialog = None
    qtbot.mouseClick(workspace.awaiting.open_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: isinstance(workspace.last_dialog, PsfEditor), timeout=WAIT)
    editor = shown(PsfEditor, workspace.last_dialog)
    hint = editor.monitoring_hint.text()
    assert "resuming treatment is a rechallenge, yours alone to decide" in hint
    assert "Only the prescriber" not in hint
    editor.close()
    page = open_chart(qtbot, workspace, "p-tran")
    assert "yours alone to decide" in page.follow_up.text()
