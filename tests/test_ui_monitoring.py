"""Monitoring as the label says it, in the window (rules.md §13 R14): a first ANC below
normal after a normal one is confirmed the next day, and the chart and roster say so."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from tests.support.desk_window import (
    DESIGNEE,
    WAIT,
    add_anc,
    open_chart,
    roster_row,
    sign_in,
    start_demo,
)
from tests.support.memory_keyring import MemoryKeyring
from ui.main_window import DeskWindow


@pytest.fixture
def demo(tmp_path: Path, memory_keyring: MemoryKeyring, qtbot: QtBot) -> Iterator[DeskWindow]:
    window = start_demo(tmp_path / "demo", qtbot)
    yield window
    window.close()


def test_a_first_low_anc_is_due_again_tomorrow_and_the_chart_says_why(
    demo: DeskWindow, qtbot: QtBot
) -> None:
    workspace = sign_in(qtbot, demo, DESIGNEE)
    assert roster_row(demo, "Robert Miller")[4] == "Normal range"  # his latest is normal
    add_anc(qtbot, workspace, "p-miller", "1300")  # mild, drawn today
    tomorrow = (date.today() + timedelta(days=1)).strftime("%m/%d/%Y")
    qtbot.waitUntil(lambda: roster_row(demo, "Robert Miller")[3] == "1,300/µL", timeout=WAIT)
    assert roster_row(demo, "Robert Miller")[7] == tomorrow  # not three times weekly's 2 days
    page = open_chart(qtbot, workspace, "p-miller")
    assert f"{tomorrow} (confirm the first low ANC within 24 hours)" in page.facts.text()
