"""The window's shell as a person meets it: the roster's filter and due dates, the idle lock
over every open window, the status bar's honesty about the registry and the outbox, the
window's size on a small screen, and background failures said in words (issue #15)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.clock import SystemClock
from local_store.keys import FAST_KDF
from tests.support.memory_keyring import MemoryKeyring
from ui.demo_accounts import DEMO_ACCOUNTS
from ui.desk import Desk
from ui.main_window import DeskWindow

DESIGNEE = DEMO_ACCOUNTS["sam-rivera"]
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
        lambda: window.workspace is not None and window.workspace.roster_model.total > 0,
        timeout=WAIT,
    )


def roster_rows(window: DeskWindow) -> dict[str, list[str]]:
    assert window.workspace is not None
    model = window.workspace.roster_model
    rows = {}
    for row in range(model.rowCount()):
        cells = [str(model.data(model.index(row, c))) for c in range(model.columnCount())]
        rows[cells[0].removeprefix("⚠ ")] = cells
    return rows


def filter_roster(qtbot: QtBot, window: DeskWindow, typed: str) -> list[str]:
    assert window.workspace is not None
    box = window.workspace.roster.filter
    box.clear()
    model = window.workspace.roster_model
    with qtbot.waitSignal(model.pageLoaded, timeout=WAIT):
        qtbot.keyClicks(box, typed)
    qtbot.waitUntil(lambda: model.generation > 0 and not window.worker.busy, timeout=WAIT)
    return sorted(roster_rows(window))


# Item 8: the roster's filter and due dates
def test_the_roster_filter_finds_any_part_of_a_name_ignoring_case_and_accents(
    demo: DeskWindow, qtbot: QtBot
) -> None:
    sign_in(qtbot, demo, DESIGNEE)
    assert filter_roster(qtbot, demo, "kow") == ["Tomasz Kowalski"]
    assert filter_roster(qtbot, demo, "TRAN") == ["Linh Tran"]
    assert filter_roster(qtbot, demo, "olcer") == ["María José Núñez-Ölçer"]
    assert filter_roster(qtbot, demo, "tomasz k") == ["Tomasz Kowalski"]
    assert filter_roster(qtbot, demo, "zzz") == []


def test_a_past_psf_due_date_is_flagged_overdue_like_a_past_anc_due_date(
    demo: DeskWindow, qtbot: QtBot
) -> None:
    sign_in(qtbot, demo, DESIGNEE)
    assert demo.workspace is not None
    model = demo.workspace.roster_model
    names = list(roster_rows(demo))
    row = names.index("Linh Tran")  # her latest PSF is 45 days old: due 8 days ago
    psf_due = model.index(row, 8)
    assert str(model.data(psf_due)).startswith("OVERDUE ")
    assert model.data(psf_due, Qt.ItemDataRole.FontRole).bold()
    kowalski = model.index(names.index("Tomasz Kowalski"), 8)  # a PSF 10 days ago: not due
    assert not str(model.data(kowalski)).startswith("OVERDUE")
