"""The window's shell as a person meets it: the roster's filter and due dates, the idle lock
over every open window, the status bar's honesty about the registry and the outbox, the
window's size on a small screen, and background failures said in words (issue #15)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.backends.fail
import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.clock import SystemClock
from local_store.errors import StoreError
from local_store.keys import FAST_KDF
from tests.support.memory_keyring import MemoryKeyring
from ui.demo_accounts import DEMO_ACCOUNTS
from ui.demo_seed import seed_demo_registry
from ui.desk import EMBEDDED, Desk, DeskConfig
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


# Item 6: a first start without a keyring, then a start with one
@pytest.fixture
def no_keyring() -> Iterator[None]:
    previous = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())
    yield
    keyring.set_keyring(previous)


def test_without_a_keyring_the_demo_says_so_once_in_words_and_makes_nothing(
    tmp_path: Path, no_keyring: None, qtbot: QtBot
) -> None:
    folder = tmp_path / "demo"
    desk = Desk(folder, SystemClock(), kdf=FAST_KDF)
    window = DeskWindow(desk, SystemClock().today)
    qtbot.addWidget(window)
    window.show()
    window.first_run.create_demo()
    message = window.first_run.message
    qtbot.waitUntil(lambda: "keyring" in message.text(), timeout=90_000)
    words = message.text()
    assert words.count("no secure password store") == 1
    assert "keyring.backends" not in words and "not secure" not in words
    assert "keyrings.alt" not in words  # keyring's own advice, a plaintext file: never
    assert "README" in words  # where to read how to get one on a Linux without a desktop
    assert not desk.is_set_up()
    assert not any(folder.glob("demo-registry.db*")) and not (folder / "desk.json").exists()
    window.close()


def _half_made_demo(folder: Path) -> None:
    """What a first start without a keyring used to leave: the training registry made and
    filled (its accounts' emails taken), its configuration saved, and no store."""
    desk = Desk(folder, SystemClock(), kdf=FAST_KDF)
    desk.save_config(DeskConfig(EMBEDDED))
    operator_password = "an operator password of the failed start"
    process = desk._embedded_registry(operator_password)
    try:
        seed_demo_registry(process.url, operator_password, SystemClock().today())
    finally:
        desk.stop()


@pytest.mark.parametrize("first_start", ["without a keyring", "half made by an older version"])
def test_after_a_first_start_without_a_keyring_the_next_start_opens_the_demo(
    tmp_path: Path, qtbot: QtBot, first_start: str
) -> None:
    folder = tmp_path / "demo"
    previous = keyring.get_keyring()
    if first_start == "without a keyring":
        keyring.set_keyring(keyring.backends.fail.Keyring())
        try:
            desk = Desk(folder, SystemClock(), kdf=FAST_KDF)
            with pytest.raises(StoreError):
                desk.create_demo(SystemClock().today())
            desk.stop()
        finally:
            keyring.set_keyring(previous)
    else:
        _half_made_demo(folder)
    keyring.set_keyring(MemoryKeyring())
    try:
        desk = Desk(folder, SystemClock(), kdf=FAST_KDF)
        window = DeskWindow(desk, SystemClock().today, sync_interval=0.5)
        qtbot.addWidget(window)
        window.show()
        window.first_run.create_demo()
        qtbot.waitUntil(
            lambda: hasattr(window, "sign_in_page") or _message_kind(window) == "problem",
            timeout=90_000,
        )
        assert hasattr(window, "sign_in_page"), window.first_run.message.text()
        sign_in(qtbot, window, DESIGNEE)
        assert "Tomasz Kowalski" in roster_rows(window)
        window.close()
    finally:
        keyring.set_keyring(previous)


def _message_kind(window: DeskWindow) -> str:
    return window.first_run.message.objectName() if window.first_run.message.text() else ""
