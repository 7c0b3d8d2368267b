"""ANCs added in the window while the registry is down (pytest-qt, the demo's embedded
registry process, killed and started again): when it is back they go in one batch, are
accepted, and each patient's chart shows its ANC once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from tests.support.desk_window import (
    DESIGNEE,
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
from tests.support.screens import cell_text
from ui.main_window import DeskWindow


@pytest.fixture
def demo(tmp_path: Path, memory_keyring: MemoryKeyring, qtbot: QtBot) -> Iterator[DeskWindow]:
    window = start_demo(tmp_path / "demo", qtbot)
    yield window
    window.close()


def test_ancs_added_while_the_registry_is_down_are_accepted_once_when_it_is_back(
    demo: DeskWindow, qtbot: QtBot
) -> None:
    workspace = sign_in(qtbot, demo, DESIGNEE)
    qtbot.waitUntil(lambda: synced(demo), timeout=WAIT)
    registry = demo.desk.registry_process
    assert registry is not None
    registry.kill()
    add_anc(qtbot, workspace, "p-miller", "2150")
    add_anc(qtbot, workspace, "p-tran", "1870")
    qtbot.waitUntil(lambda: "2 queued" in demo.sync_status.label.text(), timeout=WAIT)
    qtbot.waitUntil(lambda: roster_row(demo, "Linh Tran")[9] == "Not sent (1)", timeout=WAIT)
    assert roster_row(demo, "Robert Miller")[9] == "Not sent (1)"
    # The outbox says what waits, and that nobody has anything to do about it.
    workspace.refresh_lists()
    qtbot.waitUntil(lambda: workspace.outbox.table.rowCount() == 2, timeout=WAIT)
    outbox = workspace.outbox.table
    assert {(cell_text(outbox, r, 3), cell_text(outbox, r, 5)) for r in range(2)} == {
        ("Waiting to send", "Nothing to do: it is sent as soon as the registry can be reached.")
    }

    registry.start()  # the same port and database: the registry is back
    demo.sync_now()
    qtbot.waitUntil(lambda: synced(demo), timeout=60_000)
    qtbot.waitUntil(lambda: roster_row(demo, "Linh Tran")[3] == "1,870/µL", timeout=WAIT)
    assert roster_row(demo, "Robert Miller")[3] == "2,150/µL"
    assert roster_row(demo, "Robert Miller")[9] == roster_row(demo, "Linh Tran")[9] == "Up to date"
    assert "refused" not in workspace.tabText(2)  # the outbox tab: nothing refused
    for patient_id, shown in (("p-miller", "2,150/µL"), ("p-tran", "1,870/µL")):
        page = open_chart(qtbot, workspace, patient_id)
        rows = anc_history(page)
        assert [r[1] for r in rows].count(shown) == 1, rows
        assert next(r for r in rows if r[1] == shown)[4] == "Add ANC"
