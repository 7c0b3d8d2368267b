"""A Patient Status Form carries the period's ANCs, already reported one by one (pytest-qt,
the demo's embedded registry): signing it does not record them again. The designee adds an
ANC, drafts the PSF (prefilled with it) for the prescriber, who signs it; after the sync,
and after another one pulling the registry's records back, the chart shows that ANC once,
with one notification, and the banner says it once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog
from pytestqt.qtbot import QtBot

from tests.support.desk_window import (
    DESIGNEE,
    PRESCRIBER,
    WAIT,
    add_anc,
    anc_history,
    open_chart,
    roster_row,
    sign_in,
    start_demo,
    synced,
)
from tests.support.memory_keyring import MemoryKeyring
from ui.chart_view import ChartPage
from ui.main_window import DeskWindow
from ui.psf_editor import PsfEditor
from ui.workspace import Workspace

SHOWN = "1,200/µL"  # mild neutropenia: the office is notified, treatment continues
RATIONALE = "Mild; benefit outweighs risk."


@pytest.fixture
def demo(tmp_path: Path, memory_keyring: MemoryKeyring, qtbot: QtBot) -> Iterator[DeskWindow]:
    window = start_demo(tmp_path / "demo", qtbot)
    yield window
    window.close()


def _editor(qtbot: QtBot, workspace: Workspace) -> PsfEditor:
    qtbot.waitUntil(lambda: isinstance(workspace.last_dialog, PsfEditor), timeout=WAIT)
    editor = workspace.last_dialog
    assert isinstance(editor, PsfEditor)
    return editor


def _prefilled(editor: PsfEditor) -> list[str]:
    return [row.value.text() for row in editor.anc_rows if row.filled()]


def _outbox_states(window: DeskWindow) -> dict[str, str]:
    session = window.session
    assert session is not None
    items = window.worker.run_now(lambda: session.outbox.items())
    return {i.kind: i.state.value for i in items}


def _synced_again(qtbot: QtBot, window: DeskWindow) -> None:
    before = window.last_report
    window.sync_now()
    qtbot.waitUntil(lambda: window.last_report is not before and synced(window), timeout=WAIT)


def _banner_lines(workspace: Workspace, name: str) -> list[str]:
    return [line for line in workspace.alerts.text().splitlines() if line.startswith(name)]


def _shown_once(qtbot: QtBot, workspace: Workspace, page: ChartPage) -> None:
    rows = anc_history(page)
    assert [r[1] for r in rows].count(SHOWN) == 1, rows
    assert page.data is not None
    mild = [n for n in page.data.notifications if n.anc.per_ul == 1200]
    assert len(mild) == 1, mild
    qtbot.waitUntil(lambda: bool(_banner_lines(workspace, "Linh Tran")), timeout=WAIT)
    assert len(_banner_lines(workspace, "Linh Tran")) == 1, workspace.alerts.text()


def test_signing_a_psf_with_an_anc_already_reported_records_it_once(
    demo: DeskWindow, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    workspace = sign_in(qtbot, demo, DESIGNEE)
    qtbot.waitUntil(lambda: synced(demo), timeout=WAIT)
    add_anc(qtbot, workspace, "p-tran", "1200")
    qtbot.waitUntil(lambda: roster_row(demo, "Linh Tran")[3] == SHOWN, timeout=WAIT)
    qtbot.waitUntil(lambda: synced(demo), timeout=WAIT)
    workspace.last_dialog = None
    workspace.new_psf("p-tran")
    editor = _editor(qtbot, workspace)
    assert "1200" in _prefilled(editor)  # the period's ANCs, the one just added among them
    qtbot.keyClicks(editor.rationale, RATIONALE)
    qtbot.mouseClick(editor.submit, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not editor.isVisible(), timeout=WAIT)
    demo.sign_out()

    workspace = sign_in(qtbot, demo, PRESCRIBER)
    qtbot.waitUntil(lambda: workspace.awaiting.table.rowCount() == 1, timeout=WAIT)
    workspace.last_dialog = None
    qtbot.mouseClick(workspace.awaiting.open_button, Qt.MouseButton.LeftButton)
    editor = _editor(qtbot, workspace)
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: (PRESCRIBER[1], True))
    qtbot.mouseClick(editor.submit, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not editor.isVisible(), timeout=WAIT)
    qtbot.waitUntil(lambda: workspace.awaiting.table.rowCount() == 0, timeout=WAIT)
    qtbot.waitUntil(lambda: _outbox_states(demo).get("submit_psf") == "acked", timeout=WAIT)
    assert _outbox_states(demo) == {"report_anc": "acked", "submit_psf": "acked"}
    _synced_again(qtbot, demo)  # a sync after the one that sent it: the feed is pulled
    _shown_once(qtbot, workspace, open_chart(qtbot, workspace, "p-tran"))

    # The designee's next sign-in, after a sync that pulled the registry's records: once.
    demo.sign_out()
    workspace = sign_in(qtbot, demo, DESIGNEE)
    qtbot.waitUntil(lambda: synced(demo), timeout=WAIT)
    _shown_once(qtbot, workspace, open_chart(qtbot, workspace, "p-tran"))
