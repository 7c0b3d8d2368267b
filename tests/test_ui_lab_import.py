"""A lab's ORU file imported in the window (pytest-qt, the demo clinic on its embedded
registry): the review screen shows six results, four matched and recorded, one refused for
its unit with the reason, one waiting for a person to pick the patient; the four are in the
outbox and on the roster and charts while the registry is down, are accepted once it is
back, and a second import of the same file records nothing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from local_store.audit import AuditAction
from tests.support.desk_window import (
    DESIGNEE,
    WAIT,
    anc_history,
    open_chart,
    roster_row,
    sign_in,
    start_demo,
    synced,
)
from tests.support.memory_keyring import MemoryKeyring
from tests.support.screens import cell_text
from ui.lab_review import LabReviewDialog
from ui.main_window import DeskWindow
from ui.workspace import Workspace

SAMPLES = Path(__file__).parent / "lab_samples"
FOUR = {
    "María José Núñez-Ölçer": "2,600/µL",
    "James O'Connor": "1,400/µL",
    "Aisha Bello": "900/µL",
    "Tomasz Kowalski": "1,100/µL",
}


@pytest.fixture
def demo(tmp_path: Path, memory_keyring: MemoryKeyring, qtbot: QtBot) -> Iterator[DeskWindow]:
    window = start_demo(tmp_path / "demo", qtbot)
    yield window
    window.close()


def oru_drawn_yesterday(folder: Path) -> tuple[Path, date]:
    """The six-result sample with its draws moved to yesterday, so each is its patient's
    latest ANC on the demo clinic (whose history is played up to today)."""
    drawn = date.today() - timedelta(days=1)
    text = (SAMPLES / "oru-six-results.hl7").read_bytes()
    path = folder / "acme-results.hl7"
    path.write_bytes(text.replace(b"20261130", drawn.strftime("%Y%m%d").encode()))
    return path, drawn


def review_of(qtbot: QtBot, workspace: Workspace, path: Path) -> LabReviewDialog:
    workspace.lab_imports.review = None
    workspace.lab_imports.open(path)
    qtbot.waitUntil(lambda: isinstance(workspace.lab_imports.review, LabReviewDialog), timeout=WAIT)
    dialog = workspace.lab_imports.review
    assert isinstance(dialog, LabReviewDialog) and dialog.isVisible()
    return dialog


def test_an_oru_file_of_six_four_recorded_one_refused_one_waiting_for_a_person(
    demo: DeskWindow, qtbot: QtBot, tmp_path: Path
) -> None:
    workspace = sign_in(qtbot, demo, DESIGNEE)
    qtbot.waitUntil(lambda: synced(demo), timeout=WAIT)
    registry = demo.desk.registry_process
    assert registry is not None
    registry.kill()  # the registry is down: what is recorded waits in the outbox
    path, drawn = oru_drawn_yesterday(tmp_path)

    dialog = review_of(qtbot, workspace, path)
    table = dialog.table
    assert table.rowCount() == 6
    patients = [cell_text(table, r, 1) for r in range(6)]
    assert patients[:4] == [
        f"{name}, born {born}"
        for name, born in zip(
            FOUR, ("04/12/1979", "09/30/1990", "01/22/1985", "06/03/1972"), strict=True
        )
    ]
    # The value in /µL with its category, the draw date, what happens.
    assert cell_text(table, 0, 2) == "2,600/µL · Normal range"
    assert cell_text(table, 2, 2) == "900/µL · BEN neutropenia"  # her ranges are BEN
    assert {cell_text(table, r, 3) for r in range(4)} == {f"{drawn:%m/%d/%Y}"}
    assert all(cell_text(table, r, 5).startswith("New ANC") for r in range(4))
    refused = cell_text(table, 4, 5)
    assert refused.startswith("Refused") and "The unit 'g/L' is not an ANC unit" in refused
    assert cell_text(table, 4, 2) == "— (sent: 2.3 g/L)"
    waiting = cell_text(table, 5, 5)
    assert waiting.startswith("Waiting: choose the patient")
    assert "No patient on this workstation" in waiting
    assert cell_text(table, 5, 1).startswith("? (the lab sent: JOHN SMITH, born 01/01/1970")
    assert cell_text(table, 5, 6) == "acme-results.hl7, message 6, OBX 1"
    assert "6 results" in dialog.summary.text() and "1 refused" in dialog.summary.text()
    assert dialog.ok.text() == "Record 4 ANCs" and dialog.ok.isEnabled()
    # Only the four can be ticked; unticking one and ticking it again changes the count.
    refused_tick, second_tick = table.item(4, 0), table.item(1, 0)
    assert refused_tick is not None and second_tick is not None
    assert not refused_tick.flags() & Qt.ItemFlag.ItemIsUserCheckable
    second_tick.setCheckState(Qt.CheckState.Unchecked)
    assert dialog.ok.text() == "Record 3 ANCs"
    second_tick.setCheckState(Qt.CheckState.Checked)

    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)  # a double-click records once
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=WAIT)
    assert "6 results: 4 recorded" in demo.statusBar().currentMessage()

    # Offline: the outbox holds the four, the roster and the chart say so.
    qtbot.waitUntil(lambda: "4 queued" in demo.sync_status.label.text(), timeout=WAIT)
    qtbot.waitUntil(
        lambda: all(roster_row(demo, n)[9] == "Not sent (1)" for n in FOUR), timeout=WAIT
    )
    workspace.refresh_lists()
    qtbot.waitUntil(lambda: workspace.outbox.table.rowCount() == 4, timeout=WAIT)
    chart = open_chart(qtbot, workspace, "p-bello")
    assert chart.data is not None and len(chart.data.not_sent) == 1

    # The same file again, before the registry is back: the four are duplicates now.
    again = review_of(qtbot, workspace, path)
    doing = [cell_text(again.table, r, 5) for r in range(4)]
    assert all(d.startswith("Already here: skipped") for d in doing), doing
    assert not again.ok.isEnabled()
    again.reject()

    # The registry is back: accepted once, and each chart shows its ANC once.
    registry.start()
    demo.sync_now()
    qtbot.waitUntil(lambda: synced(demo), timeout=60_000)
    qtbot.waitUntil(lambda: all(roster_row(demo, n)[3] == v for n, v in FOUR.items()), timeout=WAIT)
    chart = open_chart(qtbot, workspace, "p-bello")
    qtbot.waitUntil(lambda: chart.data is not None and not chart.data.not_sent, timeout=WAIT)
    drawn_shown = f"{drawn:%m/%d/%Y}"
    rows = [r for r in anc_history(chart) if r[:3] == [drawn_shown, "900/µL", "900 /uL"]]
    assert len(rows) == 1, anc_history(chart)

    # The import is audited: each ANC, and the file with its counts and who accepted it.
    session = workspace.session
    entries = [e for e in session.audit.entries() if e.action == AuditAction.IMPORT]
    summary = [e for e in entries if e.subject == "lab file:acme-results.hl7"]
    assert session.account.email == DESIGNEE[0]
    assert len(summary) == 1 and summary[0].account_id == session.account.id
    assert "6 results: 4 recorded, 1 refused, 1 waiting" in summary[0].detail
    assert len([e for e in entries if e.subject.startswith("anc:")]) == 4
